#ifndef PHANTUN_RUNTIME_DOCTOR_HOST_H_
#define PHANTUN_RUNTIME_DOCTOR_HOST_H_

#include <stdint.h>

#include <optional>
#include <string>
#include <vector>

#include "runtime/doctor/netlink/dump_reply.h"
#include "runtime/doctor/netlink/dump_request.h"
#include "runtime/status.h"

namespace phantun_runtime::doctor {

// What /dev/net/tun looks like to this process. Opening the clone device creates nothing (only a
// TUNSETIFF would), and TUNGETFEATURES only reads.
struct TunProbe {
  Status found;  // stat(): not ok when the path cannot be seen (system_error says why)
  bool is_char = false;
  unsigned major = 0;
  unsigned minor = 0;
  Status opened;                     // the read-write open
  std::optional<unsigned> features;  // TUNGETFEATURES flags, when it answered
};

// The one seam between the doctor and the system: every fact it learns arrives through here, so
// everything above it (readers, checks, the report) is ordinary code, unit-tested against a fake
// host (tests/doctor/fake_host.h) that answers from made-up files and recorded kernel replies.
// LiveHost (live_host.h) is the real one and holds every system call the doctor makes; each of its
// answers is only ever a read.
class Host {
 public:
  virtual ~Host() = default;

  // Files: /proc (process status, sysctls, routes, modules), /sys/module and /lib/modules.

  // The whole content of a small file. kNotFound when it does not exist.
  virtual StatusOr<std::string> ReadFile(const std::string& path) const = 0;
  virtual bool Exists(const std::string& path) const = 0;
  // The entries of a directory, without "." and "..".
  virtual StatusOr<std::vector<std::string>> ListDirectory(const std::string& path) const = 0;
  // An environment variable of the doctor's own process; nullptr when unset.
  virtual const char* GetEnv(const char* name) const = 0;

  // One netlink dump: every object of `type` (an allow-listed GET of `protocol`, NETLINK_ROUTE or
  // NETLINK_NETFILTER; see netlink/dump_request.h) in `family` (AF_* or NFPROTO_*, 0 for all), each
  // reply message handed to `on_message` in the kernel's order. When the result is not ok, the
  // messages handed on so far are incomplete and must be discarded.
  virtual Status Dump(int protocol, uint16_t type, uint8_t family, netlink::MessageCallback on_message) const = 0;

  // The rules of one nf_tables chain, as a Dump of NFT_MSG_GETRULE would hand them on, and only
  // those: how the nftables reader reads rules, chain by chain, because the kernel answers a dump
  // of every rule in time that grows with the square of their number (see DumpRequest::chain).
  // This default asks for every rule and keeps the chain's; LiveHost asks the kernel for the chain.
  virtual Status DumpChainRules(uint8_t family, const std::string& table, const std::string& chain,
                                netlink::MessageCallback on_message) const;

  // The elements of one nf_tables set (NFT_MSG_GETSETELEM naming the table and set), each reply
  // message handed to `on_message`. This default answers kUnimplemented: the set then stays a
  // condition the doctor cannot evaluate. LiveHost asks the kernel.
  virtual Status DumpSetElements(uint8_t family, const std::string& table, const std::string& set,
                                 netlink::MessageCallback on_message) const;

  // One routing lookup, as `ip route get` makes it (see netlink::RouteQuery): the kernel's
  // RTM_NEWROUTE answer is handed to `on_message`; a refusal (no route, a reverse-path failure)
  // is the returned error, with its errno.
  virtual Status LookUpRoute(const netlink::RouteQuery& query, netlink::MessageCallback on_message) const = 0;

  // One legacy x_tables read: getsockopt(`option`) at the IP level of `address_family` (AF_INET:
  // IPT_SO_GET_*, AF_INET6: IP6T_SO_GET_*), with `request` as the buffer the kernel reads the
  // table's name from and writes its reply into. Returns the reply.
  virtual StatusOr<std::string> GetXtablesOption(int address_family, int option, std::string request) const = 0;

  // Whether this process's user namespace owns its network namespace, or is an ancestor of the
  // namespace that does (NS_GET_USERNS, NS_GET_PARENT): capabilities act on a network namespace
  // only from there. nullopt when the kernel cannot tell (before 4.9, or under the guard). This
  // default knows nothing.
  virtual std::optional<bool> UserNamespaceGovernsNetwork() const { return std::nullopt; }

  // The TUN clone device: its stat, a read-write open and TUNGETFEATURES.
  virtual TunProbe ProbeTun() const = 0;
};

// A file's content with trailing white space removed ("1\n" -> "1"); not ok stays not ok.
StatusOr<std::string> ReadTrimmed(const Host& host, const std::string& path);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_HOST_H_
