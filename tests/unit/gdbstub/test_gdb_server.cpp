// GdbServer end to end over a real loopback socket: the test plays gdb
// (RspTestClient), FakeTarget plays the machine, serve() runs on a thread.
#include "tools/gdbstub/gdb_server.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "tests/unit/gdbstub/fake_target.h"
#include "tests/unit/gdbstub/rsp_test_client.h"
#include "tools/gdbstub/rsp_codec.h"

namespace silica::gdb {
namespace {

using testing::FakeTarget;
using testing::RspTestClient;

constexpr uint64_t kBase = FakeTarget::kMemBase;

class GdbServerTest : public ::testing::Test {
 protected:
  void start(unsigned harts = 2, unsigned xlen = 64) {
    target = std::make_unique<FakeTarget>(harts, xlen);
    server = std::make_unique<GdbServer>(*target, "127.0.0.1", 0);
    target->hooks = server.get();
    thread = std::thread([this] { result = server->serve(); });
    client = std::make_unique<RspTestClient>(server->port());
  }

  // Waits for serve() to return (the client must have ended the session).
  ServeResult finish() {
    if (thread.joinable()) thread.join();
    return result;
  }

  void TearDown() override {
    if (client) client->close();
    if (thread.joinable()) thread.join();
  }

  std::string hex(std::string_view text) { return hex_encode(text); }

