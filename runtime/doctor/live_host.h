#ifndef PHANTUN_RUNTIME_DOCTOR_LIVE_HOST_H_
#define PHANTUN_RUNTIME_DOCTOR_LIVE_HOST_H_

#include <stdint.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/doctor/host.h"
#include "runtime/doctor/netlink/socket.h"
#include "runtime/status.h"

namespace phantun_runtime::doctor {

// The real host: every system call of the doctor's readers is here, and each one only reads.
// Files are opened O_RDONLY; netlink requests are allow-listed dumps (netlink/socket.h), one
// socket per dump but one for all the chains' rule dumps; x_tables are asked through getsockopt
// on an ordinary datagram socket, never setsockopt; /dev/net/tun is opened read-write, which
// creates nothing.
class LiveHost final : public Host {
 public:
  LiveHost() = default;
  ~LiveHost() override;
  LiveHost(const LiveHost&) = delete;
  LiveHost& operator=(const LiveHost&) = delete;

  StatusOr<std::string> ReadFile(const std::string& path) const override;
  bool Exists(const std::string& path) const override;
  StatusOr<std::vector<std::string>> ListDirectory(const std::string& path) const override;
  const char* GetEnv(const char* name) const override;
  Status Dump(int protocol, uint16_t type, uint8_t family, netlink::MessageCallback on_message) const override;
  Status DumpChainRules(uint8_t family, const std::string& table, const std::string& chain,
                        netlink::MessageCallback on_message) const override;
  Status DumpSetElements(uint8_t family, const std::string& table, const std::string& set,
                         netlink::MessageCallback on_message) const override;
  std::optional<bool> UserNamespaceGovernsNetwork() const override;
  Status LookUpRoute(const netlink::RouteQuery& query, netlink::MessageCallback on_message) const override;
  StatusOr<std::string> GetXtablesOption(int address_family, int option, std::string request) const override;

  // The TUN probe comes in two halves, on either side of the read-only guard. OpenTunDevice: the
  // stat and the read-write open, before the guard (a seccomp filter sees the flags of an open but
  // not its path, so it could only allow this open by allowing one of every file). Returns the
  // descriptor, for the guard to allow TUNGETFEATURES on it and nothing else; -1 when it did not
  // open. ProbeTun: TUNGETFEATURES on that descriptor (opening it first if OpenTunDevice was not
  // called). The descriptor is closed with the LiveHost.
  int OpenTunDevice() { return OpenTun(); }
  TunProbe ProbeTun() const override;

 private:
  // The probe is a fact of the host, read once: the first call opens, later ones reuse.
  int OpenTun() const;

  mutable std::optional<TunProbe> tun_;  // set by the open
  // One NETLINK_NETFILTER socket for all the chains' rule dumps (tens of thousands of chains on a
  // kube-proxy host: a socket and a receive buffer each would double the time). Every reply
  // carries its request's sequence number, and the reader skips what is not for it.
  mutable std::unique_ptr<netlink::Socket> rules_socket_;
  mutable int tun_fd_ = -1;
};

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_LIVE_HOST_H_
