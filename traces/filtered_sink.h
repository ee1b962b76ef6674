// A TraceSink that passes on only what a TraceFilter keeps. A template over
// the concrete (final) writer, so the filter and the writer's entry points
// are direct calls: the core pays one virtual call per record either way.
#pragma once

#include <memory>
#include <utility>

#include "traces/trace_filter.h"
#include "traces/trace_record.h"

namespace silica::trace {

template <class Writer>
class FilteredSink final : public TraceSink {
 public:
  FilteredSink(TraceFilter filter, std::unique_ptr<Writer> writer)
      : m_state(std::move(filter)), m_writer(std::move(writer)) {}

  void retired(const Retired& record) override {
    if (m_state.keep(record)) m_writer->retired(record);
  }
  void trap(const Trap& record) override {
    if (m_state.keep(record)) m_writer->trap(record);
  }
  void bus(const BusAccess& record) override {
    if (m_state.keep(record)) m_writer->bus(record);
  }
  void finish() override { m_writer->finish(); }

 private:
  FilterState m_state;
  std::unique_ptr<Writer> m_writer;
};

}  // namespace silica::trace
