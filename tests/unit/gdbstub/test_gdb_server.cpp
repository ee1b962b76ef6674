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
    m_target = std::make_unique<FakeTarget>(harts, xlen);
    m_server = std::make_unique<GdbServer>(*m_target, "127.0.0.1", 0);
    m_target->hooks = m_server.get();
    m_thread = std::thread([this] { m_result = m_server->serve(); });
    m_client = std::make_unique<RspTestClient>(m_server->port());
  }

  // Waits for serve() to return (the client must have ended the session).
  ServeResult finish() {
    if (m_thread.joinable()) m_thread.join();
    return m_result;
  }

  void TearDown() override {
    if (m_client) m_client->close();
    if (m_thread.joinable()) m_thread.join();
  }

  std::string hex(std::string_view text) { return hex_encode(text); }

  std::unique_ptr<FakeTarget> m_target;
  std::unique_ptr<GdbServer> m_server;
  std::unique_ptr<RspTestClient> m_client;
  std::thread m_thread;
  ServeResult m_result;
};

// --- connection and handshake ---

TEST_F(GdbServerTest, AdvertisesFeaturesInQSupported) {
  start();
  const std::string reply =
      m_client->request("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386");
  EXPECT_EQ(reply,
            "PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;vContSupported+;"
            "multiprocess-");
  EXPECT_EQ(parse_hex_u64("4000"), kMaxPacketSize);
}

TEST_F(GdbServerTest, NoAckModeStopsAcknowledgements) {
  start();
  EXPECT_EQ(m_client->request("QStartNoAckMode"), "OK");
  m_client->set_no_ack(true);
  m_client->send_packet("?");
  EXPECT_EQ(m_client->read_packet(), "T05thread:1;");
  EXPECT_FALSE(m_client->ack_arrives(100));
  // Checksums are not checked either: nothing could ask for a retransmit.
  m_client->send_raw("$qC#00");
  EXPECT_EQ(m_client->read_packet(), "QC1");
  EXPECT_FALSE(m_client->ack_arrives(100));
}

TEST_F(GdbServerTest, BadChecksumIsNakedAndRetransmitAnswered) {
  start();
  m_client->send_raw("$qC#00");
  EXPECT_EQ(m_client->read_ack(), '-');
  EXPECT_EQ(m_client->request("qC"), "QC1");
}

TEST_F(GdbServerTest, NakMakesTheServerSendAgain) {
  start();
  m_client->send_packet("qC");
  EXPECT_EQ(m_client->read_ack(), '+');
  m_client->send_raw("-");     // pretend the reply arrived damaged
  m_client->set_no_ack(true);  // read both copies without acking the first
  EXPECT_EQ(m_client->read_packet(), "QC1");
  EXPECT_EQ(m_client->read_packet(), "QC1");
  m_client->set_no_ack(false);
  m_client->send_raw("+");
  EXPECT_EQ(m_client->request("qAttached"), "1");
}

TEST_F(GdbServerTest, OversizedPacketGetsAnErrorAndSessionGoesOn) {
  start();
  m_client->send_packet("X" + std::string(kMaxPacketSize + 100, 'a'));
  EXPECT_EQ(m_client->read_ack(), '+');
  EXPECT_EQ(m_client->read_packet(), "E01");
  EXPECT_EQ(m_client->request("qC"), "QC1");
}

TEST_F(GdbServerTest, UnknownPacketsGetTheEmptyReply) {
  start();
  for (const char* packet : {"qOffsets", "vMustReplyEmpty", "!", "qTStatus", "QNonStop:1", "Hs1",
                             "bc", "vFile:open:0,0,0", "qXfer:libraries:read::0,10"}) {
    EXPECT_EQ(m_client->request(packet), "") << packet;
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
    const std::string reply = m_client->request(packet);
    ASSERT_FALSE(reply.empty()) << packet;
    EXPECT_EQ(reply[0], 'E') << packet << " -> " << reply;
  }
  EXPECT_EQ(m_client->request("qC"), "QC1");  // still alive
}

// --- threads ---

