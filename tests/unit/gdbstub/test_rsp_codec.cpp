// The RSP byte level: framing, checksums, acks, escapes, run-length
// expansion, hex helpers and the bound on packet size.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tools/gdbstub/rsp_codec.h"

namespace silica::gdb {
namespace {

using Kind = RspEvent::Kind;

std::vector<RspEvent> decode(RspDecoder& decoder, std::string_view bytes) {
  std::vector<RspEvent> events;
  decoder.feed(bytes, events);
  return events;
}

std::vector<RspEvent> decode(std::string_view bytes) {
  RspDecoder decoder;
  return decode(decoder, bytes);
}

TEST(RspCodec, ChecksumIsModulo256Sum) {
  EXPECT_EQ(rsp_checksum(""), 0);
  EXPECT_EQ(rsp_checksum("OK"), 0x9a);
  EXPECT_EQ(rsp_checksum(std::string(300, '\xff')), static_cast<uint8_t>(300 * 0xff));
}

TEST(RspCodec, FramesPackets) {
  EXPECT_EQ(frame_packet("OK"), "$OK#9a");
  EXPECT_EQ(frame_packet(""), "$#00");
  EXPECT_EQ(frame_packet("qSupported"), "$qSupported#37");
}

TEST(RspCodec, DecodesOnePacket) {
  const auto events = decode("$g#67");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], (RspEvent{Kind::kPacket, "g"}));
}

TEST(RspCodec, AcceptsUppercaseChecksumDigits) {
  const auto events = decode("$OK#9A");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kPacket);
}

TEST(RspCodec, DecodesByteByByte) {
  RspDecoder decoder;
  const std::string wire = frame_packet("m80000000,4") + "+" + frame_packet("c");
  std::vector<RspEvent> events;
  for (char c : wire) decoder.feed(std::string_view(&c, 1), events);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0], (RspEvent{Kind::kPacket, "m80000000,4"}));
  EXPECT_EQ(events[1].kind, Kind::kAck);
  EXPECT_EQ(events[2], (RspEvent{Kind::kPacket, "c"}));
}

TEST(RspCodec, ReportsAcksNaksAndInterrupts) {
  const auto events = decode("+-\x03");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kind, Kind::kAck);
  EXPECT_EQ(events[1].kind, Kind::kNak);
  EXPECT_EQ(events[2].kind, Kind::kInterrupt);
}

TEST(RspCodec, InterruptByteInsidePacketIsData) {
  // Binary X data may carry 0x03 unescaped; only outside a packet is it Ctrl-C.
  const std::string payload = std::string("X80000000,1:") + '\x03';
  const auto events = decode(frame_packet(payload));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], (RspEvent{Kind::kPacket, payload}));
}

TEST(RspCodec, IgnoresNoiseBetweenPackets) {
  const auto events = decode("garbage\r\n" + frame_packet("?") + "xyz");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], (RspEvent{Kind::kPacket, "?"}));
}

TEST(RspCodec, BadChecksumIsReported) {
  const auto events = decode("$g#00");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kBadChecksum);
  EXPECT_TRUE(events[0].payload.empty());
}

TEST(RspCodec, NonHexChecksumIsReportedAndResyncs) {
  const auto events = decode("$g#z" + frame_packet("?"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::kBadChecksum);
  EXPECT_EQ(events[1], (RspEvent{Kind::kPacket, "?"}));
}

TEST(RspCodec, DollarInsidePacketStartsOver) {
  const auto events = decode("$gar" + frame_packet("s"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], (RspEvent{Kind::kPacket, "s"}));
}

TEST(RspCodec, ChecksumsCanBeIgnoredInNoAckMode) {
  RspDecoder decoder;
  decoder.set_verify_checksums(false);
  const auto events = decode(decoder, "$g#00");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], (RspEvent{Kind::kPacket, "g"}));
}

TEST(RspCodec, RetransmittedPacketDecodesAfterBadOne) {
  RspDecoder decoder;
  auto events = decode(decoder, "$m0,4#00");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kBadChecksum);
  events = decode(decoder, frame_packet("m0,4"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], (RspEvent{Kind::kPacket, "m0,4"}));
}

TEST(RspCodec, PacketOfExactlyMaxSizeIsAccepted) {
  const std::string payload(kMaxPacketSize, 'a');
  const auto events = decode(frame_packet(payload));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kPacket);
  EXPECT_EQ(events[0].payload.size(), kMaxPacketSize);
}

