#include "platforms/elf_image.h"

#include <elf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "interconnect/memory.h"
#include "interconnect/router.h"
#include "platforms/component.h"
#include "tests/unit/support/tlm_driver.h"

namespace silica {
namespace {

namespace fs = std::filesystem;

#ifdef SILICA_TINY64_ELF
constexpr const char* kTiny64 = SILICA_TINY64_ELF;
constexpr const char* kTiny32 = SILICA_TINY32_ELF;
#else
constexpr const char* kTiny64 = nullptr;
constexpr const char* kTiny32 = nullptr;
#endif

#define REQUIRE_TINY_ELF() \
  if (kTiny64 == nullptr) GTEST_SKIP() << "riscv64-unknown-elf-gcc not available"

std::vector<char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class ElfImageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("silica_elf_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  std::string write_file(const std::string& name, const std::vector<char>& bytes) {
    std::string path = (m_dir / name).string();
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
  }

  // The message of the ConfigError read_elf throws, or "" if it succeeds.
  static std::string read_error(const std::string& path) {
    try {
      read_elf(path);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  fs::path m_dir;
};

TEST_F(ElfImageTest, ReadsA64BitProgram) {
  REQUIRE_TINY_ELF();
  const ElfImage image = read_elf(kTiny64);
  EXPECT_EQ(image.path, kTiny64);
  EXPECT_EQ(image.xlen, 64u);
  EXPECT_EQ(image.entry, image.symbol("_start").value());
  ASSERT_EQ(image.segments.size(), 2u);  // text, and data with its bss
  EXPECT_EQ(image.segments[0].address, 0x80000000u);
  EXPECT_EQ(image.segments[0].bytes.size(), image.segments[0].mem_size);
  EXPECT_TRUE(image.segments[0].flags & PF_X);
  const ElfSegment& data = image.segments[1];
  EXPECT_EQ(data.address, 0x80001000u);
  EXPECT_GE(data.mem_size - data.bytes.size(), 4096u);  // scratch[] is bss
}

TEST_F(ElfImageTest, ReadsA32BitProgram) {
  REQUIRE_TINY_ELF();
  const ElfImage image = read_elf(kTiny32);
  EXPECT_EQ(image.xlen, 32u);
  EXPECT_EQ(image.entry, image.symbol("_start").value());
}

TEST_F(ElfImageTest, FindsSymbols) {
  REQUIRE_TINY_ELF();
  const ElfImage image = read_elf(kTiny64);
  ASSERT_TRUE(image.symbol("tohost").has_value());
  ASSERT_TRUE(image.symbol("fromhost").has_value());
  EXPECT_EQ(*image.symbol("fromhost") - *image.symbol("tohost"), 64u);
  EXPECT_TRUE(image.symbol("counter").has_value());
  EXPECT_FALSE(image.symbol("no_such_symbol").has_value());
  // Mapping symbols ($x...) and section/file symbols are not reported.
  for (const ElfSymbol& s : image.symbols()) {
    EXPECT_NE(s.name[0], '$') << s.name;
    EXPECT_NE(s.name, "tiny.c");
  }
}

TEST_F(ElfImageTest, FindsTheEnclosingFunction) {
  REQUIRE_TINY_ELF();
  const ElfImage image = read_elf(kTiny64);
  const uint64_t start = *image.symbol("_start");
  const ElfSymbol* f = image.function_at(start + 2);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->name, "_start");
  f = image.function_at(*image.symbol("add_one"));
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->name, "add_one");
  // The assembly label has no size: it reaches up to the next code symbol.
  f = image.function_at(*image.symbol("trap_entry"));
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->name, "trap_entry");
  EXPECT_GT(f->size, 0u);
  // Data is not code.
  EXPECT_EQ(image.function_at(*image.symbol("counter")), nullptr);
  EXPECT_EQ(image.function_at(0x1000), nullptr);
}

TEST_F(ElfImageTest, SizedFunctionsWinOverLabelsInside) {
  ElfImage image;
  image.set_symbols({{"outer", 0x100, 0x100, true, true, true},
                     {"loop", 0x140, 0x10, true, false, false},
                     {"after", 0x300, 0x20, true, false, true}});
  EXPECT_EQ(image.function_at(0x150)->name, "outer");
  EXPECT_EQ(image.function_at(0x1ff)->name, "outer");
  EXPECT_EQ(image.function_at(0x200), nullptr);
  EXPECT_EQ(image.function_at(0x30f)->name, "after");
}

