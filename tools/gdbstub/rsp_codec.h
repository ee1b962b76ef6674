// The byte level of gdb's Remote Serial Protocol: packet framing
// ("$payload#cs"), checksums, acknowledgements, the binary escape ('}'),
// run-length expansion, and hex conversions. No sockets here: RspDecoder is
// fed whatever bytes arrived and hands back complete events, so the same
// code serves the live connection, the unit tests and the fuzzer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace silica::gdb {

// The largest packet payload (as it is on the wire, escapes included) the
// stub accepts; advertised to gdb as PacketSize in qSupported, so gdb never
// sends more. Larger input is discarded, never buffered.
inline constexpr size_t kMaxPacketSize = 0x4000;

// The byte gdb sends outside any packet to interrupt a running target.
inline constexpr uint8_t kInterruptByte = 0x03;

struct RspEvent {
  enum class Kind : uint8_t {
    kPacket,       // a well-formed packet; payload is its raw (still escaped) data
    kInterrupt,    // 0x03 outside a packet (Ctrl-C)
    kAck,          // '+'
    kNak,          // '-': the peer wants the last packet again
    kBadChecksum,  // a packet whose checksum did not match (answer with '-')
    kOversized,    // a packet longer than kMaxPacketSize; its data was dropped
  };
  Kind kind;
  std::string payload;

  bool operator==(const RspEvent&) const = default;
};

// Incremental packet decoder. Bytes between packets other than '+', '-' and
// 0x03 are line noise and ignored; a '$' inside a packet starts over (the
// sender gave up on the earlier packet). Memory use is bounded by
// kMaxPacketSize whatever the input.
class RspDecoder {
 public:
  // In no-ack mode the protocol lets the receiver ignore checksums; the
  // stub does, because without acks it could not ask for a retransmit.
  void set_verify_checksums(bool verify) { m_verify_checksums = verify; }

  // Consumes `len` bytes and appends any completed events to `out`.
  void feed(const uint8_t* data, size_t len, std::vector<RspEvent>& out);
  void feed(std::string_view bytes, std::vector<RspEvent>& out) {
    feed(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), out);
  }

  // True while a packet has started but not ended.
  bool in_packet() const { return m_state != State::kIdle; }

 private:
  enum class State : uint8_t { kIdle, kData, kChecksumHigh, kChecksumLow };
  void start_packet();

  State m_state = State::kIdle;
  std::string m_payload;
  uint8_t m_sum = 0;       // running checksum of the payload bytes
  uint8_t m_received = 0;  // the checksum as sent
  bool m_oversized = false;
  bool m_verify_checksums = true;
};

// Modulo-256 sum of the payload bytes.
uint8_t rsp_checksum(std::string_view payload);
// "$payload#cs". `payload` must already be escaped where it carries binary data.
std::string frame_packet(std::string_view payload);

// Binary data: '#', '$', '}' and '*' become '}' followed by the byte XOR 0x20
// ('*' too, so a receiver never mistakes it for a run-length marker).
std::string escape_binary(std::string_view data);
// The reverse; nullopt when the data ends in a lone '}'.
std::optional<std::string> unescape_binary(std::string_view data);

// Expands run-length encoding ("X*n": X repeated n-29 more times), which
// stubs may use in replies; a client-side helper. nullopt when malformed or
// when the result would exceed `max_size`.
std::optional<std::string> expand_run_length(std::string_view data,
                                             size_t max_size = kMaxPacketSize * 4);

// Hex helpers. Digits are lowercase on output and either case on input.
int hex_digit_value(char c);  // -1 when not a hex digit
std::string hex_encode(const uint8_t* data, size_t len);
std::string hex_encode(std::string_view bytes);
// nullopt on odd length or a non-hex digit.
std::optional<std::string> hex_decode(std::string_view hex);
// A whole field of hex digits whose value fits in 64 bits; nullopt otherwise.
std::optional<uint64_t> parse_hex_u64(std::string_view hex);
// Minimal digits ("0" for zero), as gdb writes addresses and thread ids.
std::string format_hex_u64(uint64_t value);
// Register values travel in target byte order: `bytes` bytes, little endian.
std::string encode_le(uint64_t value, unsigned bytes);
// nullopt unless `hex` is exactly 2*bytes hex digits (bytes <= 8).
std::optional<uint64_t> decode_le(std::string_view hex, unsigned bytes);

}  // namespace silica::gdb
