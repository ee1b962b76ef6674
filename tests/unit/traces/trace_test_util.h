// Helpers for the trace units: a sink that keeps what it is given, field-wise
// comparison of records, and temporary file paths.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "traces/trace_reader.h"
#include "traces/trace_record.h"

namespace silica::trace::testing {

using AnyRecord = std::variant<Retired, Trap, BusAccess>;

class RecordingSink final : public TraceSink {
 public:
  void retired(const Retired& r) override { records.emplace_back(r); }
  void trap(const Trap& t) override { records.emplace_back(t); }
  void bus(const BusAccess& b) override { records.emplace_back(b); }
  void finish() override { ++finished; }
  std::vector<AnyRecord> records;
  int finished = 0;
};

// Forwards to several sinks at once (the same stream into two writers).
class TeeSink final : public TraceSink {
 public:
  explicit TeeSink(std::vector<TraceSink*> sinks) : m_sinks(std::move(sinks)) {}
  void retired(const Retired& r) override {
    for (TraceSink* s : m_sinks) s->retired(r);
  }
  void trap(const Trap& t) override {
    for (TraceSink* s : m_sinks) s->trap(t);
  }
  void bus(const BusAccess& b) override {
    for (TraceSink* s : m_sinks) s->bus(b);
  }
  void finish() override {
    for (TraceSink* s : m_sinks) s->finish();
  }

 private:
  std::vector<TraceSink*> m_sinks;
};

inline void expect_same(const Retired& a, const Retired& b, size_t i) {
  SCOPED_TRACE("record " + std::to_string(i));
  EXPECT_EQ(a.instret, b.instret);
  EXPECT_EQ(a.pc, b.pc);
  EXPECT_EQ(a.raw, b.raw);
  EXPECT_EQ(a.hart, b.hart);
  EXPECT_EQ(a.priv, b.priv);
  EXPECT_EQ(a.len, b.len);
  EXPECT_EQ(a.xlen, b.xlen);
  EXPECT_EQ(a.insn_class, b.insn_class);
  ASSERT_EQ(a.n_writes, b.n_writes);
  for (unsigned k = 0; k < a.n_writes; ++k) {
    EXPECT_EQ(a.writes[k].file, b.writes[k].file);
    EXPECT_EQ(a.writes[k].index, b.writes[k].index);
    EXPECT_EQ(a.writes[k].value, b.writes[k].value);
  }
  ASSERT_EQ(a.n_mem, b.n_mem);
  for (unsigned k = 0; k < a.n_mem; ++k) {
    EXPECT_EQ(a.mem[k].addr, b.mem[k].addr);
    EXPECT_EQ(a.mem[k].value, b.mem[k].value);
    EXPECT_EQ(a.mem[k].size, b.mem[k].size);
    EXPECT_EQ(a.mem[k].write, b.mem[k].write);
  }
}

inline void expect_same(const Trap& a, const Trap& b, size_t i) {
  SCOPED_TRACE("record " + std::to_string(i));
  EXPECT_EQ(a.instret, b.instret);
  EXPECT_EQ(a.epc, b.epc);
  EXPECT_EQ(a.cause, b.cause);
  EXPECT_EQ(a.tval, b.tval);
  EXPECT_EQ(a.handler, b.handler);
  EXPECT_EQ(a.hart, b.hart);
  EXPECT_EQ(a.from_priv, b.from_priv);
  EXPECT_EQ(a.to_priv, b.to_priv);
  EXPECT_EQ(a.interrupt, b.interrupt);
}

inline void expect_same(const BusAccess& a, const BusAccess& b, size_t i) {
  SCOPED_TRACE("record " + std::to_string(i));
  EXPECT_EQ(a.time_ps, b.time_ps);
  EXPECT_EQ(a.addr, b.addr);
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.size, b.size);
  EXPECT_EQ(a.write, b.write);
  EXPECT_EQ(a.ok, b.ok);
  EXPECT_EQ(a.initiator, b.initiator);
}

// Every record of a binary trace, in order.
inline std::vector<AnyRecord> read_all(const std::string& path) {
  TraceReader reader(path);
  std::vector<AnyRecord> out;
  TraceRecord rec;
  while (reader.next(rec)) {
    switch (rec.kind) {
      case TraceRecord::kRetired:
        out.emplace_back(rec.retired);
        break;
      case TraceRecord::kTrap:
        out.emplace_back(rec.trap);
        break;
      case TraceRecord::kBus:
        out.emplace_back(rec.bus);
        break;
    }
  }
  return out;
}

inline void expect_same_records(const std::vector<AnyRecord>& a, const std::vector<AnyRecord>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].index(), b[i].index()) << "record " << i;
    std::visit([&](const auto& x) { expect_same(x, std::get<std::decay_t<decltype(x)>>(b[i]), i); },
               a[i]);
    if (::testing::Test::HasFailure()) return;  // one broken record is enough to read
  }
}

// A fresh path in the test's temporary directory, removed at scope exit.
class TempFile {
 public:
  explicit TempFile(const std::string& name) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    m_path = (std::filesystem::temp_directory_path() /
              ("silica_" + std::string(info->test_suite_name()) + "_" + info->name() + "_" + name))
                 .string();
    std::filesystem::remove(m_path);
  }
  ~TempFile() { std::filesystem::remove(m_path); }
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

}  // namespace silica::trace::testing
