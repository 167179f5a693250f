#ifndef PHANTUN_TESTS_DOCTOR_FAKE_HOST_H_
#define PHANTUN_TESTS_DOCTOR_FAKE_HOST_H_

#include <stdint.h>

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "runtime/doctor/host.h"
#include "runtime/status.h"

namespace phantun_runtime::doctor {

// A made-up host for the doctor's unit tests: files and environment variables the test sets, and
// kernel replies recorded from real kernels (tests/doctor/testdata, see capture.sh) or built by
// hand, replayed through the same reply reader the live socket uses. A test that needs a host
// which fails in some particular way overrides the method.
class FakeHost : public Host {
 public:
  FakeHost();

  std::map<std::string, std::string> files;
  std::map<std::string, std::string> env;
  TunProbe tun;  // a healthy /dev/net/tun (char 10:200, opens, multi-queue) unless a test changes it

  StatusOr<std::string> ReadFile(const std::string& path) const override;
  bool Exists(const std::string& path) const override;  // a file, or a folder holding one
  StatusOr<std::vector<std::string>> ListDirectory(const std::string& path) const override;
  const char* GetEnv(const char* name) const override;
  // A dump without a recording fails with kNotFound.
  Status Dump(int protocol, uint16_t type, uint8_t family, netlink::MessageCallback on_message) const override;
  // The reply recorded for the request's table name and `option`; ENOENT (as the kernel answers
  // for a table that does not exist) without one.
  StatusOr<std::string> GetXtablesOption(int address_family, int option, std::string request) const override;
  TunProbe ProbeTun() const override { return tun; }
  // The route recorded for exactly this question (AddRoute); kNotFound without one, which the
  // doctor takes as a lookup it could not make.
  Status LookUpRoute(const netlink::RouteQuery& query, netlink::MessageCallback on_message) const override;

  // The kernel's reply to a dump: whole datagrams as recv() returned them, ending in NLMSG_DONE or
  // NLMSG_ERROR. The sequence number is taken from the recording.
  void AddDump(int protocol, uint16_t type, uint8_t family, std::string reply);
  // The reply to IPT_SO_GET_INFO or IPT_SO_GET_ENTRIES (option 64 or 65) for `table`.
  void AddXtablesReply(int address_family, const std::string& table, int option, std::string reply);

  // A scenario captured by tests/doctor/netfilter/capture.sh (tests/doctor/testdata/<name>): its
  // nf_tables dumps, its legacy table names as /proc/net/ip*_tables_names and their replies, and
  // nfnetlink and nf_tables in /proc/modules (the doctor asks nf_tables only when they are loaded).
  void LoadScenario(const std::string& name);

  // A network interface in the RTM_GETLINK dump (replacing one of the same name): a TUN, hardware
  // (no link kind), or else a veth. No IFLA_MTU when `mtu` is nullopt; IFLA_LINK when `iflink`
  // differs from `ifindex`.
  void AddLink(const std::string& name, int ifindex, int iflink, std::optional<int> mtu, unsigned flags,
               bool tun = false, bool hardware = false);
  // An IPv4 address in the RTM_GETADDR dump: IFA_LOCAL and IFA_ADDRESS (the peer) of an interface.
  void AddIpv4Address(int ifindex, const std::string& local, const std::string& peer);
  // An IPv6 address in the AF_INET6 RTM_GETADDR dump (IFA_ADDRESS only, as the kernel sends it).
  void AddIpv6Address(int ifindex, const std::string& address);
  void AddDefaultRoute(const std::string& iface, int metric = 0);
  // The kernel's answer to a route lookup for `daddr` (from `saddr` arriving on `iif`; "" and 0
  // for a lookup of the host's own packet): a route of `type` (RTN_*) out `oif` in `table`, or,
  // with `error` set, the kernel's refusal with that errno.
  void AddRoute(const std::string& daddr, const std::string& saddr, int iif, int oif, uint8_t type = 1,
                uint32_t table = 254, int error = 0);
  void SetSysctl(const std::string& path_under_proc_sys, int value);
  // A host ready for phantun's forwarded packets: `iface` is an up hardware uplink (ifindex 2,
  // MTU 1500) carrying the default route, with IPv4 forwarding on and rp_filter off.
  void MakeForwardingUplink(const std::string& iface);

 private:
  std::map<std::tuple<int, uint16_t, uint8_t>, std::string> dumps_;
  std::vector<std::pair<std::string, std::string>> links_;  // name, RTM_NEWLINK message
  std::string addresses_;                                   // RTM_NEWADDR messages
  std::string addresses6_;                                  // the same, AF_INET6
  std::map<std::tuple<int, std::string, int>, std::string> xtables_;
  struct Route {
    std::string daddr, saddr;  // raw bytes
    uint32_t iif;
    int oif;
    uint8_t type;
    uint32_t table;
    int error;
  };
  std::vector<Route> routes_;
};

// A file of the test data (tests/doctor/testdata/<path>, from the test's working directory);
// empty when it is missing.
std::string ReadTestFile(const std::string& path);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_TESTS_DOCTOR_FAKE_HOST_H_