TEST_F(ElfImageTest, GlobalSymbolsWinOverLocals) {
  ElfImage image;
  image.set_symbols(
      {{"helper", 0x10, 4, true, true, false}, {"helper", 0x20, 4, true, true, true}});
  EXPECT_EQ(image.symbol("helper"), 0x20u);
}

TEST_F(ElfImageTest, RejectsAMissingFile) {
  const std::string path = (m_dir / "missing.elf").string();
  const std::string error = read_error(path);
  EXPECT_NE(error.find(path + ": cannot open"), std::string::npos) << error;
}

TEST_F(ElfImageTest, RejectsADirectory) {
  EXPECT_NE(read_error(m_dir.string()).find("not a regular file"), std::string::npos);
}

TEST_F(ElfImageTest, RejectsGarbageAndEmptyFiles) {
  const std::string garbage = write_file("garbage.elf", std::vector<char>(200, 'x'));
  EXPECT_EQ(read_error(garbage), garbage + ": not an ELF file");
  const std::string empty = write_file("empty.elf", {});
  EXPECT_EQ(read_error(empty), empty + ": not an ELF file");
}

TEST_F(ElfImageTest, RejectsAHostExecutable) {
  if (!fs::exists("/bin/true")) GTEST_SKIP() << "no /bin/true";
  const std::string error = read_error("/bin/true");
  EXPECT_NE(error.find("/bin/true: not a RISC-V executable"), std::string::npos) << error;
}

TEST_F(ElfImageTest, RejectsAWrongMachine) {
  REQUIRE_TINY_ELF();
  std::vector<char> bytes = read_bytes(kTiny64);
  const uint16_t x86_64 = EM_X86_64;
  std::memcpy(bytes.data() + offsetof(Elf64_Ehdr, e_machine), &x86_64, sizeof x86_64);
  const std::string path = write_file("x86.elf", bytes);
  EXPECT_EQ(read_error(path), path + ": not a RISC-V executable (machine: x86-64)");
}

TEST_F(ElfImageTest, RejectsATruncatedHeader) {
  REQUIRE_TINY_ELF();
  std::vector<char> bytes = read_bytes(kTiny64);
  bytes.resize(40);  // identification intact, header cut short
  const std::string path = write_file("short.elf", bytes);
  const std::string error = read_error(path);
  EXPECT_NE(error.find(path + ": truncated or malformed ELF header"), std::string::npos) << error;
}

TEST_F(ElfImageTest, RejectsATruncatedFile) {
  REQUIRE_TINY_ELF();
  std::vector<char> bytes = read_bytes(kTiny64);
  bytes.resize(0x1010);  // cuts into the text segment's contents
  const std::string path = write_file("cut.elf", bytes);
  const std::string error = read_error(path);
  EXPECT_NE(error.find(path + ": segment 1 at 0x80000000"), std::string::npos) << error;
  EXPECT_NE(error.find("extends beyond the end of the file"), std::string::npos) << error;
}

TEST_F(ElfImageTest, RejectsProgramHeadersPastTheEnd) {
  REQUIRE_TINY_ELF();
  std::vector<char> bytes = read_bytes(kTiny64);
  const uint64_t far = 0x100000;
  std::memcpy(bytes.data() + offsetof(Elf64_Ehdr, e_phoff), &far, sizeof far);
  const std::string path = write_file("phoff.elf", bytes);
  const std::string error = read_error(path);
  EXPECT_NE(error.find(path + ": "), std::string::npos) << error;
  EXPECT_NE(error.find("program header"), std::string::npos) << error;
}

TEST_F(ElfImageTest, RejectsASegmentLargerThanTheFile) {
  REQUIRE_TINY_ELF();
  std::vector<char> bytes = read_bytes(kTiny64);
  Elf64_Ehdr header;
  std::memcpy(&header, bytes.data(), sizeof header);
  // Find the first PT_LOAD and claim it holds far more bytes than the file.
  for (unsigned i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr phdr;
    char* where = bytes.data() + header.e_phoff + i * header.e_phentsize;
    std::memcpy(&phdr, where, sizeof phdr);
    if (phdr.p_type != PT_LOAD) continue;
    phdr.p_filesz = phdr.p_memsz = 0x10000000;
    std::memcpy(where, &phdr, sizeof phdr);
    break;
  }
  const std::string path = write_file("huge.elf", bytes);
  EXPECT_NE(read_error(path).find("extends beyond the end of the file"), std::string::npos);
}

