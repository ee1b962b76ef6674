#include "tools/gdbstub/rsp_codec.h"

namespace silica::gdb {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr uint8_t kEscape = '}';
constexpr uint8_t kEscapeXor = 0x20;
// Run-length counts are sent as count + 29 so they stay printable.
constexpr int kRunLengthBias = 29;
constexpr int kMaxRunLengthChar = 126;

bool needs_escape(uint8_t c) {
  return c == '#' || c == '$' || c == '}' || c == '*';
}

}  // namespace

void RspDecoder::start_packet() {
  m_state = State::kData;
  m_payload.clear();
  m_sum = 0;
  m_oversized = false;
}

void RspDecoder::feed(const uint8_t* data, size_t len, std::vector<RspEvent>& out) {
  for (size_t i = 0; i < len; ++i) {
    const uint8_t c = data[i];
    switch (m_state) {
      case State::kIdle:
        if (c == '$') {
          start_packet();
        } else if (c == kInterruptByte) {
          out.push_back({RspEvent::Kind::kInterrupt, {}});
        } else if (c == '+') {
          out.push_back({RspEvent::Kind::kAck, {}});
        } else if (c == '-') {
          out.push_back({RspEvent::Kind::kNak, {}});
        }
        break;
      case State::kData:
        if (c == '#') {
          m_state = State::kChecksumHigh;
        } else if (c == '$') {
          start_packet();
        } else {
          m_sum = static_cast<uint8_t>(m_sum + c);
          if (m_payload.size() < kMaxPacketSize) {
            m_payload.push_back(static_cast<char>(c));
          } else {
            m_oversized = true;
          }
        }
        break;
      case State::kChecksumHigh:
      case State::kChecksumLow: {
        const int digit = hex_digit_value(static_cast<char>(c));
        if (digit < 0) {
          // Not a checksum at all: report it like a corrupted packet, and
          // let a '$' here begin the next one.
          out.push_back({RspEvent::Kind::kBadChecksum, {}});
          m_payload.clear();
          m_state = State::kIdle;
          if (c == '$') start_packet();
          break;
        }
        if (m_state == State::kChecksumHigh) {
          m_received = static_cast<uint8_t>(digit << 4);
          m_state = State::kChecksumLow;
          break;
        }
        m_received = static_cast<uint8_t>(m_received | digit);
        m_state = State::kIdle;
        if (m_oversized) {
          out.push_back({RspEvent::Kind::kOversized, {}});
        } else if (m_verify_checksums && m_received != m_sum) {
          out.push_back({RspEvent::Kind::kBadChecksum, {}});
        } else {
          out.push_back({RspEvent::Kind::kPacket, std::move(m_payload)});
        }
        m_payload.clear();
        break;
      }
    }
  }
}

uint8_t rsp_checksum(std::string_view payload) {
  uint8_t sum = 0;
  for (char c : payload) sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(c));
  return sum;
}

std::string frame_packet(std::string_view payload) {
  const uint8_t sum = rsp_checksum(payload);
  std::string framed;
  framed.reserve(payload.size() + 4);
  framed.push_back('$');
  framed.append(payload);
  framed.push_back('#');
  framed.push_back(kHexDigits[sum >> 4]);
  framed.push_back(kHexDigits[sum & 0xf]);
  return framed;
}

std::string escape_binary(std::string_view data) {
  std::string escaped;
  escaped.reserve(data.size());
  for (char ch : data) {
    const auto c = static_cast<uint8_t>(ch);
    if (needs_escape(c)) {
      escaped.push_back(static_cast<char>(kEscape));
      escaped.push_back(static_cast<char>(c ^ kEscapeXor));
    } else {
      escaped.push_back(ch);
    }
  }
  return escaped;
}

std::optional<std::string> unescape_binary(std::string_view data) {
  std::string plain;
  plain.reserve(data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    const auto c = static_cast<uint8_t>(data[i]);
    if (c != kEscape) {
      plain.push_back(data[i]);
      continue;
    }
    if (++i == data.size()) return std::nullopt;
    plain.push_back(static_cast<char>(static_cast<uint8_t>(data[i]) ^ kEscapeXor));
  }
  return plain;
}

std::optional<std::string> expand_run_length(std::string_view data, size_t max_size) {
  std::string expanded;
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] != '*') {
      if (expanded.size() >= max_size) return std::nullopt;
      expanded.push_back(data[i]);
      continue;
    }
    // "*" must follow the character it repeats and be followed by a count.
    if (expanded.empty() || i + 1 >= data.size()) return std::nullopt;
    const int count_char = static_cast<uint8_t>(data[++i]);
    if (count_char < kRunLengthBias || count_char > kMaxRunLengthChar) return std::nullopt;
    const size_t repeats = static_cast<size_t>(count_char - kRunLengthBias);
    if (expanded.size() + repeats > max_size) return std::nullopt;
    expanded.append(repeats, expanded.back());
  }
  return expanded;
}

int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string hex_encode(const uint8_t* data, size_t len) {
  std::string hex;
  hex.reserve(len * 2);
  for (size_t i = 0; i < len; ++i) {
    hex.push_back(kHexDigits[data[i] >> 4]);
    hex.push_back(kHexDigits[data[i] & 0xf]);
  }
  return hex;
}

std::string hex_encode(std::string_view bytes) {
  return hex_encode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

std::optional<std::string> hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string bytes;
  bytes.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int high = hex_digit_value(hex[i]);
    const int low = hex_digit_value(hex[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes.push_back(static_cast<char>((high << 4) | low));
  }
  return bytes;
}

std::optional<uint64_t> parse_hex_u64(std::string_view hex) {
  if (hex.empty()) return std::nullopt;
  // Leading zeros are harmless however many there are; significant digits
  // beyond 16 would overflow.
  const size_t first = hex.find_first_not_of('0');
  if (first != std::string_view::npos && hex.size() - first > 16) return std::nullopt;
  uint64_t value = 0;
  for (char c : hex) {
    const int digit = hex_digit_value(c);
    if (digit < 0) return std::nullopt;
    value = (value << 4) | static_cast<uint64_t>(digit);
  }
  return value;
}

std::string format_hex_u64(uint64_t value) {
  std::string hex;
  do {
    hex.insert(hex.begin(), kHexDigits[value & 0xf]);
    value >>= 4;
  } while (value != 0);
  return hex;
}

std::string encode_le(uint64_t value, unsigned bytes) {
  uint8_t raw[8] = {};
  if (bytes > 8) bytes = 8;
  for (unsigned i = 0; i < bytes; ++i) raw[i] = static_cast<uint8_t>(value >> (8 * i));
  return hex_encode(raw, bytes);
}

std::optional<uint64_t> decode_le(std::string_view hex, unsigned bytes) {
  if (bytes == 0 || bytes > 8 || hex.size() != 2 * size_t{bytes}) return std::nullopt;
  const auto raw = hex_decode(hex);
  if (!raw) return std::nullopt;
  uint64_t value = 0;
  for (unsigned i = 0; i < bytes; ++i) {
    value |= static_cast<uint64_t>(static_cast<uint8_t>((*raw)[i])) << (8 * i);
  }
  return value;
}

}  // namespace silica::gdb
