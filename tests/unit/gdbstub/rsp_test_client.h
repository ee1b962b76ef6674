// The gdb side of a loopback RSP connection, for the server tests: sends
// packets, checks acknowledgements, reads replies. Every wait has a timeout
// so a misbehaving server fails the test instead of hanging it.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/gdbstub/rsp_codec.h"

namespace silica::gdb::testing {

class RspTestClient {
 public:
  static constexpr int kTimeoutMs = 5000;
  static constexpr const char* kTimedOut = "<timeout>";

  explicit RspTestClient(uint16_t port) {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ADD_FAILURE() << "cannot connect to 127.0.0.1:" << port;
      ::close(m_fd);
      m_fd = -1;
    }
    const int one = 1;
    if (m_fd >= 0) ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~RspTestClient() { close(); }
  RspTestClient(const RspTestClient&) = delete;
  RspTestClient& operator=(const RspTestClient&) = delete;

  void close() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
  }

  // After the server accepted QStartNoAckMode.
  void set_no_ack(bool no_ack) { m_no_ack = no_ack; }

  void send_raw(std::string_view bytes) {
    while (!bytes.empty() && m_fd >= 0) {
      const ssize_t sent = ::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) {
        ADD_FAILURE() << "send failed";
        return;
      }
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
  }

  void send_packet(std::string_view payload) { send_raw(frame_packet(payload)); }

  // The next ack byte ('+' or '-'), or 0 on timeout; packets that arrive
  // first stay queued.
  char read_ack(int timeout_ms = kTimeoutMs) {
    const auto event = next_event(timeout_ms, /*want_packet=*/false);
    if (!event) return 0;
    return event->kind == RspEvent::Kind::kAck ? '+' : '-';
  }

  // The next packet's payload (run-length expanded), acknowledged as gdb
  // would; kTimedOut when none came.
  std::string read_packet(int timeout_ms = kTimeoutMs) {
    const auto event = next_event(timeout_ms, /*want_packet=*/true);
    if (!event) return kTimedOut;
    if (!m_no_ack) send_raw("+");
    const auto expanded = expand_run_length(event->payload);
    EXPECT_TRUE(expanded.has_value()) << "bad run-length data in " << event->payload;
    return expanded.value_or(event->payload);
  }

  // One request and its reply, with the acks ack mode needs.
  std::string request(std::string_view payload) {
    send_packet(payload);
    if (!m_no_ack) {
      const char ack = read_ack();
      EXPECT_EQ(ack, '+') << "no ack for " << payload;
    }
    return read_packet();
  }

  // True when the server closes the connection within the timeout.
  bool wait_closed(int timeout_ms = kTimeoutMs) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (m_fd >= 0) {
      const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            deadline - std::chrono::steady_clock::now())
                                            .count());
      if (left <= 0) return false;
      if (read_more(left) == ReadResult::kClosed) return true;
    }
    return true;
  }

  // Whether an ack ('+' or '-') is waiting or arrives within `timeout_ms`
  // (for "no acks in no-ack mode" checks).
  bool ack_arrives(int timeout_ms) {
    const auto is_ack = [](const RspEvent& e) {
      return e.kind == RspEvent::Kind::kAck || e.kind == RspEvent::Kind::kNak;
    };
    if (std::any_of(m_events.begin(), m_events.end(), is_ack)) return true;
    read_more(timeout_ms);
    return std::any_of(m_events.begin(), m_events.end(), is_ack);
  }

 private:
  enum class ReadResult { kData, kTimeout, kClosed };

  ReadResult read_more(int timeout_ms) {
    if (m_fd < 0) return ReadResult::kClosed;
    pollfd pfd{m_fd, POLLIN, 0};
    if (::poll(&pfd, 1, timeout_ms) <= 0) return ReadResult::kTimeout;
    char buffer[4096];
    const ssize_t got = ::recv(m_fd, buffer, sizeof buffer, 0);
    if (got <= 0) {
      close();
      return ReadResult::kClosed;
    }
    std::vector<RspEvent> events;
    m_decoder.feed(std::string_view(buffer, static_cast<size_t>(got)), events);
    for (auto& event : events) m_events.push_back(std::move(event));
    return ReadResult::kData;
  }

  std::optional<RspEvent> next_event(int timeout_ms, bool want_packet) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
      for (auto it = m_events.begin(); it != m_events.end(); ++it) {
        const bool is_ack = it->kind == RspEvent::Kind::kAck || it->kind == RspEvent::Kind::kNak;
        const bool is_packet = it->kind == RspEvent::Kind::kPacket;
        if ((want_packet && is_packet) || (!want_packet && is_ack)) {
          RspEvent event = std::move(*it);
          m_events.erase(it);
          return event;
        }
        if (want_packet && !is_packet && !is_ack) {
          ADD_FAILURE() << "unexpected event from the server";
        }
      }
      const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            deadline - std::chrono::steady_clock::now())
                                            .count());
      if (left <= 0 || read_more(left) != ReadResult::kData) {
        ADD_FAILURE() << "timed out waiting for " << (want_packet ? "a packet" : "an ack");
        return std::nullopt;
      }
    }
  }

  int m_fd = -1;
  RspDecoder m_decoder;
  std::deque<RspEvent> m_events;
  bool m_no_ack = false;
};

}  // namespace silica::gdb::testing