TEST_F(ElfImageTest, RejectsTruncatedSectionHeaders) {
  REQUIRE_TINY_ELF();
  std::vector<char> bytes = read_bytes(kTiny64);
  Elf64_Ehdr header;
  std::memcpy(&header, bytes.data(), sizeof header);
  bytes.resize(header.e_shoff + 2 * header.e_shentsize);  // segments intact, sections cut
  const std::string path = write_file("sections.elf", bytes);
  const std::string error = read_error(path);
  EXPECT_NE(error.find(path + ": "), std::string::npos) << error;
  EXPECT_NE(error.find("section"), std::string::npos) << error;
}

// Loading: through a bus into RAM, before the simulation starts.
class ElfLoadTest : public ElfImageTest {
 protected:
  void SetUp() override {
    ElfImageTest::SetUp();
    test::fresh_systemc_context();
  }
};

TEST_F(ElfLoadTest, LoadsSegmentsAndZeroFillsBss) {
  REQUIRE_TINY_ELF();
  const ElfImage image = read_elf(kTiny64);
  Router bus("bus");
  Memory ram("ram", 0x10000);
  bus.map(ram.socket, 0x80000000, 0x10000, "ram");
  std::memset(ram.host_pointer(), 0xee, ram.size());  // bss must come out zeroed
  load_elf(image, bus);
  for (const ElfSegment& segment : image.segments) {
    const uint8_t* host = ram.host_pointer() + (segment.address - 0x80000000);
    EXPECT_EQ(std::memcmp(host, segment.bytes.data(), segment.bytes.size()), 0);
    for (uint64_t i = segment.bytes.size(); i < segment.mem_size; ++i) {
      ASSERT_EQ(host[i], 0) << "offset " << i;
    }
  }
  const uint64_t counter = *image.symbol("counter") - 0x80000000;
  uint64_t value;
  std::memcpy(&value, ram.host_pointer() + counter, sizeof value);
  EXPECT_EQ(value, 42u);
}

TEST_F(ElfLoadTest, ReportsSegmentsOutsideMemory) {
  REQUIRE_TINY_ELF();
  const ElfImage image = read_elf(kTiny64);
  Router bus("bus");
  Memory ram("ram", 0x1000);  // holds the text, not the data segment
  bus.map(ram.socket, 0x80000000, 0x1000, "ram");
  try {
    load_elf(image, bus);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    const std::string expected = std::string(kTiny64) + ": segment at 0x80001000 (size 0x" + [&] {
      char text[20];
      std::snprintf(text, sizeof text, "%llx",
                    static_cast<unsigned long long>(image.segments[1].mem_size));
      return std::string(text);
    }() + ") is not backed by memory";
    EXPECT_NE(message.find(expected), std::string::npos) << message;
  }
}

TEST_F(ElfLoadTest, LoadsThroughACallback) {
  ElfImage image;
  image.path = "synthetic.elf";
  image.segments.push_back({0x1000, {1, 2, 3}, 0x20000, PF_R | PF_W});
  std::vector<uint8_t> memory(0x30000, 0xff);
  unsigned calls = 0;
  load_elf(image, [&](tlm::tlm_generic_payload& trans) -> unsigned {
    ++calls;
    EXPECT_EQ(trans.get_command(), tlm::TLM_WRITE_COMMAND);
    std::memcpy(memory.data() + trans.get_address(), trans.get_data_ptr(), trans.get_data_length());
    return trans.get_data_length();
  });
  EXPECT_EQ(memory[0x1000], 1);
  EXPECT_EQ(memory[0x1002], 3);
  EXPECT_EQ(memory[0x1003], 0);
  EXPECT_EQ(memory[0x1000 + 0x1ffff], 0);
  EXPECT_EQ(memory[0x1000 + 0x20000], 0xff);
  EXPECT_GE(calls, 3u);  // the 128 KiB tail goes in chunks
}

}  // namespace
}  // namespace silica
