// The platform as a graph (Boost.Graph): components and the bus are vertices,
// bus bindings and interrupt wires are edges. Used for the structural checks
// and for the GraphViz rendering.
#include <cstdio>
#include <sstream>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/range/iterator_range.hpp>

#include "platforms/builtin_components.h"
#include "platforms/platform.h"

namespace silica {
namespace {

struct VertexInfo {
  std::string name;
  std::string type;
  bool is_bus = false;
  bool is_memory = false;
};

enum class EdgeKind { kBus, kIrq };

struct EdgeInfo {
  EdgeKind kind = EdgeKind::kBus;
  std::string label;
};

using Graph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, VertexInfo, EdgeInfo>;
using Vertex = boost::graph_traits<Graph>::vertex_descriptor;

std::string hex(uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

// Vertex i is component i; the bus comes last.
Graph build_graph(const Platform& platform) {
  const auto& components = platform.components();
  Graph graph(components.size() + 1);
  const Vertex bus = components.size();
  graph[bus] = {"bus", "router", true, false};
  for (size_t i = 0; i < components.size(); ++i) {
    const Platform::Entry& e = components[i];
    graph[i] = {e.name, e.type, false,
                dynamic_cast<MemoryComponent*>(e.component.get()) != nullptr};
    if (e.component->initiator_socket("") != nullptr) {
      boost::add_edge(i, bus, EdgeInfo{EdgeKind::kBus, ""}, graph);
    }
  }
  for (const Platform::Mapping& m : platform.mappings()) {
    std::string label = hex(m.base) + " +" + hex(m.size);
    if (!m.socket.empty()) label = m.socket + " @ " + label;
    boost::add_edge(bus, m.component, EdgeInfo{EdgeKind::kBus, label}, graph);
  }
  for (const Platform::IrqWire& w : platform.irqs()) {
    boost::add_edge(w.source, w.sink, EdgeInfo{EdgeKind::kIrq, w.pin + " -> " + w.input}, graph);
  }
  return graph;
}

struct BusEdgesOnly {
  const Graph* graph = nullptr;
  bool operator()(const boost::graph_traits<Graph>::edge_descriptor& e) const {
    return (*graph)[e].kind == EdgeKind::kBus;
  }
};

// Records every vertex a search discovers.
class Discoverer : public boost::default_bfs_visitor {
 public:
  explicit Discoverer(std::vector<Vertex>& found) : m_found(&found) {}
  template <typename G>
  void discover_vertex(Vertex v, const G& /*graph*/) const {
    m_found->push_back(v);
  }

 private:
  std::vector<Vertex>* m_found;
};

}  // namespace

void Platform::check() const {
  const auto& all = components();
  const Graph graph = build_graph(*this);

  for (size_t i = 0; i < all.size(); ++i) {
    const Entry& e = all[i];
    if (e.component->target_socket("") == nullptr) continue;
    bool mapped = false;
    for (const Mapping& m : mappings()) mapped = mapped || m.component == i;
    if (!mapped) {
      throw ConfigError((e.origin.empty() ? "" : e.origin + ": ") + "'" + e.name + "' (" + e.type +
                        ") is never mapped on the bus (add: map " + e.name + " BASE SIZE)");
    }
  }

  const boost::filtered_graph<Graph, BusEdgesOnly> bus_graph(graph, BusEdgesOnly{&graph});
  for (size_t i = 0; i < all.size(); ++i) {
    const Entry& e = all[i];
    if (e.component->initiator_socket("") == nullptr) continue;
    std::vector<Vertex> reached;
    boost::breadth_first_search(bus_graph, i, boost::visitor(Discoverer(reached)));
    bool reaches_memory = false;
    for (Vertex v : reached) reaches_memory = reaches_memory || graph[v].is_memory;
    if (!reaches_memory) {
      throw ConfigError((e.origin.empty() ? "" : e.origin + ": ") + "'" + e.name + "' (" + e.type +
                        ") cannot reach any memory through the bus");
    }
  }
}

std::string Platform::to_dot() const {
  // Rendered by walking the graph rather than with boost::write_graphviz,
  // whose edge iterator trips GCC 12's -Wmaybe-uninitialized in optimized
  // builds; this also names nodes after their components.
  const Graph graph = build_graph(*this);
  std::ostringstream out;
  out << "digraph \"" << name() << "\" {\n  label=\"" << name() << "\";\n";
  for (Vertex v : boost::make_iterator_range(boost::vertices(graph))) {
    const VertexInfo& info = graph[v];
    if (info.is_bus) {
      out << "  \"bus\" [label=\"bus\", shape=hexagon];\n";
    } else {
      out << "  \"" << info.name << "\" [label=\"" << info.name << "\\n"
          << info.type << "\", shape=" << (info.is_memory ? "box3d" : "box") << "];\n";
    }
  }
  for (Vertex v : boost::make_iterator_range(boost::vertices(graph))) {
    for (const auto& e : boost::make_iterator_range(boost::out_edges(v, graph))) {
      const EdgeInfo& info = graph[e];
      out << "  \"" << graph[v].name << "\" -> \"" << graph[boost::target(e, graph)].name
          << "\" [label=\"" << info.label << "\"";
      if (info.kind == EdgeKind::kIrq) out << ", style=dashed, color=red";
      out << "];\n";
    }
  }
  out << "}\n";
  return out.str();
}

}  // namespace silica
