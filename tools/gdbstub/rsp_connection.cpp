#include "tools/gdbstub/rsp_connection.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <vector>

namespace silica::gdb {

namespace {

constexpr size_t kReadChunk = 4096;
// close(): how long gdb gets to read the last reply and hang up itself.
constexpr int kLingerMs = 1000;
// poll_interrupt(): reads per call, so a flood cannot keep the target from
// running.
constexpr int kMaxReadsPerPoll = 16;

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

}  // namespace

RspConnection::RspConnection(int fd) : m_fd(fd) {}

RspConnection::~RspConnection() {
  if (m_fd >= 0) ::close(m_fd);
}

void RspConnection::set_no_ack_mode(bool no_ack) {
  m_no_ack = no_ack;
  // Without acks a corrupted packet could not be asked for again, so
  // checksums are taken as they come (the protocol allows it).
  m_decoder.set_verify_checksums(!no_ack);
}

std::optional<RspEvent> RspConnection::next_packet() {
  while (true) {
    while (!m_pending.empty()) {
      RspEvent event = std::move(m_pending.front());
      m_pending.pop_front();
      if (event.kind != RspEvent::Kind::kInterrupt) return event;
    }
    if (m_fd < 0) return std::nullopt;
    read_some(-1);
  }
}

bool RspConnection::send_packet(std::string_view payload, bool then_no_ack) {
  if (m_fd < 0) return false;
  m_last_sent = frame_packet(payload);
  m_retransmits = 0;
  m_ack_seen = false;
  if (!write_all(m_last_sent)) return false;
  if (m_no_ack) return true;
  m_no_ack_after_ack = then_no_ack;
  const auto deadline = Clock::now() + std::chrono::milliseconds(kAckTimeoutMs);
  while (!m_ack_seen && m_fd >= 0) {
    // A new packet from gdb means it has moved on without acknowledging.
    bool packet_waiting = false;
    for (const RspEvent& event : m_pending) {
      if (event.kind != RspEvent::Kind::kInterrupt) packet_waiting = true;
    }
    const int left = remaining_ms(deadline);
    if (packet_waiting || left == 0) break;
    read_some(left);
  }
  if (m_no_ack_after_ack) set_no_ack_mode(true);  // the ack never came: switch anyway
  m_no_ack_after_ack = false;
  return m_fd >= 0;
}

bool RspConnection::poll_interrupt() {
  for (int i = 0; i < kMaxReadsPerPoll && m_fd >= 0; ++i) {
    if (!read_some(0)) break;
  }
  for (auto it = m_pending.begin(); it != m_pending.end(); ++it) {
    if (it->kind == RspEvent::Kind::kInterrupt) {
      m_pending.erase(it);
      return true;
    }
  }
  return m_fd < 0;
}

void RspConnection::close() {
  if (m_fd < 0) return;
  ::shutdown(m_fd, SHUT_WR);
  const auto deadline = Clock::now() + std::chrono::milliseconds(kLingerMs);
  uint8_t scratch[kReadChunk];
  while (true) {
    pollfd pfd{m_fd, POLLIN, 0};
    const int left = remaining_ms(deadline);
    if (left == 0 || ::poll(&pfd, 1, left) <= 0) break;
    if (::recv(m_fd, scratch, sizeof scratch, 0) <= 0) break;
  }
  drop_connection();
}

bool RspConnection::read_some(int timeout_ms) {
  if (m_fd < 0) return false;
  pollfd pfd{m_fd, POLLIN, 0};
  const int ready = ::poll(&pfd, 1, timeout_ms);
  if (ready <= 0) return false;  // timeout, or EINTR: the caller asks again
  uint8_t buffer[kReadChunk];
  const ssize_t got = ::recv(m_fd, buffer, sizeof buffer, 0);
  if (got == 0) {
    drop_connection();
    return false;
  }
  if (got < 0) {
    if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) drop_connection();
    return false;
  }
  std::vector<RspEvent> events;
  m_decoder.feed(buffer, static_cast<size_t>(got), events);
  for (RspEvent& event : events) on_event(std::move(event));
  return true;
}

void RspConnection::on_event(RspEvent&& event) {
  switch (event.kind) {
    case RspEvent::Kind::kPacket:
    case RspEvent::Kind::kOversized:
      // An oversized packet is acknowledged too: a '-' would only bring the
      // same packet back. The command loop answers it with an error.
      if (!m_no_ack) write_all("+");
      if (m_pending.size() < kMaxPendingEvents) m_pending.push_back(std::move(event));
      break;
    case RspEvent::Kind::kBadChecksum:
      if (!m_no_ack) write_all("-");
      break;
    case RspEvent::Kind::kAck:
      m_ack_seen = true;
      if (m_no_ack_after_ack) {
        m_no_ack_after_ack = false;
        set_no_ack_mode(true);
      }
      break;
    case RspEvent::Kind::kNak:
      if (!m_no_ack && !m_last_sent.empty() && m_retransmits < kMaxRetransmits) {
        ++m_retransmits;
        write_all(m_last_sent);
      }
      break;
    case RspEvent::Kind::kInterrupt:
      // Repeated Ctrl-Cs before the target noticed the first are one request.
      if (m_pending.size() < kMaxPendingEvents &&
          (m_pending.empty() || m_pending.back().kind != RspEvent::Kind::kInterrupt)) {
        m_pending.push_back(std::move(event));
      }
      break;
  }
}

bool RspConnection::write_all(std::string_view bytes) {
  while (!bytes.empty() && m_fd >= 0) {
    const ssize_t sent = ::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      drop_connection();
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
  return m_fd >= 0;
}

void RspConnection::drop_connection() {
  if (m_fd >= 0) ::close(m_fd);
  m_fd = -1;
}

}  // namespace silica::gdb
