#include "traces/analysis/trace_cfg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <vector>

#include <boost/graph/graphviz.hpp>

namespace silica::trace {
namespace {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// DOT double-quoted string contents.
std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

class NodeWriter {
 public:
  NodeWriter(const ControlFlowGraph& g, uint64_t max_insns) : m_g(g), m_max(max_insns) {}
  template <class Vertex>
  void operator()(std::ostream& out, const Vertex& v) const {
    const CfgNode& n = m_g[v];
    // "\n" is DOT's line break inside a label: added after escaping.
    std::string label = n.name.empty() ? hex(n.pc) : escape(n.name) + "\\n" + hex(n.pc);
    label += "\\n" + std::to_string(n.length) + " insns x " + std::to_string(n.entries);
    // White for cold blocks to saturated red for the hottest one.
    double heat = m_max == 0 ? 0.0 : double(n.insns) / double(m_max);
    char color[32];
    std::snprintf(color, sizeof color, "0.000 %.3f 1.000", std::clamp(heat, 0.0, 1.0));
    out << "[label=\"" << label << "\", fillcolor=\"" << color << "\"]";
  }

 private:
  const ControlFlowGraph& m_g;
  uint64_t m_max;
};

class EdgeWriter {
 public:
  EdgeWriter(const ControlFlowGraph& g, uint64_t max_count) : m_g(g), m_max(max_count) {}
  template <class Edge>
  void operator()(std::ostream& out, const Edge& e) const {
    const CfgEdge& edge = m_g[e];
    double width = 1.0;
    if (m_max > 1) width += 4.0 * std::log(double(edge.count)) / std::log(double(m_max));
    char pen[16];
    std::snprintf(pen, sizeof pen, "%.2f", width);
    out << "[label=\"" << edge.count << "\", weight=" << edge.count << ", penwidth=" << pen;
    if (edge.trap) out << ", style=dashed";
    out << "]";
  }

 private:
  const ControlFlowGraph& m_g;
  uint64_t m_max;
};

struct GraphWriter {
  void operator()(std::ostream& out) const {
    out << "node [shape=box, style=filled, fontname=\"monospace\"];\n";
  }
};

}  // namespace

ControlFlowGraph build_cfg(const BlockProfile& profile, const Symbolizer& symbols,
                           const CfgOptions& options) {
  ControlFlowGraph g;
  const std::vector<BlockStats>& blocks = profile.blocks();
  std::vector<EdgeStats> edges = profile.edges();
  // A block appears when it was entered min_count times or has a kept edge.
  std::vector<bool> keep(blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i) keep[i] = blocks[i].entries >= options.min_count;
  for (const EdgeStats& e : edges) {
    if (e.count >= options.min_count) keep[e.from] = keep[e.to] = true;
  }
  std::vector<ControlFlowGraph::vertex_descriptor> vertex(blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (!keep[i]) continue;
    const BlockStats& b = blocks[i];
    vertex[i] = boost::add_vertex(
        CfgNode{b.pc, b.end, b.entries, b.insns, b.length, symbols.describe(b.pc)}, g);
  }
  for (const EdgeStats& e : edges) {
    if (e.count < options.min_count) continue;
    boost::add_edge(vertex[e.from], vertex[e.to], CfgEdge{e.count, e.trap}, g);
  }
  return g;
}

void write_cfg_dot(const ControlFlowGraph& g, std::ostream& out) {
  uint64_t max_insns = 0, max_count = 0;
  for (auto [v, end] = boost::vertices(g); v != end; ++v)
    max_insns = std::max(max_insns, g[*v].insns);
  for (auto [e, end] = boost::edges(g); e != end; ++e) max_count = std::max(max_count, g[*e].count);
  boost::write_graphviz(out, g, NodeWriter(g, max_insns), EdgeWriter(g, max_count), GraphWriter());
}

}  // namespace silica::trace
