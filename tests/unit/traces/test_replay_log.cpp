// The replay log: what the recorder is told comes back from the reader in
// the order a replay needs (an access before what it caused), across blocks;
// damaged and foreign files give a TraceError naming the file.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/traces/trace_test_util.h"
#include "traces/binary_trace_writer.h"
#include "traces/replay_log.h"
#include "traces/trace_reader.h"

namespace silica::trace {
namespace {

using testing::TempFile;

ReplayHeader sample_header() {
  ReplayHeader header;
  header.args = {"run", "--core", "dbt", "prog.elf"};
  header.cwd = "/home/architect";
  header.inputs.push_back({"prog.elf", 1234, 0x0123456789abcdef});
  return header;
}

// Two runs of hart 0 and one of hart 1, with every kind of input.
void write_sample(const std::string& path, size_t big_write = 0) {
  ReplayLogWriter writer(path, sample_header());
  writer.run_begin(0, {1000, 0x80, true, false});
  writer.access_begin();
  // Recorded while the access was under way: must come back after it.
  writer.wires(0x800);
  const uint8_t dma[3] = {7, 8, 9};
  writer.memory_write(0, 0x40, dma, sizeof dma);
  writer.bus({0xc201004, 10, 5000, 4, false, true});
  writer.timer(77);
  writer.cycle_counter(1234);
  writer.access_begin();
  writer.bus({0x10000000, 0x41, 6000, 1, true, false});
  writer.run_end({500, 0x80000100});
  std::vector<uint8_t> page(big_write, 0x5a);
  writer.memory_write(1, 0x1000, page.data(), page.size());
  writer.run_begin(1, {2000, 0, false, true});
  writer.run_end({600, 0x80000200});
  writer.machine_reset();
  writer.finish(3);
}

TEST(ReplayLog, WhatTheRecorderWasToldComesBackInReplayOrder) {
  TempFile file("replay");
  write_sample(file.path());
  ReplayLogReader reader(file.path());
  EXPECT_EQ(reader.header().args, sample_header().args);
  EXPECT_EQ(reader.header().cwd, "/home/architect");
  ASSERT_EQ(reader.header().inputs.size(), 1u);
  EXPECT_EQ(reader.header().inputs[0].fingerprint, 0x0123456789abcdefu);

  ReplayRun run;
  ReplayMemoryWrite write;
  std::string what;
  ASSERT_EQ(reader.next(run, write, what), ReplayLogReader::Item::kRun);
  EXPECT_EQ(run.hart_id, 0u);
  EXPECT_EQ(run.start.cycles, 1000u);
  EXPECT_EQ(run.start.mip_wires, 0x80u);
  EXPECT_TRUE(run.start.sstc_pending);
  EXPECT_FALSE(run.start.wfi);
  EXPECT_EQ(run.end.instret, 500u);
  EXPECT_EQ(run.end.pc, 0x80000100u);

  FieldCursor inputs{run.events.data(), run.events.data() + run.events.size()};
  ReplayInput in;
  std::vector<ReplayInput::Kind> kinds;
  std::vector<ReplayInput> all;
  while (reader.next_input(inputs, in)) {
    kinds.push_back(in.kind);
    all.push_back(in);
  }
  const std::vector<ReplayInput::Kind> expected = {ReplayInput::kBus,          ReplayInput::kWires,
                                                   ReplayInput::kMemoryWrite,  ReplayInput::kTimer,
                                                   ReplayInput::kCycleCounter, ReplayInput::kBus};
  ASSERT_EQ(kinds, expected);
  EXPECT_EQ(all[0].bus.addr, 0xc201004u);
  EXPECT_EQ(all[0].bus.value, 10u);
  EXPECT_EQ(all[0].bus.time_ps, 5000u);
  EXPECT_FALSE(all[0].bus.write);
  EXPECT_TRUE(all[0].bus.ok);
  EXPECT_EQ(all[1].value, 0x800u);
  EXPECT_EQ(all[2].memory.offset, 0x40u);
  EXPECT_EQ(all[2].memory.data, (std::vector<uint8_t>{7, 8, 9}));
  EXPECT_EQ(all[3].value, 77u);
  EXPECT_EQ(all[4].value, 1234u);
  EXPECT_TRUE(all[5].bus.write);
  EXPECT_FALSE(all[5].bus.ok);

  ASSERT_EQ(reader.next(run, write, what), ReplayLogReader::Item::kMemoryWrite);
  EXPECT_EQ(write.memory, 1u);
  EXPECT_TRUE(write.data.empty());
  ASSERT_EQ(reader.next(run, write, what), ReplayLogReader::Item::kRun);
  EXPECT_EQ(run.hart_id, 1u);
  EXPECT_TRUE(run.start.wfi);
  EXPECT_TRUE(run.events.empty());
  ASSERT_EQ(reader.next(run, write, what), ReplayLogReader::Item::kMachineReset);
  ASSERT_EQ(reader.next(run, write, what), ReplayLogReader::Item::kEnd);
  EXPECT_EQ(reader.exit_status(), 3);
  EXPECT_EQ(reader.runs(), 2u);
}

TEST(ReplayLog, RecordsLongerThanABlockSpanBlocks) {
  TempFile file("replay");
  write_sample(file.path(), 600 * 1024);  // a DMA write of 600 KiB: three blocks
  ReplayLogReader reader(file.path());
  ReplayRun run;
  ReplayMemoryWrite write;
  std::string what;
  ASSERT_EQ(reader.next(run, write, what), ReplayLogReader::Item::kRun);
  ASSERT_EQ(reader.next(run, write, what), ReplayLogReader::Item::kMemoryWrite);
  ASSERT_EQ(write.data.size(), 600u * 1024);
  EXPECT_EQ(write.data.front(), 0x5a);
  EXPECT_EQ(write.data.back(), 0x5a);
  ASSERT_EQ(reader.next(run, write, what), ReplayLogReader::Item::kRun);
  EXPECT_EQ(run.end.pc, 0x80000200u);
}

std::string read_error(const std::string& path) {
  try {
    ReplayLogReader reader(path);
    ReplayRun run;
    ReplayMemoryWrite write;
    std::string what;
    while (reader.next(run, write, what) != ReplayLogReader::Item::kEnd) {
    }
    return "";
  } catch (const TraceError& e) {
    return e.what();
  }
}

TEST(ReplayLog, TruncatedLogSaysSoAndNamesTheFile) {
  TempFile file("replay");
  write_sample(file.path());
  std::string bytes = testing::read_file(file.path());
  testing::write_file(file.path(), bytes.substr(0, bytes.size() - 5));
  const std::string e = read_error(file.path());
  EXPECT_NE(e.find(file.path() + ": truncated"), std::string::npos) << e;
}

TEST(ReplayLog, ABinaryTraceIsNotAReplayLogAndTheOtherWayRound) {
  TempFile trace_file("trace");
  {
    BinaryTraceWriter writer(trace_file.path(), BinaryTraceHeader{});
    writer.finish();
  }
  EXPECT_NE(read_error(trace_file.path()).find("not a silica replay log"), std::string::npos);

  TempFile log_file("replay");
  write_sample(log_file.path());
  try {
    TraceReader reader(log_file.path());
    FAIL() << "a replay log opened as a binary trace";
  } catch (const TraceError& e) {
    EXPECT_NE(std::string(e.what()).find("a replay log, not a silica binary trace: 'silica "
                                         "replay " +
                                         log_file.path()),
              std::string::npos)
        << e.what();
  }
}

TEST(ReplayLog, FingerprintsTellFilesOfOneSizeApart) {
  TempFile a("a"), b("b");
  testing::write_file(a.path(), "the same length, text A");
  testing::write_file(b.path(), "the same length, text B");
  const ReplayInputFile fa = file_fingerprint(a.path());
  const ReplayInputFile fb = file_fingerprint(b.path());
  EXPECT_EQ(fa.size, fb.size);
  EXPECT_NE(fa.fingerprint, fb.fingerprint);
  EXPECT_EQ(file_fingerprint(a.path()).fingerprint, fa.fingerprint);
  EXPECT_THROW(file_fingerprint("/nonexistent/prog.elf"), TraceError);
}

}  // namespace
}  // namespace silica::trace
