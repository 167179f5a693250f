// udp_echo: the two ends of the tunnel smoke test (tests/tunnel/tunnel.sh).
//
//   udp_echo serve ADDR:PORT
//       Binds ADDR:PORT and sends every datagram it receives back to its sender, byte for byte,
//       until it is killed.
//   udp_echo ping ADDR:PORT COUNT TIMEOUT_MS
//       Sends COUNT datagrams, each with its own payload (different contents and lengths), one
//       after the other. Each must come back identical within TIMEOUT_MS. Within that time the
//       datagram is sent again a few times, because a tunnel may drop the first datagrams while
//       it is still setting itself up. Prints "ok N/N" and exits 0, or says what failed and
//       exits 1.
//
// ADDR is an IPv4 address (1.2.3.4) or an IPv6 address in brackets ([::1]). POSIX sockets only;
// every message goes to stderr.

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace {

// Datagrams are sent this many times at most (the first send included) within TIMEOUT_MS.
constexpr int kSendsPerDatagram = 5;
// Larger than any datagram ping sends, so a longer reply is seen as longer, not truncated.
constexpr size_t kBufferSize = 65536;

struct Endpoint {
  sockaddr_storage addr;
  socklen_t len;
};

void Usage() {
  fprintf(stderr,
          "usage: udp_echo serve ADDR:PORT\n"
          "       udp_echo ping ADDR:PORT COUNT TIMEOUT_MS\n"
          "ADDR is IPv4 (127.0.0.1) or bracketed IPv6 ([::1]).\n");
}

bool ParseUnsigned(const char* text, unsigned long max, unsigned long* out) {
  if (text[0] < '0' || text[0] > '9') return false;
  errno = 0;
  char* end = nullptr;
  unsigned long v = strtoul(text, &end, 10);
  if (errno != 0 || *end != '\0' || v > max) return false;
  *out = v;
  return true;
}

// Parses "1.2.3.4:PORT" or "[v6]:PORT".
bool ParseEndpoint(const char* text, Endpoint* out) {
  std::string s(text);
  size_t colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = s.substr(0, colon);
  unsigned long port = 0;
  if (!ParseUnsigned(s.c_str() + colon + 1, 65535, &port)) return false;
  memset(out, 0, sizeof(*out));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&out->addr);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &a6->sin6_addr) != 1) return false;
    out->len = sizeof(*a6);
    return true;
  }
  auto* a4 = reinterpret_cast<sockaddr_in*>(&out->addr);
  a4->sin_family = AF_INET;
  a4->sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &a4->sin_addr) != 1) return false;
  out->len = sizeof(*a4);
  return true;
}

std::string EndpointText(const sockaddr_storage& addr) {
  char host[INET6_ADDRSTRLEN] = "?";
  char buf[INET6_ADDRSTRLEN + 16];
  if (addr.ss_family == AF_INET) {
    const auto* a4 = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a4->sin_addr, host, sizeof(host));
    snprintf(buf, sizeof(buf), "%s:%u", host, ntohs(a4->sin_port));
  } else if (addr.ss_family == AF_INET6) {
    const auto* a6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &a6->sin6_addr, host, sizeof(host));
    snprintf(buf, sizeof(buf), "[%s]:%u", host, ntohs(a6->sin6_port));
  } else {
    snprintf(buf, sizeof(buf), "(family %d)", addr.ss_family);
  }
  return buf;
}

int64_t NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

