// The `silica-trace cfg` output: the dynamic control-flow graph of basic
// blocks as a Boost.Graph, written as GraphViz DOT. Nodes are blocks
// (labelled with address, symbol, length and entries, shaded by the share of
// instructions they retired); edges carry how often control passed along
// them, dashed when it went through a trap.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include <boost/graph/adjacency_list.hpp>

#include "traces/analysis/block_profile.h"
#include "traces/analysis/symbolizer.h"

namespace silica::trace {

struct CfgNode {
  uint64_t pc = 0;
  uint64_t end = 0;
  uint64_t entries = 0;
  uint64_t insns = 0;
  uint32_t length = 0;
  std::string name;  // symbol+offset, or empty
};

struct CfgEdge {
  uint64_t count = 0;
  bool trap = false;
};

using ControlFlowGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, CfgNode, CfgEdge>;

struct CfgOptions {
  uint64_t min_count = 1;  // leave out edges taken fewer times (and blocks left alone)
};

ControlFlowGraph build_cfg(const BlockProfile& profile, const Symbolizer& symbols,
                           const CfgOptions& options);
void write_cfg_dot(const ControlFlowGraph& graph, std::ostream& out);

}  // namespace silica::trace
