// One gdb connection: a connected socket plus the RSP rules about it —
// acknowledging packets ('+' / '-'), retransmitting on '-', no-ack mode,
// and noticing Ctrl-C or a dropped connection while the target runs.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "tools/gdbstub/rsp_codec.h"

namespace silica::gdb {

class RspConnection {
 public:
  // How long send_packet waits for gdb's '+' before going on without it, so
  // a peer that never acknowledges cannot wedge the stub.
  static constexpr int kAckTimeoutMs = 2000;
  // A '-' makes the stub send its last packet again, at most this often.
  static constexpr int kMaxRetransmits = 8;
  // Packets that arrived but were not asked for yet (gdb sends one at a
  // time; only a misbehaving peer queues more, and those are dropped).
  static constexpr size_t kMaxPendingEvents = 64;

  explicit RspConnection(int fd);  // takes ownership of a connected socket
  ~RspConnection();
  RspConnection(const RspConnection&) = delete;
  RspConnection& operator=(const RspConnection&) = delete;

  // Blocks until the next packet (kPacket or kOversized); nullopt once the
  // peer has gone. Interrupt bytes that came before it are dropped: a
  // Ctrl-C for a machine that is already stopped means nothing.
  std::optional<RspEvent> next_packet();

  // Frames and sends one packet; in ack mode waits for the '+' (resending
  // on '-'). False when the connection is gone. With `then_no_ack` (the OK
  // to QStartNoAckMode) acks stop the moment gdb's '+' for it arrives, even
  // when the next packet came in the same read.
  bool send_packet(std::string_view payload, bool then_no_ack = false);

  void set_no_ack_mode(bool no_ack);
  bool no_ack_mode() const { return m_no_ack; }

  // Non-blocking: reads whatever has arrived and reports whether a Ctrl-C
  // (0x03) came since the last packet, consuming it, or the peer is gone.
  bool poll_interrupt();

  bool connected() const { return m_fd >= 0; }

  // Lets gdb read everything sent so far, then closes (an abrupt close with
  // unread input would reset the connection and could lose the last reply).
  void close();

 private:
  // Reads once; waits up to `timeout_ms` (-1: forever, 0: not at all).
  // False when nothing arrived in time or the connection is gone.
  bool read_some(int timeout_ms);
  void on_event(RspEvent&& event);
  bool write_all(std::string_view bytes);
  void drop_connection();

  int m_fd;
  RspDecoder m_decoder;
  std::deque<RspEvent> m_pending;  // packets and interrupts, in arrival order
  std::string m_last_sent;         // framed, for retransmission
  bool m_no_ack = false;
  bool m_ack_seen = false;
  bool m_no_ack_after_ack = false;
  int m_retransmits = 0;
};

}  // namespace silica::gdb