int Serve(const Endpoint& ep) {
  int fd = socket(ep.addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    fprintf(stderr, "udp_echo serve: socket: %s\n", strerror(errno));
    return 1;
  }
  if (bind(fd, reinterpret_cast<const sockaddr*>(&ep.addr), ep.len) != 0) {
    fprintf(stderr, "udp_echo serve: bind %s: %s\n", EndpointText(ep.addr).c_str(), strerror(errno));
    return 1;
  }
  fprintf(stderr, "udp_echo serve: echoing datagrams on %s\n", EndpointText(ep.addr).c_str());
  std::vector<unsigned char> buf(kBufferSize);
  unsigned long long echoed = 0;
  for (;;) {
    sockaddr_storage from;
    socklen_t from_len = sizeof(from);
    ssize_t n = recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "udp_echo serve: recvfrom: %s\n", strerror(errno));
      return 1;
    }
    if (sendto(fd, buf.data(), static_cast<size_t>(n), 0, reinterpret_cast<const sockaddr*>(&from),
               from_len) < 0) {
      // One unreachable sender must not stop the echo for the others.
      fprintf(stderr, "udp_echo serve: sendto %s: %s\n", EndpointText(from).c_str(), strerror(errno));
      continue;
    }
    if (++echoed == 1) {
      fprintf(stderr, "udp_echo serve: first datagram (%zd bytes) from %s echoed\n", n,
              EndpointText(from).c_str());
    }
  }
}

// Payload of datagram `seq`: a readable header naming the run and the datagram, followed by bytes
// of every value (so that any rewriting of the contents shows), with a length that differs from one
// datagram to the next (so that truncation and padding show).
std::vector<unsigned char> MakePayload(unsigned long seq, unsigned long long run_id) {
  char head[96];
  int head_len = snprintf(head, sizeof(head), "udp_echo run=%llx seq=%lu|", run_id, seq);
  size_t len = static_cast<size_t>(head_len) + 1 + (seq * 97 + 13) % 1100;
  std::vector<unsigned char> p(head, head + head_len);
  p.reserve(len);
  uint32_t x = static_cast<uint32_t>(run_id) ^ static_cast<uint32_t>(seq * 2654435761u);
  while (p.size() < len) {
    x = x * 1664525u + 1013904223u;  // a plain LCG: varied bytes, zero and 0xff included
    p.push_back(static_cast<unsigned char>(x >> 24));
  }
  return p;
}

