// Damaged, foreign and future files: the reader gives a TraceError naming the
// file (after the records that came before the damage) and never crashes;
// writers report I/O errors naming the file.
#include <gtest/gtest.h>
#include <zstd.h>

#include <string>
#include <vector>

#include "tests/unit/traces/trace_test_util.h"
#include "traces/binary_format.h"
#include "traces/binary_trace_writer.h"
#include "traces/spike_format.h"
#include "traces/synthetic_records.h"
#include "traces/trace_open.h"
#include "traces/trace_reader.h"

namespace silica::trace {
namespace {

using testing::TempFile;

std::string le16(uint16_t v) {
  return std::string{char(v), char(v >> 8)};
}
std::string le32(uint32_t v) {
  return le16(uint16_t(v)) + le16(uint16_t(v >> 16));
}

// A file header by hand: xlen 64, zstd, ISA "rv64i", no class names, and
// `extra` appended to the fields (what a later minor version would add).
std::string file_header(uint16_t major = 1, uint16_t minor = 0, const std::string& extra = "") {
  std::string fields = std::string{char(64), char(1), char(5)} + "rv64i" + std::string(1, '\0');
  fields += extra;
  return std::string("SILTRACE") + le16(major) + le16(minor) + le32(uint32_t(fields.size())) +
         fields;
}

std::string block(const std::string& raw) {
  std::string frame(ZSTD_compressBound(raw.size()), '\0');
  size_t n = ZSTD_compress(frame.data(), frame.size(), raw.data(), raw.size(), 1);
  EXPECT_FALSE(ZSTD_isError(n));
  frame.resize(n);
  return le32(uint32_t(raw.size())) + le32(uint32_t(n)) + frame;
}

// One retired "addi x0, x0, 0" at pc 0 (a new encoding: len 4, class 0, raw 0x13).
const std::string kOneInsn = std::string{0x02, 0x04, 0x00, 0x13};
std::string end_record(uint8_t retired) {
  return std::string{char(0x83), char(retired), 0, 0};
}

// Reads to the end; returns the error message, or "" when the file was fine.
std::string read_error(const std::string& path, size_t* records = nullptr) {
  try {
    TraceReader reader(path);
    TraceRecord rec;
    size_t n = 0;
    while (reader.next(rec)) ++n;
    if (records) *records = n;
    return "";
  } catch (const TraceError& e) {
    return e.what();
  }
}

// A small but complete trace: a few hundred records of every kind.
std::string valid_trace(const std::string& path) {
  {
    BinaryTraceHeader h;
    h.isa = "rv64imac";
    h.class_names = {"alu", "load"};
    BinaryTraceWriter writer(path, h);
    SyntheticProgram::Options options;
    options.trap_every = 50;
    options.bus_every = 40;
    SyntheticProgram program(options);
    program.run(writer, 300);
    writer.finish();
  }
  return testing::read_file(path);
}

TEST(TraceReaderErrors, MissingFile) {
  std::string e = read_error("/nonexistent/dir/run.trace");
  EXPECT_NE(e.find("/nonexistent/dir/run.trace: cannot open trace"), std::string::npos) << e;
}

TEST(TraceReaderErrors, NotATrace) {
  TempFile file("x");
  testing::write_file(file.path(), "core   0: 3 0x0000000080000000 (0x00000297)\n");
  EXPECT_NE(read_error(file.path()).find("not a silica binary trace"), std::string::npos);
  testing::write_file(file.path(), "");
  EXPECT_NE(read_error(file.path()).find("not a silica binary trace"), std::string::npos);
}

TEST(TraceReaderErrors, TextTraceGivenToTheReader) {
  TempFile file("x");
  TraceOptions options;
  options.path = file.path();
  auto sink = open_trace(options);
  sink->retired(Retired{});
  sink->finish();
  EXPECT_NE(read_error(file.path()).find("not a silica binary trace"), std::string::npos);
}

TEST(TraceReaderErrors, FutureMajorVersionIsRefusedByName) {
  TempFile file("x");
  testing::write_file(file.path(), file_header(2, 0) + block(end_record(0)));
  std::string e = read_error(file.path());
  EXPECT_NE(e.find("unsupported trace format version 2.0 (this reader reads 1.x)"),
            std::string::npos)
      << e;
}

TEST(TraceReaderErrors, LaterMinorVersionWithMoreHeaderFieldsIsRead) {
  TempFile file("x");
  testing::write_file(file.path(),
                      file_header(1, 3, "future fields") + block(kOneInsn + end_record(1)));
  size_t n = 0;
  EXPECT_EQ(read_error(file.path(), &n), "");
  EXPECT_EQ(n, 1u);
}

TEST(TraceReaderErrors, ExtensionRecordsAreSkipped) {
  TempFile file("x");
  std::string ext = std::string{char(0xc5), 3} + "abc";
  testing::write_file(file.path(), file_header() + block(ext + kOneInsn + ext + end_record(1)));
  TraceReader reader(file.path());
  TraceRecord rec;
  ASSERT_TRUE(reader.next(rec));
  EXPECT_EQ(rec.kind, TraceRecord::kRetired);
  EXPECT_EQ(rec.retired.raw, 0x13u);
  EXPECT_FALSE(reader.next(rec));
}

TEST(TraceReaderErrors, UnknownTag) {
  TempFile file("x");
  testing::write_file(file.path(), file_header() + block(kOneInsn + "\x90" + end_record(1)));
  size_t n = 0;
  std::string e = read_error(file.path(), &n);
  EXPECT_NE(e.find("unknown record tag 0x90"), std::string::npos) << e;
  EXPECT_NE(e.find(file.path()), std::string::npos) << e;
}

TEST(TraceReaderErrors, EncodingNeverGiven) {
  TempFile file("x");
  testing::write_file(file.path(), file_header() + block(std::string(1, '\0') + end_record(1)));
  EXPECT_NE(read_error(file.path()).find("encoding never given"), std::string::npos);
}

TEST(TraceReaderErrors, RecordCutAtTheEndOfItsBlock) {
  TempFile file("x");
  testing::write_file(file.path(), file_header() + block(kOneInsn.substr(0, 3)));
  EXPECT_NE(read_error(file.path()).find("runs past the end of the block"), std::string::npos);
}

TEST(TraceReaderErrors, CountsThatDisagreeWithTheEndRecord) {
  TempFile file("x");
  testing::write_file(file.path(), file_header() + block(kOneInsn + end_record(2)));
  EXPECT_NE(read_error(file.path()).find("end record counts 2 instructions, 1 were read"),
            std::string::npos);
}

TEST(TraceReaderErrors, DataAfterTheEnd) {
  TempFile file("x");
  testing::write_file(file.path(), file_header() + block(end_record(0)) + "junk");
  EXPECT_NE(read_error(file.path()).find("data after the end"), std::string::npos);
  testing::write_file(file.path(), file_header() + block(end_record(0) + "x"));
  EXPECT_NE(read_error(file.path()).find("data after the end record"), std::string::npos);
}

TEST(TraceReaderErrors, ImpossibleBlockSizesAreRefusedBeforeAllocating) {
  TempFile file("x");
  testing::write_file(file.path(), file_header() + le32(0xffffffffu) + le32(0xffffffffu) + "x");
  EXPECT_NE(read_error(file.path()).find("impossible block sizes"), std::string::npos);
}

TEST(TraceReaderErrors, EveryTruncationIsReportedAfterTheRecordsBeforeIt) {
  TempFile source("src"), file("x");
  std::string bytes = valid_trace(source.path());
  size_t full = 0;
  ASSERT_EQ(read_error(source.path(), &full), "");
  for (size_t len = 0; len < bytes.size(); ++len) {
    testing::write_file(file.path(), bytes.substr(0, len));
    std::string e = read_error(file.path());
    ASSERT_FALSE(e.empty()) << "a trace cut to " << len << " bytes read as complete";
    ASSERT_NE(e.find(file.path()), std::string::npos) << e;
  }
}

// What the text layout shows of every retired record, plus the other kinds'
// fields: enough to tell whether two readings of a file agree.
std::string fingerprint(const std::string& path) {
  std::string out;
  for (const testing::AnyRecord& r : testing::read_all(path)) {
    char buf[kMaxSpikeLine + 64];
    if (const Retired* x = std::get_if<Retired>(&r)) {
      out.append(buf, format_spike_commit(*x, buf));
      out += std::to_string(x->instret) + " " + std::to_string(x->insn_class) + "\n";
    } else if (const Trap* t = std::get_if<Trap>(&r)) {
      std::snprintf(buf, sizeof buf, "trap %llx %llx %llx %llx\n", (unsigned long long)t->epc,
                    (unsigned long long)t->cause, (unsigned long long)t->tval,
                    (unsigned long long)t->handler);
      out += buf;
    } else {
      const BusAccess& b = std::get<BusAccess>(r);
      std::snprintf(buf, sizeof buf, "bus %llx %llx %llx\n", (unsigned long long)b.time_ps,
                    (unsigned long long)b.addr, (unsigned long long)b.value);
      out += buf;
    }
  }
  return out;
}

TEST(TraceReaderErrors, NoFlippedBitInTheBlocksChangesRecordsUnnoticed) {
  TempFile source("src"), file("x");
  std::string bytes = valid_trace(source.path());
  const std::string original = fingerprint(source.path());
  const size_t blocks_start =
      format::kPreambleBytes + (uint8_t(bytes[12]) | uint8_t(bytes[13]) << 8);
  size_t caught = 0, flips = 0;
  for (size_t pos = 0; pos < bytes.size(); ++pos) {
    for (int bit : {0, 5}) {
      std::string damaged = bytes;
      damaged[pos] = char(damaged[pos] ^ (1 << bit));
      testing::write_file(file.path(), damaged);
      std::string e = read_error(file.path());  // must not crash, whatever it says
      if (pos < blocks_start) continue;
      ++flips;
      if (!e.empty()) {
        ++caught;
        continue;
      }
      // zstd's checksum covers the output, so an unnoticed flip can only be
      // one in bits the decoder ignores: the records must be the same.
      ASSERT_EQ(fingerprint(file.path()), original) << "flip at byte " << pos << " bit " << bit;
    }
  }
  EXPECT_GT(caught, flips * 9 / 10);
}

TEST(TraceWriterErrors, UncreatableFileIsNamed) {
  for (auto format : {TraceOptions::kText, TraceOptions::kBinary}) {
    TraceOptions options;
    options.path = "/nonexistent/dir/run.trace";
    options.format = format;
    try {
      open_trace(options);
      FAIL() << "no error";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/run.trace: cannot create"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(TraceWriterErrors, FullDiskIsReportedByFinish) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  for (auto format : {TraceOptions::kText, TraceOptions::kBinary}) {
    TraceOptions options;
    options.path = "/dev/full";
    options.format = format;
    std::unique_ptr<TraceSink> sink;
    try {
      sink = open_trace(options);
    } catch (const std::runtime_error& e) {
      // The binary header is written at once: the error may come right away.
      EXPECT_NE(std::string(e.what()).find("/dev/full"), std::string::npos);
      continue;
    }
    SyntheticProgram program(SyntheticProgram::Options{});
    program.run(*sink, 200'000);  // several buffers: the writer thread fails early
    try {
      sink->finish();
      FAIL() << "no error";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("/dev/full: cannot write"), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace silica::trace
