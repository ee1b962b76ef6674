#include "tools/gdbstub/command_handler.h"

#include <algorithm>
#include <climits>

#include "tools/gdbstub/rsp_codec.h"

namespace silica::gdb {

namespace {

// Error replies. gdb shows only that the request failed, so two codes are
// enough to tell a malformed request from a target that refused it.
constexpr std::string_view kErrBadPacket = "E01";
constexpr std::string_view kErrTarget = "E02";
constexpr std::string_view kOk = "OK";

// Registers in the 'g' packet: x0..x31, then pc (gdb's RISC-V numbering).
constexpr unsigned kGRegisterCount = 33;
constexpr unsigned kPcRegister = 32;

// Signals in stop replies (gdb's numbering, include/gdb/signals.h).
constexpr unsigned kSigInt = 2;
constexpr unsigned kSigTrap = 5;

// Threads per qfThreadInfo/qsThreadInfo reply: ids are at most 8 hex digits
// plus a comma, so this many always fits in a packet.
constexpr unsigned kThreadsPerReply = 256;

constexpr std::string_view kSupported =
    "PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;vContSupported+;multiprocess-";
static_assert(kMaxPacketSize == 0x4000, "kSupported advertises PacketSize=4000");

bool consume_prefix(std::string_view& text, std::string_view prefix) {
  if (text.substr(0, prefix.size()) != prefix) return false;
  text.remove_prefix(prefix.size());
  return true;
}

// Splits "a<sep>b" at the first separator; nullopt when there is none.
std::optional<std::pair<std::string_view, std::string_view>> split_once(std::string_view text,
                                                                        char sep) {
  const size_t at = text.find(sep);
  if (at == std::string_view::npos) return std::nullopt;
  return std::make_pair(text.substr(0, at), text.substr(at + 1));
}

// "addr,length" as two hex numbers.
std::optional<std::pair<uint64_t, uint64_t>> parse_addr_length(std::string_view text) {
  const auto parts = split_once(text, ',');
  if (!parts) return std::nullopt;
  const auto addr = parse_hex_u64(parts->first);
  const auto length = parse_hex_u64(parts->second);
  if (!addr || !length) return std::nullopt;
  return std::make_pair(*addr, *length);
}

std::string two_hex_digits(unsigned value) {
  std::string hex = format_hex_u64(value & 0xff);
  if (hex.size() < 2) hex.insert(hex.begin(), '0');
  return hex;
}

}  // namespace

bool CommandHandler::take_no_ack_request() {
  const bool requested = m_no_ack_requested;
  m_no_ack_requested = false;
  return requested;
}

void CommandHandler::remove_all_breakpoints() {
  for (const Breakpoint& bp : m_breakpoints) {
    m_target.remove_breakpoint(bp.kind, bp.addr, bp.length);
  }
  m_breakpoints.clear();
}

CommandHandler::Outcome CommandHandler::handle(std::string_view packet,
                                               std::vector<std::string>& replies) {
  Outcome outcome = Outcome::kContinue;
  if (packet.empty()) {
    replies.emplace_back();
    return outcome;
  }
  const std::string_view args = packet.substr(1);
  std::string reply;
  switch (packet[0]) {
    case '?':
      reply = stop_reply(m_last_stop);
      break;
    case 'q':
      reply = handle_query(packet, replies);
      break;
    case 'Q':
      if (packet == "QStartNoAckMode") {
        m_no_ack_requested = true;
        reply = kOk;
      }
      break;
    case 'v':
      reply = handle_v_packet(packet, outcome);
      break;
    case 'H':
      reply = handle_set_thread(args);
      break;
    case 'T': {
      const auto thread = parse_thread(args);
      reply = thread && thread->kind == ThreadSelector::Kind::kHart ? kOk : kErrBadPacket;
      break;
    }
    case 'g':
      reply = args.empty() ? handle_read_registers() : std::string(kErrBadPacket);
      break;
    case 'G':
      reply = handle_write_registers(args);
      break;
    case 'p':
      reply = handle_read_register(args);
      break;
    case 'P':
      reply = handle_write_register(args);
      break;
    case 'm':
      reply = handle_read_memory(args);
      break;
    case 'M':
      reply = handle_write_memory(args, /*binary=*/false);
      break;
    case 'X':
      reply = handle_write_memory(args, /*binary=*/true);
      break;
    case 'Z':
      reply = handle_breakpoint(args, /*insert=*/true);
      break;
    case 'z':
      reply = handle_breakpoint(args, /*insert=*/false);
      break;
    case 'c':
      reply = resume(std::nullopt, args, outcome);
      break;
    case 's':
      reply = resume(step_hart(), args, outcome);
      break;
    case 'C':
    case 'S': {
      // "Csig[;addr]": the signal means nothing to a bare-metal machine.
      const auto signal_and_addr = split_once(args, ';');
      const std::string_view signal = signal_and_addr ? signal_and_addr->first : args;
      if (!parse_hex_u64(signal)) {
        reply = kErrBadPacket;
        break;
      }
      const std::string_view addr = signal_and_addr ? signal_and_addr->second : std::string_view{};
      const std::optional<unsigned> step =
          packet[0] == 'S' ? std::optional<unsigned>(step_hart()) : std::nullopt;
      reply = resume(step, addr, outcome);
      break;
    }
    case 'D':
      // "D" or "D;pid": gdb lets go; the machine must not stop at our
      // breakpoints any more.
      remove_all_breakpoints();
      reply = kOk;
      outcome = Outcome::kDetach;
      break;
    case 'k':
      // No reply: gdb closes the connection right after sending it.
      remove_all_breakpoints();
      return Outcome::kKill;
    default:
      break;  // the empty reply: "not supported"
  }
  replies.push_back(std::move(reply));
  return outcome;
}

std::string CommandHandler::handle_query(std::string_view packet,
                                         std::vector<std::string>& replies) {
  std::string_view rest = packet;
  if (packet == "qSupported" || consume_prefix(rest, "qSupported:")) return std::string(kSupported);
  if (packet == "qAttached" || consume_prefix(rest, "qAttached:")) {
    return "1";  // the machine existed before gdb came: detach, not kill, on quit
  }
  if (packet == "qC") return "QC" + thread_id(m_general_hart);
  if (packet == "qfThreadInfo") return handle_thread_info(/*first=*/true);
  if (packet == "qsThreadInfo") return handle_thread_info(/*first=*/false);
  if (consume_prefix(rest, "qThreadExtraInfo,")) {
    const auto thread = parse_thread(rest);
    if (!thread || thread->kind != ThreadSelector::Kind::kHart) return std::string(kErrBadPacket);
    return hex_encode("hart " + std::to_string(thread->hart));
  }
  if (consume_prefix(rest, "qXfer:features:read:")) return handle_xfer_features(rest);
  if (consume_prefix(rest, "qRcmd,")) {
    handle_monitor(rest, replies);
    std::string last = std::move(replies.back());
    replies.pop_back();
    return last;
  }
  return {};
}

std::string CommandHandler::handle_v_packet(std::string_view packet, Outcome& outcome) {
  std::string_view rest = packet;
  if (packet == "vCont?") return "vCont;c;C;s;S";
  if (consume_prefix(rest, "vCont;")) return handle_vcont(rest, outcome);
  if (packet == "vKill" || consume_prefix(rest, "vKill;")) {
    remove_all_breakpoints();
    outcome = Outcome::kKill;
    return std::string(kOk);
  }
  return {};
}

std::string CommandHandler::handle_set_thread(std::string_view args) {
  if (args.empty()) return std::string(kErrBadPacket);
  const char op = args[0];
  if (op != 'g' && op != 'c') return {};
  const auto thread = parse_thread(args.substr(1));
  if (!thread) return std::string(kErrBadPacket);
  if (op == 'g') {
    // "any" and "all" keep the current choice: either is a valid pick.
    if (thread->kind == ThreadSelector::Kind::kHart) m_general_hart = thread->hart;
  } else {
    m_continue_hart = thread->kind == ThreadSelector::Kind::kHart
                          ? std::optional<unsigned>(thread->hart)
                          : std::nullopt;
  }
  return std::string(kOk);
}

std::string CommandHandler::handle_read_registers() {
  const unsigned bytes = register_bytes();
  std::string reply;
  reply.reserve(kGRegisterCount * bytes * 2);
  for (unsigned regno = 0; regno < kGRegisterCount; ++regno) {
    const auto value = m_target.read_register(m_general_hart, regno);
    // 'x' digits mark a value as unavailable rather than failing the packet.
    reply += value ? encode_le(*value, bytes) : std::string(bytes * 2, 'x');
  }
  return reply;
}

std::string CommandHandler::handle_write_registers(std::string_view hex) {
  const size_t digits = size_t{register_bytes()} * 2;
  if (hex.empty() || hex.size() % digits != 0 || hex.size() / digits > kGRegisterCount) {
    return std::string(kErrBadPacket);
  }
  std::vector<uint64_t> values;
  for (size_t at = 0; at < hex.size(); at += digits) {
    const auto value = decode_le(hex.substr(at, digits), register_bytes());
    if (!value) return std::string(kErrBadPacket);
    values.push_back(*value);
  }
  for (unsigned regno = 0; regno < values.size(); ++regno) {
    // gdb writes the whole block back, x0 included; a target that rejects
    // writes to its hardwired zero must not fail the packet for that.
    if (!m_target.write_register(m_general_hart, regno, values[regno]) && regno != 0) {
      return std::string(kErrTarget);
    }
  }
  return std::string(kOk);
}

std::string CommandHandler::handle_read_register(std::string_view args) {
  const auto regno = parse_hex_u64(args);
  if (!regno || *regno > UINT_MAX) return std::string(kErrBadPacket);
  const auto value = m_target.read_register(m_general_hart, static_cast<unsigned>(*regno));
  // An unreadable register shows as <unavailable> instead of aborting a
  // whole "info registers".
  if (!value) return std::string(size_t{register_bytes(*regno)} * 2, 'x');
  return encode_le(*value, register_bytes(*regno));
}

std::string CommandHandler::handle_write_register(std::string_view args) {
  const auto parts = split_once(args, '=');
  if (!parts) return std::string(kErrBadPacket);
  const auto regno = parse_hex_u64(parts->first);
  if (!regno || *regno > UINT_MAX) return std::string(kErrBadPacket);
  const auto value = decode_le(parts->second, register_bytes(*regno));
  if (!value) return std::string(kErrBadPacket);
  if (!m_target.write_register(m_general_hart, static_cast<unsigned>(*regno), *value)) {
    return std::string(kErrTarget);
  }
  return std::string(kOk);
}

std::string CommandHandler::handle_read_memory(std::string_view args) {
  const auto range = parse_addr_length(args);
  if (!range) return std::string(kErrBadPacket);
  // gdb accepts short reads and asks again for the rest, so the reply is
  // capped to what fits in a packet.
  const size_t length = static_cast<size_t>(std::min<uint64_t>(range->second, kMaxPacketSize / 2));
  if (length == 0) return {};
  std::vector<uint8_t> data(length);
  const size_t got = m_target.read_memory(m_general_hart, range->first, data.data(), length);
  if (got == 0) return std::string(kErrTarget);
  return hex_encode(data.data(), std::min(got, length));
}

std::string CommandHandler::handle_write_memory(std::string_view args, bool binary) {
  const auto header_and_data = split_once(args, ':');
  if (!header_and_data) return std::string(kErrBadPacket);
  const auto range = parse_addr_length(header_and_data->first);
  if (!range) return std::string(kErrBadPacket);
  const auto data =
      binary ? unescape_binary(header_and_data->second) : hex_decode(header_and_data->second);
  if (!data || data->size() != range->second) return std::string(kErrBadPacket);
  // "X addr,0:" is how gdb probes for X support.
  if (data->empty()) return std::string(kOk);
  const size_t written = m_target.write_memory(
      m_general_hart, range->first, reinterpret_cast<const uint8_t*>(data->data()), data->size());
  return written == data->size() ? std::string(kOk) : std::string(kErrTarget);
}

std::string CommandHandler::handle_breakpoint(std::string_view args, bool insert) {
  // "type,addr,kind" plus optional ";cond..." gdb only sends when asked to.
  const auto type_and_rest = split_once(args, ',');
  if (!type_and_rest) return std::string(kErrBadPacket);
  const auto type = parse_hex_u64(type_and_rest->first);
  if (!type) return std::string(kErrBadPacket);
  if (*type > static_cast<uint64_t>(BreakpointKind::kAccessWatch)) return {};
  std::string_view location = type_and_rest->second;
  location = location.substr(0, location.find(';'));
  const auto range = parse_addr_length(location);
  if (!range) return std::string(kErrBadPacket);
  const Breakpoint bp{static_cast<BreakpointKind>(*type), range->first, range->second};

  if (insert) {
    if (m_breakpoints.size() >= kMaxTrackedBreakpoints) return std::string(kErrTarget);
    if (!m_target.insert_breakpoint(bp.kind, bp.addr, bp.length)) return std::string(kErrTarget);
    m_breakpoints.push_back(bp);
    return std::string(kOk);
  }
  if (!m_target.remove_breakpoint(bp.kind, bp.addr, bp.length)) return std::string(kErrTarget);
  const auto it =
      std::find_if(m_breakpoints.begin(), m_breakpoints.end(), [&](const Breakpoint& b) {
        return b.kind == bp.kind && b.addr == bp.addr && b.length == bp.length;
      });
  if (it != m_breakpoints.end()) m_breakpoints.erase(it);
  return std::string(kOk);
}

std::string CommandHandler::handle_xfer_features(std::string_view args) {
  // "annex:offset,length"
  const auto annex_and_range = split_once(args, ':');
  if (!annex_and_range) return std::string(kErrBadPacket);
  const auto range = parse_addr_length(annex_and_range->second);
  if (!range) return std::string(kErrBadPacket);
  if (annex_and_range->first != "target.xml") return "E00";  // no such annex

  const std::string xml = m_target.target_xml();
  if (range->first >= xml.size()) return "l";
  // Take as much as was asked for and fits in one packet once escaped; 'm'
  // tells gdb to ask for more, 'l' that this is the last piece.
  const size_t offset = static_cast<size_t>(range->first);
  const size_t wanted = static_cast<size_t>(std::min<uint64_t>(range->second, xml.size() - offset));
  std::string chunk = "m";
  size_t taken = 0;
  while (taken < wanted) {
    const std::string piece = escape_binary(std::string_view(xml).substr(offset + taken, 1));
    if (chunk.size() + piece.size() > kMaxPacketSize) break;
    chunk += piece;
    ++taken;
  }
  if (offset + taken >= xml.size()) chunk[0] = 'l';
  return chunk;
}

void CommandHandler::handle_monitor(std::string_view hex, std::vector<std::string>& replies) {
  const auto command = hex_decode(hex);
  if (!command) {
    replies.emplace_back(kErrBadPacket);
    return;
  }
  const auto output = m_target.monitor(*command);
  // Output travels as hex in 'O' packets, each within the packet size.
  const std::string text =
      output ? *output : "silica: unknown monitor command '" + *command + "'\n";
  constexpr size_t kBytesPerPacket = (kMaxPacketSize - 1) / 2;
  for (size_t at = 0; at < text.size(); at += kBytesPerPacket) {
    std::string packet = "O";
    packet += hex_encode(std::string_view(text).substr(at, kBytesPerPacket));
    replies.push_back(std::move(packet));
  }
  replies.emplace_back(output ? kOk : kErrBadPacket);
}

std::string CommandHandler::handle_thread_info(bool first) {
  if (first) m_thread_cursor = 0;
  const unsigned harts = m_target.hart_count();
  if (m_thread_cursor >= harts) return "l";
  std::string reply = "m";
  const unsigned end = std::min(harts, m_thread_cursor + kThreadsPerReply);
  for (unsigned hart = m_thread_cursor; hart < end; ++hart) {
    if (hart != m_thread_cursor) reply += ',';
    reply += thread_id(hart);
  }
  m_thread_cursor = end;
  return reply;
}

std::string CommandHandler::resume(std::optional<unsigned> step, std::string_view new_pc,
                                   Outcome& outcome) {
  if (!new_pc.empty()) {
    const auto pc = parse_hex_u64(new_pc);
    if (!pc) return std::string(kErrBadPacket);
    if (!m_target.write_register(step.value_or(step_hart()), kPcRegister, *pc)) {
      return std::string(kErrTarget);
    }
  }
  return run_until_stop(step, outcome);
}

std::string CommandHandler::handle_vcont(std::string_view actions, Outcome& outcome) {
  // In all-stop mode with one machine-wide resume, the actions reduce to
  // "step this hart" (the first s/S) or "continue everything".
  std::optional<unsigned> step;
  bool any_action = false;
  while (!actions.empty()) {
    const size_t end = actions.find(';');
    std::string_view action = actions.substr(0, end);
    actions = end == std::string_view::npos ? std::string_view{} : actions.substr(end + 1);
    if (action.empty()) return std::string(kErrBadPacket);
    const char kind = action[0];
    if (kind != 'c' && kind != 's' && kind != 'C' && kind != 'S') {
      return std::string(kErrBadPacket);
    }
    std::string_view rest = action.substr(1);
    std::string_view thread_text;
    if (const auto parts = split_once(rest, ':')) {
      rest = parts->first;
      thread_text = parts->second;
    }
    if ((kind == 'C' || kind == 'S') ? !parse_hex_u64(rest) : !rest.empty()) {
      return std::string(kErrBadPacket);
    }
    std::optional<ThreadSelector> thread;
    if (!thread_text.empty() || action.find(':') != std::string_view::npos) {
      thread = parse_thread(thread_text);
      if (!thread) return std::string(kErrBadPacket);
    }
    any_action = true;
    if ((kind == 's' || kind == 'S') && !step) {
      step = thread && thread->kind == ThreadSelector::Kind::kHart ? thread->hart : step_hart();
    }
  }
  if (!any_action) return std::string(kErrBadPacket);
  return run_until_stop(step, outcome);
}

std::string CommandHandler::run_until_stop(std::optional<unsigned> step, Outcome& outcome) {
  const StopEvent event = m_target.resume(step);
  m_last_stop = event;
  if (event.reason == StopEvent::Reason::kExited) {
    m_exit_code = event.exit_code;
    outcome = Outcome::kExited;
  } else if (event.hart < m_target.hart_count()) {
    // As other all-stop stubs do: the hart that stopped becomes the one
    // registers are read from, which is what gdb assumes after a stop reply.
    m_general_hart = event.hart;
  }
  return stop_reply(event);
}

std::string CommandHandler::stop_reply(const StopEvent& event) const {
  if (event.reason == StopEvent::Reason::kExited) {
    std::string reply = "W";
    reply += two_hex_digits(static_cast<unsigned>(event.exit_code));
    return reply;
  }
  std::string reply = "T";
  reply += two_hex_digits(event.reason == StopEvent::Reason::kInterrupt ? kSigInt : kSigTrap);
  if (event.reason == StopEvent::Reason::kWatchpoint) {
    reply += event.watch_kind == BreakpointKind::kReadWatch     ? "rwatch:"
             : event.watch_kind == BreakpointKind::kAccessWatch ? "awatch:"
                                                                : "watch:";
    reply += format_hex_u64(event.watch_addr);
    reply += ';';
  }
  const unsigned hart = event.hart < m_target.hart_count() ? event.hart : 0;
  reply += "thread:";
  reply += thread_id(hart);
  reply += ';';
  return reply;
}

std::optional<CommandHandler::ThreadSelector> CommandHandler::parse_thread(
    std::string_view text) const {
  // Multiprocess form "pPID.TID" (or "pPID": every thread of the process);
  // gdb does not send it as multiprocess is off, but it costs little.
  if (consume_prefix(text, "p")) {
    const auto pid_and_tid = split_once(text, '.');
    if (!pid_and_tid) {
      if (text != "-1" && !parse_hex_u64(text)) return std::nullopt;
      return ThreadSelector{ThreadSelector::Kind::kAll};
    }
    text = pid_and_tid->second;
  }
  if (text == "-1") return ThreadSelector{ThreadSelector::Kind::kAll};
  const auto id = parse_hex_u64(text);
  if (!id) return std::nullopt;
  if (*id == 0) return ThreadSelector{ThreadSelector::Kind::kAny};
  if (*id > m_target.hart_count()) return std::nullopt;
  return ThreadSelector{ThreadSelector::Kind::kHart, static_cast<unsigned>(*id - 1)};
}

std::string CommandHandler::thread_id(unsigned hart) const {
  return format_hex_u64(hart + 1ull);
}

unsigned CommandHandler::step_hart() const {
  return m_continue_hart.value_or(m_general_hart);
}

}  // namespace silica::gdb