TEST_F(GdbServerTest, HartsAreThreads) {
  start(3);
  EXPECT_EQ(m_client->request("?"), "T05thread:1;");
  EXPECT_EQ(m_client->request("qfThreadInfo"), "m1,2,3");
  EXPECT_EQ(m_client->request("qsThreadInfo"), "l");
  EXPECT_EQ(m_client->request("qC"), "QC1");
  EXPECT_EQ(m_client->request("qAttached"), "1");
  EXPECT_EQ(m_client->request("qAttached:1"), "1");
  EXPECT_EQ(m_client->request("T1"), "OK");
  EXPECT_EQ(m_client->request("T3"), "OK");
  EXPECT_EQ(m_client->request("T4"), "E01");
  EXPECT_EQ(m_client->request("qThreadExtraInfo,2"), hex("hart 1"));
  EXPECT_EQ(m_client->request("Hg2"), "OK");
  EXPECT_EQ(m_client->request("qC"), "QC2");
  EXPECT_EQ(m_client->request("Hg0"), "OK");  // any: keeps the choice
  EXPECT_EQ(m_client->request("qC"), "QC2");
  EXPECT_EQ(m_client->request("Hgp1.3"), "OK");  // multiprocess form
  EXPECT_EQ(m_client->request("qC"), "QC3");
  EXPECT_EQ(m_client->request("Hc-1"), "OK");
}