TEST(RspCodec, OversizedPacketIsDroppedAndReported) {
  RspDecoder decoder;
  const std::string payload(kMaxPacketSize + 1, 'a');
  auto events = decode(decoder, frame_packet(payload));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kOversized);
  EXPECT_TRUE(events[0].payload.empty());
  // The decoder is back in step for the next packet.
  events = decode(decoder, frame_packet("?"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], (RspEvent{Kind::kPacket, "?"}));
}

TEST(RspCodec, EndlessPacketDoesNotGrowMemory) {
  RspDecoder decoder;
  std::vector<RspEvent> events;
  const std::string chunk(64 * 1024, 'x');
  decoder.feed("$", events);
  for (int i = 0; i < 64; ++i) decoder.feed(chunk, events);  // 4 MiB, never terminated
  EXPECT_TRUE(events.empty());
  EXPECT_TRUE(decoder.in_packet());
  decoder.feed("#00", events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kOversized);
}

TEST(RspCodec, EscapesBinaryData) {
  const std::string data = std::string("a#b$c}d*e") + '\0';
  const std::string escaped = escape_binary(data);
  EXPECT_EQ(escaped, std::string("a}\x03"
                                 "b}\x04"
                                 "c}]d}\x0a"
                                 "e") +
                         '\0');
  EXPECT_EQ(escaped.find_first_of("#$*"), std::string::npos);
  EXPECT_EQ(unescape_binary(escaped), data);
}

TEST(RspCodec, UnescapeRejectsTrailingEscape) {
  EXPECT_FALSE(unescape_binary("abc}").has_value());
  EXPECT_EQ(unescape_binary(""), "");
}

TEST(RspCodec, EscapeRoundTripsEveryByte) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  EXPECT_EQ(unescape_binary(escape_binary(all)), all);
}

TEST(RspCodec, ExpandsRunLengthEncoding) {
  // "0* " is 0 plus 3 more (' ' is 32 = 3 + 29).
  EXPECT_EQ(expand_run_length("0* "), "0000");
  EXPECT_EQ(expand_run_length("ab*\"c"), "abbbbbbc");
  EXPECT_EQ(expand_run_length("plain"), "plain");
}

TEST(RspCodec, RejectsMalformedOrHugeRunLength) {
  EXPECT_FALSE(expand_run_length("* ").has_value());  // nothing to repeat
  EXPECT_FALSE(expand_run_length("0*").has_value());  // no count
  EXPECT_FALSE(expand_run_length("0*\x7f").has_value());
  EXPECT_FALSE(expand_run_length("0*~0*~0*~", 100).has_value());
}

TEST(RspCodec, HexEncodesAndDecodes) {
  EXPECT_EQ(hex_encode(std::string_view("\x01\xab\xff", 3)), "01abff");
  EXPECT_EQ(hex_decode("01ABff"), std::string("\x01\xab\xff", 3));
  EXPECT_FALSE(hex_decode("abc").has_value());
  EXPECT_FALSE(hex_decode("zz").has_value());
  EXPECT_EQ(hex_decode(""), "");
}

TEST(RspCodec, ParsesHexNumbers) {
  EXPECT_EQ(parse_hex_u64("0"), 0u);
  EXPECT_EQ(parse_hex_u64("80000000"), 0x80000000u);
  EXPECT_EQ(parse_hex_u64("FFFFFFFFFFFFFFFF"), UINT64_MAX);
  EXPECT_EQ(parse_hex_u64("0000000000000000001"), 1u);           // leading zeros are fine
  EXPECT_FALSE(parse_hex_u64("10000000000000000").has_value());  // 65 bits
  EXPECT_FALSE(parse_hex_u64("").has_value());
  EXPECT_FALSE(parse_hex_u64("12g").has_value());
  EXPECT_FALSE(parse_hex_u64("-1").has_value());
}

TEST(RspCodec, FormatsHexNumbers) {
  EXPECT_EQ(format_hex_u64(0), "0");
  EXPECT_EQ(format_hex_u64(0x1f), "1f");
  EXPECT_EQ(format_hex_u64(UINT64_MAX), "ffffffffffffffff");
}

TEST(RspCodec, RegisterValuesAreLittleEndian) {
  EXPECT_EQ(encode_le(0x80000000, 8), "0000008000000000");
  EXPECT_EQ(encode_le(0x12345678, 4), "78563412");
  EXPECT_EQ(decode_le("0000008000000000", 8), 0x80000000u);
  EXPECT_EQ(decode_le("78563412", 4), 0x12345678u);
  EXPECT_FALSE(decode_le("785634", 4).has_value());
  EXPECT_FALSE(decode_le("7856341g", 4).has_value());
  EXPECT_FALSE(decode_le("", 0).has_value());
}

}  // namespace
}  // namespace silica::gdb
