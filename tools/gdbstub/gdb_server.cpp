#include "tools/gdbstub/gdb_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace silica::gdb {

namespace {

// The reply to a packet longer than we advertised: gdb never sends one, so
// whoever did gets an error rather than silence.
constexpr std::string_view kErrOversized = "E01";

std::string describe_endpoint(const sockaddr_storage& addr, socklen_t len) {
  char host[NI_MAXHOST] = "?";
  char service[NI_MAXSERV] = "?";
  ::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof host, service,
                sizeof service, NI_NUMERICHOST | NI_NUMERICSERV);
  std::string endpoint = host;
  if (addr.ss_family == AF_INET6) endpoint = "[" + endpoint + "]";
  endpoint += ':';
  endpoint += service;
  return endpoint;
}

}  // namespace

GdbServer::GdbServer(DebugTarget& target, const std::string& host, uint16_t port)
    : m_target(target) {
  const std::string where = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* candidates = nullptr;
  const std::string service = std::to_string(port);
  const int rc =
      ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &candidates);
  if (rc != 0) {
    throw GdbServerError("cannot listen for gdb on " + where + ": " + ::gai_strerror(rc));
  }
  std::string error = "no usable address";
  for (const addrinfo* ai = candidates; ai != nullptr; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      error = std::strerror(errno);
      continue;
    }
    // A restarted simulator must get its port back even while the previous
    // connection lingers in TIME_WAIT.
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, 1) == 0) {
      m_listen_fd = fd;
      break;
    }
    error = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(candidates);
  if (m_listen_fd < 0) throw GdbServerError("cannot listen for gdb on " + where + ": " + error);

  sockaddr_storage bound{};
  socklen_t bound_len = sizeof bound;
  ::getsockname(m_listen_fd, reinterpret_cast<sockaddr*>(&bound), &bound_len);
  m_port = bound.ss_family == AF_INET6
               ? ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port)
               : ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
  m_endpoint = describe_endpoint(bound, bound_len);
}

GdbServer::~GdbServer() {
  if (m_listen_fd >= 0) ::close(m_listen_fd);
}

ServeResult GdbServer::serve() {
  std::fprintf(stderr, "silica: waiting for gdb on %s\n", m_endpoint.c_str());
  std::fflush(stderr);
  int fd;
  do {
    fd = ::accept4(m_listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  } while (fd < 0 && (errno == EINTR || errno == ECONNABORTED));
  if (fd < 0) {
    throw GdbServerError("cannot accept a gdb connection on " + m_endpoint + ": " +
                         std::strerror(errno));
  }
  // Every exchange is a small packet waiting on its answer: Nagle's delay
  // would add latency to each one.
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return serve_connection(fd);
}

ServeResult GdbServer::serve_connection(int fd) {
  RspConnection connection(fd);
  m_connection = &connection;
  m_interrupt_requested = false;
  const ServeResult result = run_session(connection);
  m_connection = nullptr;
  connection.close();
  return result;
}

ServeResult GdbServer::run_session(RspConnection& connection) {
  CommandHandler handler(m_target);
  std::vector<std::string> replies;
  while (true) {
    const std::optional<RspEvent> event = connection.next_packet();
    if (!event) break;
    if (event->kind == RspEvent::Kind::kOversized) {
      connection.send_packet(kErrOversized);
      continue;
    }
    // A Ctrl-C from before this packet was for an earlier run.
    m_interrupt_requested = false;
    replies.clear();
    const CommandHandler::Outcome outcome = handler.handle(event->payload, replies);
    const bool no_ack_next = handler.take_no_ack_request();
    for (size_t i = 0; i < replies.size(); ++i) {
      const bool last = i + 1 == replies.size();
      if (!connection.send_packet(replies[i], no_ack_next && last)) break;
    }
    switch (outcome) {
      case CommandHandler::Outcome::kDetach:
        return {ServeResult::End::kDetached};
      case CommandHandler::Outcome::kKill:
        return {ServeResult::End::kKilled};
      case CommandHandler::Outcome::kExited:
        return {ServeResult::End::kExited, handler.exit_code()};
      case CommandHandler::Outcome::kContinue:
        break;
    }
    if (!connection.connected()) break;
  }
  // gdb is gone without detaching: leave nothing behind that would stop a
  // machine nobody is debugging any more.
  handler.remove_all_breakpoints();
  return {ServeResult::End::kDisconnected};
}

bool GdbServer::poll_interrupt() {
  if (m_interrupt_requested) return true;
  if (m_connection == nullptr) return false;
  const auto now = std::chrono::steady_clock::now();
  if (now < m_next_poll) return false;
  m_next_poll = now + kPollInterval;
  if (m_connection->poll_interrupt()) m_interrupt_requested = true;
  return m_interrupt_requested;
}

bool GdbServer::connection_pending() const {
  pollfd fd{m_listen_fd, POLLIN, 0};
  return ::poll(&fd, 1, 0) > 0 && (fd.revents & POLLIN) != 0;
}

}  // namespace silica::gdb