TEST_F(GdbServerTest, ManyHartsArePaged) {
  start(300);
  std::string all = m_client->request("qfThreadInfo");
  for (int i = 0; i < 5 && all.back() != 'l'; ++i) {
    const std::string more = m_client->request("qsThreadInfo");
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
  m_target->regs[0][1] = 0x1122334455667788;
  const std::string regs = m_client->request("g");
  ASSERT_EQ(regs.size(), 33u * 16);
  EXPECT_EQ(regs.substr(0, 16), "0000000000000000");     // x0
  EXPECT_EQ(regs.substr(16, 16), "8877665544332211");    // x1, little endian
  EXPECT_EQ(regs.substr(32 * 16), encode_le(kBase, 8));  // pc
}

TEST_F(GdbServerTest, ReadsRegistersOfTheSelectedHart) {
  start();
  EXPECT_EQ(m_client->request("pa"), encode_le(0, 8));  // a0 = hart id
  EXPECT_EQ(m_client->request("Hg2"), "OK");
  EXPECT_EQ(m_client->request("pa"), encode_le(1, 8));
}

TEST_F(GdbServerTest, WritesOneRegister) {
  start();
  EXPECT_EQ(m_client->request("P5=efbeadde00000000"), "OK");
  EXPECT_EQ(m_target->regs[0][5], 0xdeadbeefu);
  EXPECT_EQ(m_client->request("p5"), "efbeadde00000000");
  EXPECT_EQ(m_client->request("P20=0000000801000000"), "OK");  // pc
  EXPECT_EQ(m_target->regs[0][32], 0x108000000u);
}

TEST_F(GdbServerTest, WritesAllRegisters) {
  start();
  std::string block;
  for (unsigned r = 0; r < 33; ++r) block += encode_le(0x1000 + r, 8);
  EXPECT_EQ(m_client->request("G" + block), "OK");
  EXPECT_EQ(m_target->regs[0][7], 0x1007u);
  EXPECT_EQ(m_target->regs[0][32], 0x1020u);
  EXPECT_EQ(m_target->regs[1][7], 0u);  // the other hart is untouched
  EXPECT_EQ(m_client->request("G" + block + "00"), "E01");
}

TEST_F(GdbServerTest, CsrsAndMissingRegisters) {
  start();
  EXPECT_EQ(m_client->request("p341"), encode_le(0x1800, 8));  // mstatus = 65 + 0x300
  EXPECT_EQ(m_client->request("P341=0800000000000000"), "OK");
  EXPECT_EQ(m_target->csrs[FakeTarget::kMstatus], 8u);
  EXPECT_EQ(m_client->request("p1000"), std::string(16, 'x'));  // unavailable
  EXPECT_EQ(m_client->request("P1000=0000000000000000"), "E02");
}

TEST_F(GdbServerTest, Rv32RegistersAreFourBytes) {
  start(1, 32);
  const std::string regs = m_client->request("g");
  ASSERT_EQ(regs.size(), 33u * 8);
  EXPECT_EQ(regs.substr(32 * 8), "00000080");
  EXPECT_EQ(m_client->request("P1=78563412"), "OK");
  EXPECT_EQ(m_target->regs[0][1], 0x12345678u);
  EXPECT_EQ(m_client->request("P1=7856341200000000"), "E01");
}

// --- memory ---

TEST_F(GdbServerTest, ReadsMemory) {
  start();
  std::string expected;
  for (int i = 0; i < 8; ++i) expected += static_cast<char>(static_cast<uint8_t>(i * 7));
  EXPECT_EQ(m_client->request("m80000000,8"), hex(expected));
  EXPECT_EQ(m_client->request("m70000000,4"), "E02");  // unmapped
  // A read that runs off the end returns what exists.
  EXPECT_EQ(m_client->request("m8000fffe,4").size(), 4u);
}

TEST_F(GdbServerTest, LongReadsAreCappedToThePacketSize) {
  start();
  const std::string reply = m_client->request("m80000000,10000");
  EXPECT_EQ(reply.size(), kMaxPacketSize);
}

TEST_F(GdbServerTest, WritesMemoryInHex) {
  start();
  EXPECT_EQ(m_client->request("M80000010,4:deadbeef"), "OK");
  EXPECT_EQ(m_target->memory[0x10], 0xde);
  EXPECT_EQ(m_target->memory[0x13], 0xef);
  EXPECT_EQ(m_client->request("m80000010,4"), "deadbeef");
  EXPECT_EQ(m_client->request("M70000000,1:00"), "E02");
}

TEST_F(GdbServerTest, WritesBinaryMemoryWithEscapes) {
  start();
  EXPECT_EQ(m_client->request("X80000000,0:"), "OK");  // gdb's probe
  const std::string data = std::string("#$}*\x03:,", 7) + '\0';
  EXPECT_EQ(m_client->request("X80000020,8:" + escape_binary(data)), "OK");
  EXPECT_EQ(m_client->request("m80000020,8"), hex(data));
}

// --- breakpoints, resuming, stop replies ---

TEST_F(GdbServerTest, BreakpointStopsContinue) {
  start();
  EXPECT_EQ(m_client->request("Z0,80000010,4"), "OK");
  ASSERT_EQ(m_target->breakpoints.size(), 1u);
  EXPECT_EQ(m_target->breakpoints[0].kind, BreakpointKind::kSoftware);
  EXPECT_EQ(m_client->request("vCont;c"), "T05thread:1;");
  EXPECT_EQ(m_target->regs[0][32], kBase + 0x10);
  EXPECT_EQ(m_client->request("z0,80000010,4"), "OK");
  EXPECT_TRUE(m_target->breakpoints.empty());
  EXPECT_EQ(m_client->request("z0,80000010,4"), "E02");  // not there any more
}

TEST_F(GdbServerTest, AllBreakpointKindsReachTheTarget) {
  start();
  EXPECT_EQ(m_client->request("Z1,80000000,2"), "OK");
  EXPECT_EQ(m_client->request("Z2,80001000,8"), "OK");
  EXPECT_EQ(m_client->request("Z3,80001008,4"), "OK");
  EXPECT_EQ(m_client->request("Z4,80001010,1;X2,ab"), "OK");  // conditions are ignored
  ASSERT_EQ(m_target->breakpoints.size(), 4u);
  EXPECT_EQ(m_target->breakpoints[1].kind, BreakpointKind::kWriteWatch);
  EXPECT_EQ(m_target->breakpoints[1].length, 8u);
  EXPECT_EQ(m_target->breakpoints[3].kind, BreakpointKind::kAccessWatch);
  EXPECT_EQ(m_client->request("Z5,80000000,4"), "");  // no such kind
  m_target->accept_watchpoints = false;
  EXPECT_EQ(m_client->request("Z2,80002000,4"), "E02");
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
  m_target->scripted = {write_hit, read_hit, access_hit};
  EXPECT_EQ(m_client->request("c"), "T05watch:80001000;thread:1;");
  EXPECT_EQ(m_client->request("c"), "T05rwatch:80001000;thread:2;");
  EXPECT_EQ(m_client->request("qC"), "QC2");  // the stopping hart is now current
  EXPECT_EQ(m_client->request("c"), "T05awatch:80001000;thread:1;");
}

TEST_F(GdbServerTest, StepsOneHart) {
  start();
  EXPECT_EQ(m_client->request("vCont?"), "vCont;c;C;s;S");
  EXPECT_EQ(m_client->request("vCont;s:2"), "T05thread:2;");
  ASSERT_EQ(m_target->resumes.size(), 1u);
  EXPECT_EQ(m_target->resumes[0], 1u);
  EXPECT_EQ(m_target->regs[1][32], kBase + 4);
  EXPECT_EQ(m_target->regs[0][32], kBase);
  EXPECT_EQ(m_client->request("vCont;s:1;c"), "T05thread:1;");
  EXPECT_EQ(m_target->resumes[1], 0u);
  EXPECT_EQ(m_client->request("vCont;c;s:2"), "T05thread:2;");  // the step wins in all-stop
  EXPECT_EQ(m_target->resumes[2], 1u);
  EXPECT_EQ(m_client->request("vCont;S05:1"), "T05thread:1;");
  EXPECT_EQ(m_target->resumes[3], 0u);
}

TEST_F(GdbServerTest, LegacyStepAndContinue) {
  start();
  EXPECT_EQ(m_client->request("Hc2"), "OK");
  EXPECT_EQ(m_client->request("s"), "T05thread:2;");
  EXPECT_EQ(m_target->resumes.back(), 1u);
  EXPECT_EQ(m_client->request("Hc-1"), "OK");
  EXPECT_EQ(m_client->request("Hg1"), "OK");
  EXPECT_EQ(m_client->request("s80000100"), "T05thread:1;");  // step from a new pc
  EXPECT_EQ(m_target->regs[0][32], kBase + 0x104);
  EXPECT_EQ(m_client->request("S05"), "T05thread:1;");
  m_target->exit_pc = kBase + 0x200;
  EXPECT_EQ(m_client->request("C05;80000100"), "W00");
}

TEST_F(GdbServerTest, CtrlCInterruptsARunningTarget) {
  start();
  m_client->send_packet("vCont;c");
  EXPECT_EQ(m_client->read_ack(), '+');
  EXPECT_FALSE(m_client->ack_arrives(100));  // it is running
  m_client->send_raw("\x03");
  EXPECT_EQ(m_client->read_packet(), "T02thread:1;");
  // The session goes on; a later continue is not stopped by the old Ctrl-C.
  m_target->exit_pc = m_target->regs[0][32] + 0x40;
  m_target->exit_code = 3;
  EXPECT_EQ(m_client->request("c"), "W03");
  EXPECT_EQ(finish().end, ServeResult::End::kExited);
  EXPECT_EQ(m_result.exit_code, 3);
}

TEST_F(GdbServerTest, CtrlCWhileStoppedIsIgnored) {
  start();
  m_client->send_raw("\x03");
  EXPECT_EQ(m_client->request("?"), "T05thread:1;");
  m_target->exit_pc = kBase + 0x40;
  EXPECT_EQ(m_client->request("c"), "W00");
}

TEST_F(GdbServerTest, CtrlCRightAfterContinueIsNotLost) {
  start();
  m_target->run_budget = 100000;  // would run ~5 s without the Ctrl-C
  m_client->send_raw(frame_packet("c") + "\x03");
  EXPECT_EQ(m_client->read_ack(), '+');
  EXPECT_EQ(m_client->read_packet(), "T02thread:1;");
}

TEST_F(GdbServerTest, ExitEndsTheSession) {
  start();
  m_target->exit_pc = kBase + 0x20;
  m_target->exit_code = 0x105;  // W carries the low 8 bits
  EXPECT_EQ(m_client->request("vCont;c"), "W05");
  EXPECT_TRUE(m_client->wait_closed());
  const ServeResult end = finish();
  EXPECT_EQ(end.end, ServeResult::End::kExited);
  EXPECT_EQ(end.exit_code, 0x105);
}

TEST_F(GdbServerTest, DetachRemovesBreakpointsAndEnds) {
  start();
  EXPECT_EQ(m_client->request("Z0,80000010,4"), "OK");
  EXPECT_EQ(m_client->request("Z2,80001000,4"), "OK");
  EXPECT_EQ(m_client->request("D"), "OK");
  EXPECT_TRUE(m_client->wait_closed());
  EXPECT_EQ(finish().end, ServeResult::End::kDetached);
  EXPECT_TRUE(m_target->breakpoints.empty());
}

TEST_F(GdbServerTest, KillEndsTheSessionWithoutReply) {
  start();
  m_client->send_packet("k");
  EXPECT_EQ(m_client->read_ack(), '+');
  EXPECT_TRUE(m_client->wait_closed());
  EXPECT_EQ(finish().end, ServeResult::End::kKilled);
}

TEST_F(GdbServerTest, VKillIsAcknowledged) {
  start();
  EXPECT_EQ(m_client->request("vKill;1"), "OK");
  EXPECT_EQ(finish().end, ServeResult::End::kKilled);
}

TEST_F(GdbServerTest, DisconnectWhileStoppedCleansUp) {
  start();
  EXPECT_EQ(m_client->request("Z0,80000010,4"), "OK");
  m_client->close();
  EXPECT_EQ(finish().end, ServeResult::End::kDisconnected);
  EXPECT_TRUE(m_target->breakpoints.empty());
}

TEST_F(GdbServerTest, DisconnectWhileRunningStopsAndCleansUp) {
  start();
  EXPECT_EQ(m_client->request("Z0,90000000,4"), "OK");  // never reached
  m_client->send_packet("c");
  EXPECT_EQ(m_client->read_ack(), '+');
  m_client->close();
  EXPECT_EQ(finish().end, ServeResult::End::kDisconnected);
  EXPECT_TRUE(m_target->breakpoints.empty());
}

TEST_F(GdbServerTest, DisconnectInsideAPacketEndsCleanly) {
  start();
  m_client->send_raw("$m80000000,");
  m_client->close();
  EXPECT_EQ(finish().end, ServeResult::End::kDisconnected);
}

// --- target description and monitor ---

TEST_F(GdbServerTest, TargetXmlIsServedInChunks) {
  start();
  // Longer than a packet, and full of bytes that need escaping.
  std::string xml = "<?xml version=\"1.0\"?>\n<target>";
  while (xml.size() < 3 * kMaxPacketSize) xml += "<!-- #$}* -->abcdefghijklmnopqrstuvwxyz\n";
  xml += "</target>\n";
  m_target->xml = xml;

  std::string received;
  for (int round = 0; round < 100; ++round) {
    const std::string reply = m_client->request(
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
  EXPECT_EQ(
      m_client->request("qXfer:features:read:target.xml:" + format_hex_u64(xml.size()) + ",10"),
      "l");
}

TEST_F(GdbServerTest, OneXmlReplyFitsInAPacket) {
  start();
  m_target->xml = std::string(3 * kMaxPacketSize, '#');  // every byte doubles when escaped
  const std::string reply = m_client->request("qXfer:features:read:target.xml:0,fffff");
  EXPECT_EQ(reply[0], 'm');
  EXPECT_LE(reply.size(), kMaxPacketSize);
}

TEST_F(GdbServerTest, UnknownAnnexIsAnError) {
  start();
  EXPECT_EQ(m_client->request("qXfer:features:read:other.xml:0,100"), "E00");
}

TEST_F(GdbServerTest, MonitorOutputComesInOPackets) {
  start();
  m_client->send_packet("qRcmd," + hex("help"));
  EXPECT_EQ(m_client->read_ack(), '+');
  EXPECT_EQ(m_client->read_packet(), "O" + hex("reset stats quit\n"));
  EXPECT_EQ(m_client->read_packet(), "OK");
  EXPECT_EQ(m_target->monitor_commands.back(), "help");
  EXPECT_EQ(m_client->request("qRcmd," + hex("silent")), "OK");
}

TEST_F(GdbServerTest, LongMonitorOutputIsSplit) {
  start();
  m_client->send_packet("qRcmd," + hex("big"));
  EXPECT_EQ(m_client->read_ack(), '+');
  std::string output;
  int packets = 0;
  while (true) {
    const std::string reply = m_client->read_packet();
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
  m_client->send_packet("qRcmd," + hex("frobnicate"));
  EXPECT_EQ(m_client->read_ack(), '+');
  const std::string message = m_client->read_packet();
  ASSERT_EQ(message[0], 'O');
  EXPECT_NE(hex_decode(message.substr(1)).value().find("frobnicate"), std::string::npos);
  EXPECT_EQ(m_client->read_packet(), "E01");
}

// --- listening ---

TEST(GdbServerListen, ReportsABusyPort) {
  FakeTarget m_target;
  GdbServer first(m_target, "127.0.0.1", 0);
  EXPECT_THROW(GdbServer(m_target, "127.0.0.1", first.port()), GdbServerError);
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
