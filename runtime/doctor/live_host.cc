#include "runtime/doctor/live_host.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <utility>

#include "runtime/doctor/netlink/socket.h"

namespace phantun_runtime::doctor {
namespace {

// modules.builtin of a distribution kernel is the largest file the doctor reads (tens of KiB).
constexpr size_t kMaxFileSize = 4 << 20;

constexpr char kTunPath[] = "/dev/net/tun";

}  // namespace

LiveHost::~LiveHost() {
  if (tun_fd_ >= 0) close(tun_fd_);
}

StatusOr<std::string> LiveHost::ReadFile(const std::string& path) const {
  // O_NONBLOCK: a FIFO put where a /proc file should be must not hang the doctor.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return SystemError(path, errno);
  std::string content;
  char buffer[4096];
  int error = 0;
  for (;;) {
    const ssize_t got = read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      error = errno;
      break;
    }
    if (got == 0) break;
    content.append(buffer, static_cast<size_t>(got));
    if (content.size() > kMaxFileSize) {
      error = EFBIG;
      break;
    }
  }
  close(fd);
  if (error != 0) return SystemError(path, error);
  return content;
}

bool LiveHost::Exists(const std::string& path) const { return access(path.c_str(), F_OK) == 0; }

StatusOr<std::vector<std::string>> LiveHost::ListDirectory(const std::string& path) const {
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return SystemError(path, errno);
  std::vector<std::string> entries;
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") entries.push_back(name);
  }
  closedir(dir);
  return entries;
}

const char* LiveHost::GetEnv(const char* name) const { return getenv(name); }

Status LiveHost::Dump(int protocol, uint16_t type, uint8_t family, netlink::MessageCallback on_message) const {
  // A socket per dump: nothing of one dump (a late reply, a sequence number) can reach the next.
  netlink::Socket socket;
  const Status opened = socket.Open(protocol);
  if (!opened.ok()) return opened;
  return socket.Dump(type, family, on_message);
}

Status LiveHost::DumpChainRules(uint8_t family, const std::string& table, const std::string& chain,
                                netlink::MessageCallback on_message) const {
  if (rules_socket_ == nullptr) {
    auto socket = std::make_unique<netlink::Socket>();
    const Status opened = socket->Open(NETLINK_NETFILTER);
    if (!opened.ok()) return opened;
    rules_socket_ = std::move(socket);
  }
  netlink::DumpRequest request;
  request.type = netlink::NftablesType(NFT_MSG_GETRULE);
  request.family = family;
  request.table = table;
  request.chain = chain;
  const Status status = rules_socket_->Dump(std::move(request), on_message);
  // A dump that ended early may have left replies behind: the next one starts on a new socket.
  if (!status.ok()) rules_socket_.reset();
  return status;
}

Status LiveHost::DumpSetElements(uint8_t family, const std::string& table, const std::string& set,
                                 netlink::MessageCallback on_message) const {
  netlink::Socket socket;
  const Status opened = socket.Open(NETLINK_NETFILTER);
  if (!opened.ok()) return opened;
  netlink::DumpRequest request;
  request.type = netlink::NftablesType(NFT_MSG_GETSETELEM);
  request.family = family;
  request.table = table;
  request.chain = set;
  return socket.Dump(std::move(request), on_message);
}

std::optional<bool> LiveHost::UserNamespaceGovernsNetwork() const {
  struct stat own;
  if (stat("/proc/self/ns/user", &own) != 0) return std::nullopt;
  const int net = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (net < 0) return std::nullopt;
  int user = ioctl(net, NS_GET_USERNS);
  const int error = errno;
  close(net);
  // EPERM: the owner is outside what this process may see, so it is no descendant of ours.
  if (user < 0) return error == EPERM ? std::optional<bool>(false) : std::nullopt;
  // From the owner up: ours must be on the way. Past the top of what this process may see, the
  // kernel answers EPERM, and ours was not among the owner's ancestors. 33: user namespaces nest
  // 32 deep at most.
  for (int depth = 0; depth < 33; ++depth) {
    struct stat seen;
    const bool same = fstat(user, &seen) == 0 && seen.st_ino == own.st_ino && seen.st_dev == own.st_dev;
    if (same) {
      close(user);
      return true;
    }
    const int parent = ioctl(user, NS_GET_PARENT);
    const int parent_error = errno;
    close(user);
    if (parent < 0) return parent_error == EPERM ? std::optional<bool>(false) : std::nullopt;
    user = parent;
  }
  close(user);
  return std::nullopt;
}

Status LiveHost::LookUpRoute(const netlink::RouteQuery& query, netlink::MessageCallback on_message) const {
  netlink::Socket socket;
  const Status opened = socket.Open(NETLINK_ROUTE);
  if (!opened.ok()) return opened;
  return socket.LookUpRoute(query, on_message);
}

StatusOr<std::string> LiveHost::GetXtablesOption(int address_family, int option, std::string request) const {
  // An ordinary datagram socket: the kernel hands unknown IP-level options of any inet socket to
  // netfilter and checks only CAP_NET_ADMIN, so CAP_NET_RAW (a raw socket's) is not needed.
  const int fd = socket(address_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return SystemError("opening a socket for the legacy iptables tables", errno);
  socklen_t length = static_cast<socklen_t>(request.size());
  const int level = address_family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
  const int result = getsockopt(fd, level, option, request.data(), &length);
  const int error = errno;
  close(fd);
  if (result != 0) return SystemError("getsockopt", error);
  request.resize(length);
  return request;
}

int LiveHost::OpenTun() const {
  if (tun_) return tun_fd_;
  TunProbe probe;
  struct stat st;
  if (stat(kTunPath, &st) != 0) {
    probe.found = SystemError(kTunPath, errno);
  } else {
    probe.is_char = S_ISCHR(st.st_mode);
    probe.major = major(st.st_rdev);
    probe.minor = minor(st.st_rdev);
    if (probe.is_char) {
      tun_fd_ = open(kTunPath, O_RDWR | O_CLOEXEC | O_NONBLOCK);
      if (tun_fd_ < 0) probe.opened = SystemError(kTunPath, errno);
    }
  }
  tun_ = probe;
  return tun_fd_;
}

TunProbe LiveHost::ProbeTun() const {
  OpenTun();
  TunProbe probe = *tun_;
  unsigned int features = 0;
  if (tun_fd_ >= 0 && ioctl(tun_fd_, TUNGETFEATURES, &features) == 0) probe.features = features;
  return probe;
}

}  // namespace phantun_runtime::doctor
