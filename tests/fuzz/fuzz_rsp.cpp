// libFuzzer target for the gdbstub: arbitrary bytes, as if sent by gdb.
//
// The first input byte picks a mode and the target's xlen; the rest is the
// byte stream.
//   direct   RspDecoder -> CommandHandler -> FakeTarget, plus codec
//            invariants (incremental decoding, escape/hex/framing round
//            trips, bounded run-length expansion, bounded replies)
//   socket   the whole GdbServer session over a socketpair: acks, no-ack
//            mode, retransmits, Ctrl-C polling while the target runs
// Sanitizers (address, undefined) catch memory errors; a broken invariant
// aborts; libFuzzer's -timeout catches hangs.
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/gdbstub/fake_target.h"
#include "tools/gdbstub/command_handler.h"
#include "tools/gdbstub/gdb_server.h"
#include "tools/gdbstub/rsp_codec.h"

namespace {

using silica::gdb::CommandHandler;
using silica::gdb::GdbServer;
using silica::gdb::RspDecoder;
using silica::gdb::RspEvent;
using silica::gdb::testing::FakeTarget;
namespace gdb = silica::gdb;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_rsp: invariant broken: %s\n", what);
    std::abort();
  }
}

// Ctrl-C now and then, as a running target would see it.
class FuzzHooks : public silica::DebugHooks {
 public:
  bool poll_interrupt() override { return ++m_polls % 17 == 0; }

 private:
  unsigned m_polls = 0;
};

// Small, so that setting it up per input costs little.
constexpr size_t kFuzzMemSize = 4096;

void configure(FakeTarget& target) {
  target.sleep_while_running = false;
  target.run_budget = 64;
  target.exit_pc = FakeTarget::kMemBase + 0x80;
  target.exit_code = 3;
  target.big_output_size = 9000;  // still two 'O' packets
}

void check_codec(const std::string& payload) {
  check(gdb::unescape_binary(gdb::escape_binary(payload)) == payload, "escape round trip");
  check(gdb::hex_decode(gdb::hex_encode(payload)) == payload, "hex round trip");
  // What the decoder hands out never holds '$' or '#', so it frames back.
  std::vector<RspEvent> events;
  RspDecoder decoder;
  decoder.feed(gdb::frame_packet(payload), events);
  check(events.size() == 1 && events[0].kind == RspEvent::Kind::kPacket &&
            events[0].payload == payload,
        "framing round trip");
  const auto expanded = gdb::expand_run_length(payload, 4096);
  check(!expanded || expanded->size() <= 4096, "run-length bound");
  if (const auto value = gdb::parse_hex_u64(payload)) {
    check(gdb::parse_hex_u64(gdb::format_hex_u64(*value)) == value, "hex number round trip");
  }
}

void run_direct(const uint8_t* data, size_t size, unsigned xlen) {
  std::vector<RspEvent> whole;
  RspDecoder decoder;
  decoder.feed(data, size, whole);

  // Decoding is the same however the bytes are split.
  std::vector<RspEvent> pieces;
  RspDecoder piecewise;
  for (size_t at = 0; at < size;) {
    const size_t chunk = 1 + (data[at] % 7);
    const size_t n = std::min(chunk, size - at);
    piecewise.feed(data + at, n, pieces);
    at += n;
  }
  check(whole == pieces, "incremental decoding");

  FakeTarget target(2, xlen, kFuzzMemSize);
  configure(target);
  FuzzHooks hooks;
  target.hooks = &hooks;
  std::optional<CommandHandler> handler(std::in_place, target);
  std::vector<std::string> replies;
  for (const RspEvent& event : whole) {
    check(event.payload.size() <= gdb::kMaxPacketSize, "packet bound");
    if (event.kind != RspEvent::Kind::kPacket) continue;
    check_codec(event.payload);
    replies.clear();
    const auto outcome = handler->handle(event.payload, replies);
    for (const std::string& reply : replies) {
      check(reply.size() <= gdb::kMaxPacketSize, "reply bound");
    }
    if (outcome != CommandHandler::Outcome::kContinue) {
      // The session is over: go on with a fresh one for more coverage.
      handler->remove_all_breakpoints();
      check(target.breakpoints.empty(), "breakpoints left after the session");
      handler.emplace(target);
    }
  }
}

void run_socket(const uint8_t* data, size_t size, unsigned xlen) {
  // One listening server for the whole run (it never accepts); the target
  // it serves is reset for every input.
  static FakeTarget target(2, 64, kFuzzMemSize);
  static GdbServer server(target, "127.0.0.1", 0);
  target = FakeTarget(2, xlen, kFuzzMemSize);
  configure(target);
  target.hooks = &server;

  int fds[2];
  check(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0, "socketpair");
  // The whole input is queued before the session starts, then the "gdb"
  // side stops writing: the session must end at that EOF at the latest.
  for (size_t at = 0; at < size;) {
    const ssize_t n = ::send(fds[0], data + at, size - at, MSG_NOSIGNAL);
    check(n > 0, "send input");
    at += static_cast<size_t>(n);
  }
  ::shutdown(fds[0], SHUT_WR);
  std::thread drain([fd = fds[0]] {
    char buffer[4096];
    while (::recv(fd, buffer, sizeof buffer, 0) > 0) {
    }
  });
  server.serve_connection(fds[1]);
  drain.join();
  ::close(fds[0]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const unsigned xlen = (data[0] & 2) ? 32 : 64;
  if (data[0] & 1) {
    run_socket(data + 1, size - 1, xlen);
  } else {
    run_direct(data + 1, size - 1, xlen);
  }
  return 0;
}