int Ping(const Endpoint& ep, unsigned long count, unsigned long timeout_ms) {
  int fd = socket(ep.addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    fprintf(stderr, "udp_echo ping: socket: %s\n", strerror(errno));
    return 1;
  }
  // Connected: only datagrams from ep are received, and errors such as "port unreachable" are
  // reported on this socket (and treated as "not there yet": the datagram is sent again).
  if (connect(fd, reinterpret_cast<const sockaddr*>(&ep.addr), ep.len) != 0) {
    fprintf(stderr, "udp_echo ping: connect %s: %s\n", EndpointText(ep.addr).c_str(), strerror(errno));
    return 1;
  }
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  unsigned long long run_id =
      (static_cast<unsigned long long>(getpid()) << 32) ^ static_cast<unsigned long long>(ts.tv_nsec) ^
      static_cast<unsigned long long>(ts.tv_sec);
  const int64_t resend_every = timeout_ms / kSendsPerDatagram > 0 ? timeout_ms / kSendsPerDatagram : 1;
  std::vector<unsigned char> buf(kBufferSize);
  const int64_t start = NowMs();
  unsigned long resent = 0, stale = 0;

  for (unsigned long seq = 0; seq < count; ++seq) {
    const std::vector<unsigned char> payload = MakePayload(seq, run_id);
    const int64_t first_send = NowMs();
    const int64_t deadline = first_send + static_cast<int64_t>(timeout_ms);
    int sends = 0;
    int64_t next_send = first_send;
    std::string last_problem = "no reply";
    bool echoed = false;
    while (!echoed) {
      int64_t now = NowMs();
      if (now >= deadline) break;
      if (sends < kSendsPerDatagram && now >= next_send) {
        if (send(fd, payload.data(), payload.size(), 0) < 0) {
          last_problem = std::string("send: ") + strerror(errno);
        }
        if (sends > 0) ++resent;
        ++sends;
        next_send = first_send + sends * resend_every;
      }
      int64_t wake = deadline;
      if (sends < kSendsPerDatagram && next_send < wake) wake = next_send;
      pollfd pfd = {fd, POLLIN, 0};
      int wait_ms = static_cast<int>(wake - NowMs());
      int r = poll(&pfd, 1, wait_ms > 0 ? wait_ms : 0);
      if (r < 0) {
        if (errno == EINTR) continue;
        fprintf(stderr, "udp_echo ping: poll: %s\n", strerror(errno));
        return 1;
      }
      if (r == 0) continue;
      ssize_t n = recv(fd, buf.data(), buf.size(), 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        // ECONNREFUSED and the like: nothing listens yet; the next send may find it.
        last_problem = std::string("recv: ") + strerror(errno);
        continue;
      }
      if (static_cast<size_t>(n) == payload.size() && memcmp(buf.data(), payload.data(), payload.size()) == 0) {
        echoed = true;
        break;
      }
      // A late copy of an earlier datagram (sent more than once) is expected; anything else is not.
      bool earlier = false;
      for (unsigned long prev = 0; prev < seq && !earlier; ++prev) {
        const std::vector<unsigned char> p = MakePayload(prev, run_id);
        earlier = static_cast<size_t>(n) == p.size() && memcmp(buf.data(), p.data(), p.size()) == 0;
      }
      if (earlier) {
        ++stale;
        continue;
      }
      char what[160];
      int preview = n < 24 ? static_cast<int>(n) : 24;
      snprintf(what, sizeof(what), "a %zd-byte reply that is not the %zu bytes sent (first bytes: %.*s)", n,
               payload.size(), preview, reinterpret_cast<const char*>(buf.data()));
      // Keep only printable characters of the preview.
      for (char* c = what; *c != '\0'; ++c) {
        if (*c < 0x20 || *c > 0x7e) *c = '.';
      }
      last_problem = what;
    }
    if (!echoed) {
      fprintf(stderr,
              "udp_echo ping: datagram %lu/%lu (%zu bytes) to %s not echoed within %lu ms after %d sends: "
              "%s\n",
              seq + 1, count, payload.size(), EndpointText(ep.addr).c_str(), timeout_ms, sends,
              last_problem.c_str());
      fprintf(stderr, "udp_echo ping: FAIL %lu/%lu echoed\n", seq, count);
      return 1;
    }
  }
  fprintf(stderr, "udp_echo ping: %lu datagrams echoed byte for byte in %lld ms (%lu resends, %lu late copies)\n",
          count, static_cast<long long>(NowMs() - start), resent, stale);
  fprintf(stderr, "ok %lu/%lu\n", count, count);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && strcmp(argv[1], "serve") == 0 && argc == 3) {
    Endpoint ep;
    if (!ParseEndpoint(argv[2], &ep)) {
      fprintf(stderr, "udp_echo: bad ADDR:PORT '%s'\n", argv[2]);
      return 2;
    }
    return Serve(ep);
  }
  if (argc >= 2 && strcmp(argv[1], "ping") == 0 && argc == 5) {
    Endpoint ep;
    if (!ParseEndpoint(argv[2], &ep)) {
      fprintf(stderr, "udp_echo: bad ADDR:PORT '%s'\n", argv[2]);
      return 2;
    }
    unsigned long count = 0, timeout_ms = 0;
    if (!ParseUnsigned(argv[3], 1000000, &count) || count == 0) {
      fprintf(stderr, "udp_echo: bad COUNT '%s' (1..1000000)\n", argv[3]);
      return 2;
    }
    if (!ParseUnsigned(argv[4], 3600000, &timeout_ms) || timeout_ms == 0) {
      fprintf(stderr, "udp_echo: bad TIMEOUT_MS '%s' (1..3600000)\n", argv[4]);
      return 2;
    }
    return Ping(ep, count, timeout_ms);
  }
  Usage();
  return 2;
}
