// A gdbstub with no simulator behind it: GdbServer serving the unit tests'
// FakeTarget (tests/unit/gdbstub/fake_target.h) on a loopback port, so
// test_gdb_protocol.py can check the stub against a real gdb, apart from
// silica's own DebugTarget.
//
//   fake_stub PORT [--harts N] [--xlen 32|64] [--exit-pc ADDR] [--exit-code N]
//             [--watch-hit-after N]
//
// Serves one session and prints how it ended ("detached", "killed",
// "disconnected" or "exited N") on stdout.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tests/unit/gdbstub/fake_target.h"
#include "tools/gdbstub/gdb_server.h"

namespace {

// A RISC-V description gdb accepts: the cpu feature (x0..x31, pc) in gdb's
// numbering, plus one CSR at 65 + its number, as silica's target does.
std::string riscv_target_xml(unsigned xlen) {
  static const char* const kNames[] = {"zero", "ra", "sp",  "gp",  "tp", "t0", "t1", "t2",
                                       "fp",   "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
                                       "a6",   "a7", "s2",  "s3",  "s4", "s5", "s6", "s7",
                                       "s8",   "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
  const std::string bits = std::to_string(xlen);
  const auto reg = [&](const std::string& name, unsigned regnum, const char* type) {
    return "  <reg name=\"" + name + "\" bitsize=\"" + bits + "\" regnum=\"" +
           std::to_string(regnum) + "\" type=\"" + type + "\"/>\n";
  };
  std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n";
  xml += "<target version=\"1.0\">\n<architecture>riscv:rv" + bits + "</architecture>\n";
  xml += "<feature name=\"org.gnu.gdb.riscv.cpu\">\n";
  for (unsigned i = 0; i < 32; ++i) {
    xml += reg(kNames[i], i, i == 1 ? "code_ptr" : i == 2 || i == 8 ? "data_ptr" : "int");
  }
  xml += reg("pc", 32, "code_ptr");
  xml += "</feature>\n<feature name=\"org.gnu.gdb.riscv.csr\">\n";
  xml += reg("mstatus", 65 + 0x300, "int");
  xml += "</feature>\n</target>\n";
  return xml;
}

unsigned long long number(const char* text) {
  return std::strtoull(text, nullptr, 0);
}

// gdb single-steps RISC-V in software: it decodes the instruction at pc to
// put a breakpoint after it. FakeTarget "runs" by pc += 4, so its code must
// decode as 4-byte instructions: the first kCodeSize bytes are NOPs
// (addi x0, x0, 0). The rest keeps FakeTarget's byte pattern for memory tests.
constexpr size_t kCodeSize = 0x1000;
constexpr uint8_t kNop[4] = {0x13, 0x00, 0x00, 0x00};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: fake_stub PORT [--harts N] [--xlen 32|64] [--exit-pc ADDR] "
                 "[--exit-code N] [--watch-hit-after N]\n");
    return 2;
  }
  const auto port = static_cast<uint16_t>(number(argv[1]));
  unsigned harts = 2;
  unsigned xlen = 64;
  std::optional<uint64_t> exit_pc;
  int exit_code = 0;
  std::optional<size_t> watch_hit_after;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string option = argv[i];
    const char* value = argv[i + 1];
    if (option == "--harts")
      harts = static_cast<unsigned>(number(value));
    else if (option == "--xlen")
      xlen = static_cast<unsigned>(number(value));
    else if (option == "--exit-pc")
      exit_pc = number(value);
    else if (option == "--exit-code")
      exit_code = static_cast<int>(number(value));
    else if (option == "--watch-hit-after")
      watch_hit_after = number(value);
    else {
      std::fprintf(stderr, "fake_stub: unknown option %s\n", option.c_str());
      return 2;
    }
  }

  silica::gdb::testing::FakeTarget target(harts, xlen);
  target.xml = riscv_target_xml(xlen);
  for (size_t i = 0; i < kCodeSize; ++i) target.memory[i] = kNop[i % 4];
  target.exit_pc = exit_pc;
  target.exit_code = exit_code;
  target.watch_hit_after = watch_hit_after;
  try {
    silica::gdb::GdbServer server(target, "127.0.0.1", port);
    target.hooks = &server;
    const silica::gdb::ServeResult result = server.serve();
    switch (result.end) {
      case silica::gdb::ServeResult::End::kDetached:
        std::printf("detached\n");
        break;
      case silica::gdb::ServeResult::End::kKilled:
        std::printf("killed\n");
        break;
      case silica::gdb::ServeResult::End::kDisconnected:
        std::printf("disconnected\n");
        break;
      case silica::gdb::ServeResult::End::kExited:
        std::printf("exited %d\n", result.exit_code);
        break;
    }
    std::printf("breakpoints left: %zu\n", target.breakpoints.size());
  } catch (const silica::gdb::GdbServerError& e) {
    std::fprintf(stderr, "fake_stub: %s\n", e.what());
    return 2;
  }
  return 0;
}