  std::unique_ptr<FakeTarget> target;
  std::unique_ptr<GdbServer> server;
  std::unique_ptr<RspTestClient> client;
  std::thread thread;
  ServeResult result;
};

// --- connection and handshake ---

TEST_F(GdbServerTest, AdvertisesFeaturesInQSupported) {
  start();
  const std::string reply =
      client->request("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386");
  EXPECT_EQ(reply,
            "PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;vContSupported+;"
            "multiprocess-");
  EXPECT_EQ(parse_hex_u64("4000"), kMaxPacketSize);
}

TEST_F(GdbServerTest, NoAckModeStopsAcknowledgements) {
  start();
  EXPECT_EQ(client->request("QStartNoAckMode"), "OK");
  client->set_no_ack(true);
  client->send_packet("?");
  EXPECT_EQ(client->read_packet(), "T05thread:1;");
  EXPECT_FALSE(client->ack_arrives(100));
  // Checksums are not checked either: nothing could ask for a retransmit.
  client->send_raw("$qC#00");
  EXPECT_EQ(client->read_packet(), "QC1");
  EXPECT_FALSE(client->ack_arrives(100));
}

TEST_F(GdbServerTest, BadChecksumIsNakedAndRetransmitAnswered) {
  start();
  client->send_raw("$qC#00");
  EXPECT_EQ(client->read_ack(), '-');
  EXPECT_EQ(client->request("qC"), "QC1");
}

TEST_F(GdbServerTest, NakMakesTheServerSendAgain) {
  start();
  client->send_packet("qC");
  EXPECT_EQ(client->read_ack(), '+');
  client->send_raw("-");     // pretend the reply arrived damaged
  client->set_no_ack(true);  // read both copies without acking the first
  EXPECT_EQ(client->read_packet(), "QC1");
  EXPECT_EQ(client->read_packet(), "QC1");
  client->set_no_ack(false);
  client->send_raw("+");
  EXPECT_EQ(client->request("qAttached"), "1");
}

TEST_F(GdbServerTest, OversizedPacketGetsAnErrorAndSessionGoesOn) {
  start();
  client->send_packet("X" + std::string(kMaxPacketSize + 100, 'a'));
  EXPECT_EQ(client->read_ack(), '+');
  EXPECT_EQ(client->read_packet(), "E01");
  EXPECT_EQ(client->request("qC"), "QC1");
}

TEST_F(GdbServerTest, UnknownPacketsGetTheEmptyReply) {
  start();
  for (const char* packet : {"qOffsets", "vMustReplyEmpty", "!", "qTStatus", "QNonStop:1", "Hs1",
                             "bc", "vFile:open:0,0,0", "qXfer:libraries:read::0,10"}) {
    EXPECT_EQ(client->request(packet), "") << packet;
  }
}

TEST_F(GdbServerTest, MalformedPacketsGetErrors) {
  start();
  for (const char* packet : {"m",
                             "mzz,4",
                             "m80000000",
                             "m80000000,",
                             "M80000000,2:zz",
                             "M80000000,2:00",
                             "M80000000,2",
                             "X80000000,2:a",
                             "X80000000,1:}",
                             "p",
                             "pzz",
                             "P",
                             "P1",
                             "P1=12",
                             "P1=zz00000000000000",
                             "G",
                             "G123",
                             "Z0",
                             "Z0,80000000",
                             "Zq,1,1",
                             "Hg",
                             "Hgzz",
                             "Hg99",
                             "T",
                             "Tzz",
                             "qThreadExtraInfo,",
                             "qXfer:features:read:target.xml",
                             "qXfer:features:read:target.xml:zz,10",
                             "qRcmd,zz",
                             "vCont;",
                             "vCont;x",
                             "vCont;s:",
                             "vCont;s:9",
                             "vCont;C",
                             "Cxx",
                             "czz",
                             "gq",
                             "m1,1,1"}) {
    const std::string reply = client->request(packet);
    ASSERT_FALSE(reply.empty()) << packet;
    EXPECT_EQ(reply[0], 'E') << packet << " -> " << reply;
  }
  EXPECT_EQ(client->request("qC"), "QC1");  // still alive
}

// --- threads ---

TEST_F(GdbServerTest, HartsAreThreads) {
  start(3);
  EXPECT_EQ(client->request("?"), "T05thread:1;");
  EXPECT_EQ(client->request("qfThreadInfo"), "m1,2,3");
  EXPECT_EQ(client->request("qsThreadInfo"), "l");
  EXPECT_EQ(client->request("qC"), "QC1");
  EXPECT_EQ(client->request("qAttached"), "1");
  EXPECT_EQ(client->request("qAttached:1"), "1");
  EXPECT_EQ(client->request("T1"), "OK");
  EXPECT_EQ(client->request("T3"), "OK");
  EXPECT_EQ(client->request("T4"), "E01");
  EXPECT_EQ(client->request("qThreadExtraInfo,2"), hex("hart 1"));
  EXPECT_EQ(client->request("Hg2"), "OK");
  EXPECT_EQ(client->request("qC"), "QC2");
  EXPECT_EQ(client->request("Hg0"), "OK");  // any: keeps the choice
  EXPECT_EQ(client->request("qC"), "QC2");
  EXPECT_EQ(client->request("Hgp1.3"), "OK");  // multiprocess form
  EXPECT_EQ(client->request("qC"), "QC3");
  EXPECT_EQ(client->request("Hc-1"), "OK");
}

TEST_F(GdbServerTest, ManyHartsArePaged) {
  start(300);
  std::string all = client->request("qfThreadInfo");
  for (int i = 0; i < 5 && all.back() != 'l'; ++i) {
    const std::string more = client->request("qsThreadInfo");
    if (more == "l") break;
    ASSERT_EQ(more[0], 'm');
    all += ',';
    all += more.substr(1);
  }
  EXPECT_EQ(all.substr(0, 7), "m1,2,3,");
  EXPECT_NE(all.find(",12c"), std::string::npos);  // thread 300
  EXPECT_EQ(std::count(all.begin(), all.end(), ','), 299);
}

// --- registers ---

TEST_F(GdbServerTest, ReadsAllRegisters) {
  start();
  target->regs[0][1] = 0x1122334455667788;
  const std::string regs = client->request("g");
  ASSERT_EQ(regs.size(), 33u * 16);
  EXPECT_EQ(regs.substr(0, 16), "0000000000000000");     // x0
  EXPECT_EQ(regs.substr(16, 16), "8877665544332211");    // x1, little endian
  EXPECT_EQ(regs.substr(32 * 16), encode_le(kBase, 8));  // pc
}

TEST_F(GdbServerTest, ReadsRegistersOfTheSelectedHart) {
  start();
  EXPECT_EQ(client->request("pa"), encode_le(0, 8));  // a0 = hart id
  EXPECT_EQ(client->request("Hg2"), "OK");
  EXPECT_EQ(client->request("pa"), encode_le(1, 8));
}

TEST_F(GdbServerTest, WritesOneRegister) {
  start();
  EXPECT_EQ(client->request("P5=efbeadde00000000"), "OK");
  EXPECT_EQ(target->regs[0][5], 0xdeadbeefu);
  EXPECT_EQ(client->request("p5"), "efbeadde00000000");
  EXPECT_EQ(client->request("P20=0000000801000000"), "OK");  // pc
  EXPECT_EQ(target->regs[0][32], 0x108000000u);
}

TEST_F(GdbServerTest, WritesAllRegisters) {
  start();
  std::string block;
  for (unsigned r = 0; r < 33; ++r) block += encode_le(0x1000 + r, 8);
  EXPECT_EQ(client->request("G" + block), "OK");
  EXPECT_EQ(target->regs[0][7], 0x1007u);
  EXPECT_EQ(target->regs[0][32], 0x1020u);
  EXPECT_EQ(target->regs[1][7], 0u);  // the other hart is untouched
  EXPECT_EQ(client->request("G" + block + "00"), "E01");
}

TEST_F(GdbServerTest, CsrsAndMissingRegisters) {
  start();
  EXPECT_EQ(client->request("p341"), encode_le(0x1800, 8));  // mstatus = 65 + 0x300
  EXPECT_EQ(client->request("P341=0800000000000000"), "OK");
  EXPECT_EQ(target->csrs[FakeTarget::kMstatus], 8u);
  EXPECT_EQ(client->request("p1000"), std::string(16, 'x'));  // unavailable
  EXPECT_EQ(client->request("P1000=0000000000000000"), "E02");
}

TEST_F(GdbServerTest, Rv32RegistersAreFourBytes) {
  start(1, 32);
  const std::string regs = client->request("g");
  ASSERT_EQ(regs.size(), 33u * 8);
  EXPECT_EQ(regs.substr(32 * 8), "00000080");
  EXPECT_EQ(client->request("P1=78563412"), "OK");
  EXPECT_EQ(target->regs[0][1], 0x12345678u);
  EXPECT_EQ(client->request("P1=7856341200000000"), "E01");
}

// --- memory ---

TEST_F(GdbServerTest, ReadsMemory) {
  start();
  std::string expected;
  for (int i = 0; i < 8; ++i) expected += static_cast<char>(static_cast<uint8_t>(i * 7));
  EXPECT_EQ(client->request("m80000000,8"), hex(expected));
  EXPECT_EQ(client->request("m70000000,4"), "E02");  // unmapped
  // A read that runs off the end returns what exists.
  EXPECT_EQ(client->request("m8000fffe,4").size(), 4u);
}

TEST_F(GdbServerTest, LongReadsAreCappedToThePacketSize) {
  start();
  const std::string reply = client->request("m80000000,10000");
  EXPECT_EQ(reply.size(), kMaxPacketSize);
}

TEST_F(GdbServerTest, WritesMemoryInHex) {
  start();
  EXPECT_EQ(client->request("M80000010,4:deadbeef"), "OK");
  EXPECT_EQ(target->memory[0x10], 0xde);
  EXPECT_EQ(target->memory[0x13], 0xef);
  EXPECT_EQ(client->request("m80000010,4"), "deadbeef");
  EXPECT_EQ(client->request("M70000000,1:00"), "E02");
}

TEST_F(GdbServerTest, WritesBinaryMemoryWithEscapes) {
  start();
  EXPECT_EQ(client->request("X80000000,0:"), "OK");  // gdb's probe
  const std::string data = std::string("#$}*\x03:,", 7) + '\0';
  EXPECT_EQ(client->request("X80000020,8:" + escape_binary(data)), "OK");
  EXPECT_EQ(client->request("m80000020,8"), hex(data));
}

// --- breakpoints, resuming, stop replies ---

TEST_F(GdbServerTest, BreakpointStopsContinue) {
  start();
  EXPECT_EQ(client->request("Z0,80000010,4"), "OK");
  ASSERT_EQ(target->breakpoints.size(), 1u);
  EXPECT_EQ(target->breakpoints[0].kind, BreakpointKind::kSoftware);
  EXPECT_EQ(client->request("vCont;c"), "T05thread:1;");
  EXPECT_EQ(target->regs[0][32], kBase + 0x10);
  EXPECT_EQ(client->request("z0,80000010,4"), "OK");
  EXPECT_TRUE(target->breakpoints.empty());
  EXPECT_EQ(client->request("z0,80000010,4"), "E02");  // not there any more
}

TEST_F(GdbServerTest, AllBreakpointKindsReachTheTarget) {
  start();
  EXPECT_EQ(client->request("Z1,80000000,2"), "OK");
  EXPECT_EQ(client->request("Z2,80001000,8"), "OK");
  EXPECT_EQ(client->request("Z3,80001008,4"), "OK");
  EXPECT_EQ(client->request("Z4,80001010,1;X2,ab"), "OK");  // conditions are ignored
  ASSERT_EQ(target->breakpoints.size(), 4u);
  EXPECT_EQ(target->breakpoints[1].kind, BreakpointKind::kWriteWatch);
  EXPECT_EQ(target->breakpoints[1].length, 8u);
  EXPECT_EQ(target->breakpoints[3].kind, BreakpointKind::kAccessWatch);
  EXPECT_EQ(client->request("Z5,80000000,4"), "");  // no such kind
  target->accept_watchpoints = false;
  EXPECT_EQ(client->request("Z2,80002000,4"), "E02");
}

TEST_F(GdbServerTest, WatchpointStopReplies) {
  start();
  StopEvent write_hit;
  write_hit.reason = StopEvent::Reason::kWatchpoint;
  write_hit.watch_kind = BreakpointKind::kWriteWatch;
  write_hit.watch_addr = 0x80001000;
  StopEvent read_hit = write_hit;
  read_hit.watch_kind = BreakpointKind::kReadWatch;
  read_hit.hart = 1;
  StopEvent access_hit = write_hit;
  access_hit.watch_kind = BreakpointKind::kAccessWatch;
  target->scripted = {write_hit, read_hit, access_hit};
  EXPECT_EQ(client->request("c"), "T05watch:80001000;thread:1;");
  EXPECT_EQ(client->request("c"), "T05rwatch:80001000;thread:2;");
  EXPECT_EQ(client->request("qC"), "QC2");  // the stopping hart is now current
  EXPECT_EQ(client->request("c"), "T05awatch:80001000;thread:1;");
}

TEST_F(GdbServerTest, StepsOneHart) {
  start();
  EXPECT_EQ(client->request("vCont?"), "vCont;c;C;s;S");
  EXPECT_EQ(client->request("vCont;s:2"), "T05thread:2;");
  ASSERT_EQ(target->resumes.size(), 1u);
  EXPECT_EQ(target->resumes[0], 1u);
  EXPECT_EQ(target->regs[1][32], kBase + 4);
  EXPECT_EQ(target->regs[0][32], kBase);
  EXPECT_EQ(client->request("vCont;s:1;c"), "T05thread:1;");
  EXPECT_EQ(target->resumes[1], 0u);
  EXPECT_EQ(client->request("vCont;c;s:2"), "T05thread:2;");  // the step wins in all-stop
  EXPECT_EQ(target->resumes[2], 1u);
  EXPECT_EQ(client->request("vCont;S05:1"), "T05thread:1;");
  EXPECT_EQ(target->resumes[3], 0u);
}

TEST_F(GdbServerTest, LegacyStepAndContinue) {
  start();
  EXPECT_EQ(client->request("Hc2"), "OK");
  EXPECT_EQ(client->request("s"), "T05thread:2;");
  EXPECT_EQ(target->resumes.back(), 1u);
  EXPECT_EQ(client->request("Hc-1"), "OK");
  EXPECT_EQ(client->request("Hg1"), "OK");
  EXPECT_EQ(client->request("s80000100"), "T05thread:1;");  // step from a new pc
  EXPECT_EQ(target->regs[0][32], kBase + 0x104);
  EXPECT_EQ(client->request("S05"), "T05thread:1;");
  target->exit_pc = kBase + 0x200;
  EXPECT_EQ(client->request("C05;80000100"), "W00");
}

TEST_F(GdbServerTest, CtrlCInterruptsARunningTarget) {
  start();
  client->send_packet("vCont;c");
  EXPECT_EQ(client->read_ack(), '+');
  EXPECT_FALSE(client->ack_arrives(100));  // it is running
  client->send_raw("\x03");
  EXPECT_EQ(client->read_packet(), "T02thread:1;");
  // The session goes on; a later continue is not stopped by the old Ctrl-C.
  target->exit_pc = target->regs[0][32] + 0x40;
  target->exit_code = 3;
  EXPECT_EQ(client->request("c"), "W03");
  EXPECT_EQ(finish().end, ServeResult::End::kExited);
  EXPECT_EQ(result.exit_code, 3);
}

TEST_F(GdbServerTest, CtrlCWhileStoppedIsIgnored) {
  start();
  client->send_raw("\x03");
  EXPECT_EQ(client->request("?"), "T05thread:1;");
  target->exit_pc = kBase + 0x40;
  EXPECT_EQ(client->request("c"), "W00");
}

TEST_F(GdbServerTest, CtrlCRightAfterContinueIsNotLost) {
  start();
  target->run_budget = 100000;  // would run ~5 s without the Ctrl-C
  client->send_raw(frame_packet("c") + "\x03");
  EXPECT_EQ(client->read_ack(), '+');
  EXPECT_EQ(client->read_packet(), "T02thread:1;");
}

TEST_F(GdbServerTest, ExitEndsTheSession) {
  start();
  target->exit_pc = kBase + 0x20;
  target->exit_code = 0x105;  // W carries the low 8 bits
  EXPECT_EQ(client->request("vCont;c"), "W05");
  EXPECT_TRUE(client->wait_closed());
  const ServeResult end = finish();
  EXPECT_EQ(end.end, ServeResult::End::kExited);
  EXPECT_EQ(end.exit_code, 0x105);
}

TEST_F(GdbServerTest, DetachRemovesBreakpointsAndEnds) {
  start();
  EXPECT_EQ(client->request("Z0,80000010,4"), "OK");
  EXPECT_EQ(client->request("Z2,80001000,4"), "OK");
  EXPECT_EQ(client->request("D"), "OK");
  EXPECT_TRUE(client->wait_closed());
  EXPECT_EQ(finish().end, ServeResult::End::kDetached);
  EXPECT_TRUE(target->breakpoints.empty());
}

TEST_F(GdbServerTest, KillEndsTheSessionWithoutReply) {
  start();
  client->send_packet("k");
  EXPECT_EQ(client->read_ack(), '+');
  EXPECT_TRUE(client->wait_closed());
  EXPECT_EQ(finish().end, ServeResult::End::kKilled);
}

TEST_F(GdbServerTest, VKillIsAcknowledged) {
  start();
  EXPECT_EQ(client->request("vKill;1"), "OK");
  EXPECT_EQ(finish().end, ServeResult::End::kKilled);
}

TEST_F(GdbServerTest, DisconnectWhileStoppedCleansUp) {
  start();
  EXPECT_EQ(client->request("Z0,80000010,4"), "OK");
  client->close();
  EXPECT_EQ(finish().end, ServeResult::End::kDisconnected);
  EXPECT_TRUE(target->breakpoints.empty());
}

TEST_F(GdbServerTest, DisconnectWhileRunningStopsAndCleansUp) {
  start();
  EXPECT_EQ(client->request("Z0,90000000,4"), "OK");  // never reached
  client->send_packet("c");
  EXPECT_EQ(client->read_ack(), '+');
  client->close();
  EXPECT_EQ(finish().end, ServeResult::End::kDisconnected);
  EXPECT_TRUE(target->breakpoints.empty());
}

TEST_F(GdbServerTest, DisconnectInsideAPacketEndsCleanly) {
  start();
  client->send_raw("$m80000000,");
  client->close();
  EXPECT_EQ(finish().end, ServeResult::End::kDisconnected);
}

// --- target description and monitor ---

TEST_F(GdbServerTest, TargetXmlIsServedInChunks) {
  start();
  // Longer than a packet, and full of bytes that need escaping.
  std::string xml = "<?xml version=\"1.0\"?>\n<target>";
  while (xml.size() < 3 * kMaxPacketSize) xml += "<!-- #$}* -->abcdefghijklmnopqrstuvwxyz\n";
  xml += "</target>\n";
  target->xml = xml;

  std::string received;
  for (int round = 0; round < 100; ++round) {
    const std::string reply = client->request(
        "qXfer:features:read:target.xml:" + format_hex_u64(received.size()) + ",ffb");
    ASSERT_FALSE(reply.empty());
    ASSERT_TRUE(reply[0] == 'm' || reply[0] == 'l') << reply.substr(0, 20);
    const auto data = unescape_binary(std::string_view(reply).substr(1));
    ASSERT_TRUE(data.has_value());
    EXPECT_LE(data->size(), 0xffbu);
    received += *data;
    if (reply[0] == 'l') break;
  }
  EXPECT_EQ(received, xml);
  EXPECT_EQ(client->request("qXfer:features:read:target.xml:" + format_hex_u64(xml.size()) + ",10"),
            "l");
}

TEST_F(GdbServerTest, OneXmlReplyFitsInAPacket) {
  start();
  target->xml = std::string(3 * kMaxPacketSize, '#');  // every byte doubles when escaped
  const std::string reply = client->request("qXfer:features:read:target.xml:0,fffff");
  EXPECT_EQ(reply[0], 'm');
  EXPECT_LE(reply.size(), kMaxPacketSize);
}

TEST_F(GdbServerTest, UnknownAnnexIsAnError) {
  start();
  EXPECT_EQ(client->request("qXfer:features:read:other.xml:0,100"), "E00");
}

TEST_F(GdbServerTest, MonitorOutputComesInOPackets) {
  start();
  client->send_packet("qRcmd," + hex("help"));
  EXPECT_EQ(client->read_ack(), '+');
  EXPECT_EQ(client->read_packet(), "O" + hex("reset stats quit\n"));
  EXPECT_EQ(client->read_packet(), "OK");
  EXPECT_EQ(target->monitor_commands.back(), "help");
  EXPECT_EQ(client->request("qRcmd," + hex("silent")), "OK");
}

TEST_F(GdbServerTest, LongMonitorOutputIsSplit) {
  start();
  client->send_packet("qRcmd," + hex("big"));
  EXPECT_EQ(client->read_ack(), '+');
  std::string output;
  int packets = 0;
  while (true) {
    const std::string reply = client->read_packet();
    ASSERT_NE(reply, RspTestClient::kTimedOut);
    if (reply == "OK") break;
    ASSERT_EQ(reply[0], 'O');
    EXPECT_LE(reply.size(), kMaxPacketSize);
    output += hex_decode(std::string_view(reply).substr(1)).value();
    ++packets;
  }
  EXPECT_EQ(output, std::string(40000, 'z'));
  EXPECT_GT(packets, 1);
}

TEST_F(GdbServerTest, UnknownMonitorCommandIsAnError) {
  start();
  client->send_packet("qRcmd," + hex("frobnicate"));
  EXPECT_EQ(client->read_ack(), '+');
  const std::string message = client->read_packet();
  ASSERT_EQ(message[0], 'O');
  EXPECT_NE(hex_decode(message.substr(1)).value().find("frobnicate"), std::string::npos);
  EXPECT_EQ(client->read_packet(), "E01");
}

// --- listening ---

TEST(GdbServerListen, ReportsABusyPort) {
  FakeTarget target;
  GdbServer first(target, "127.0.0.1", 0);
  EXPECT_THROW(GdbServer(target, "127.0.0.1", first.port()), GdbServerError);
}

TEST(GdbServerListen, ReportsAnAddressItCannotBind) {
  FakeTarget target;
  // TEST-NET-1: never an address of this machine, and bind() fails at once
  // (a name lookup could wait on DNS).
  EXPECT_THROW(GdbServer(target, "192.0.2.1", 0), GdbServerError);
}

TEST(GdbServerListen, NamesWhatItBound) {
  FakeTarget target;
  GdbServer server(target, 0);
  EXPECT_NE(server.port(), 0);
  EXPECT_EQ(server.endpoint(), "127.0.0.1:" + std::to_string(server.port()));
}

TEST(GdbServerListen, PollOutsideASessionIsQuiet) {
  FakeTarget target;
  GdbServer server(target, 0);
  EXPECT_FALSE(server.poll_interrupt());
}

}  // namespace
}  // namespace silica::gdb
