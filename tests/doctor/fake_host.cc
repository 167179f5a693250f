#include "tests/doctor/fake_host.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_arp.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "runtime/doctor/netlink/dump_reply.h"
#include "runtime/doctor/netlink/dump_request.h"
#include "runtime/doctor/netlink/message.h"
#include "tests/doctor/netlink/build_bytes.h"

namespace phantun_runtime::doctor {
namespace {

constexpr char kTestdata[] = "tests/doctor/testdata/";
constexpr size_t kTableNameSize = 32;  // XT_TABLE_MAXNAMELEN: the name at the start of a request

std::string RouteAttribute(uint16_t type, const std::string& payload) { return phantun_test::Attr(type, payload); }

// "198.18.0.1" or "fcc9::2" as raw bytes.
std::string RawAddress(const std::string& text) {
  in6_addr v6;
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) return std::string(reinterpret_cast<const char*>(&v6), sizeof v6);
  in_addr v4 = {};
  inet_pton(AF_INET, text.c_str(), &v4);
  return std::string(reinterpret_cast<const char*>(&v4), sizeof v4);
}
constexpr uint16_t kNftGetTable = 1;   // NFT_MSG_GETTABLE, GETCHAIN, GETRULE
constexpr uint16_t kNftGetChain = 4;
constexpr uint16_t kNftGetRule = 7;
constexpr int kXtGetInfo = 64;  // IPT_SO_GET_INFO, IPT_SO_GET_ENTRIES (and IP6T_)
constexpr int kXtGetEntries = 65;

constexpr uint32_t kSequence = 1;

using phantun_test::Attr;
using phantun_test::Raw;

// The end of a dump, as the kernel sends it.
std::string Done() { return phantun_test::Message(NLMSG_DONE, NLM_F_MULTI, kSequence, Raw<int32_t>(0)); }

bool StartsWith(const std::string& text, const std::string& prefix) { return text.compare(0, prefix.size(), prefix) == 0; }

}  // namespace

std::string ReadTestFile(const std::string& path) {
  std::ifstream file(kTestdata + path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

FakeHost::FakeHost() {
  tun.is_char = true;
  tun.major = 10;
  tun.minor = 200;
  tun.features = IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE;
}

StatusOr<std::string> FakeHost::ReadFile(const std::string& path) const {
  auto it = files.find(path);
  if (it == files.end()) return SystemError(path, ENOENT);
  return it->second;
}

bool FakeHost::Exists(const std::string& path) const {
  if (files.count(path) != 0) return true;
  const std::string prefix = path + "/";
  for (const auto& [name, content] : files) {
    if (StartsWith(name, prefix)) return true;
  }
  return false;
}

StatusOr<std::vector<std::string>> FakeHost::ListDirectory(const std::string& path) const {
  std::set<std::string> entries;
  const std::string prefix = path + "/";
  for (const auto& [name, content] : files) {
    if (!StartsWith(name, prefix)) continue;
    const std::string rest = name.substr(prefix.size());
    entries.insert(rest.substr(0, rest.find('/')));
  }
  if (entries.empty()) return SystemError(path, ENOENT);
  return std::vector<std::string>(entries.begin(), entries.end());
}

const char* FakeHost::GetEnv(const char* name) const {
  auto it = env.find(name);
  return it == env.end() ? nullptr : it->second.c_str();
}

Status FakeHost::Dump(int protocol, uint16_t type, uint8_t family, netlink::MessageCallback on_message) const {
  auto it = dumps_.find({protocol, type, family});
  if (it == dumps_.end()) return Status(Status::Code::kNotFound, "replayed netlink dump: nothing recorded for this request");
  const netlink::Bytes bytes = netlink::AsBytes(it->second);
  netlink::Message first;
  netlink::MessageReader peek(bytes);
  netlink::DumpReplyReader reader(peek.Next(&first) ? first.sequence : 0);
  reader.Consume(bytes, on_message);
  if (!reader.done()) return Status(Status::Code::kIoError, "replayed netlink dump: no NLMSG_DONE");
  return reader.status();
}

StatusOr<std::string> FakeHost::GetXtablesOption(int address_family, int option, std::string request) const {
  const std::string table = request.substr(0, request.find('\0')).substr(0, kTableNameSize);
  auto it = xtables_.find({address_family, table, option});
  if (it == xtables_.end()) return SystemError("getsockopt", ENOENT);
  return it->second;
}

Status FakeHost::LookUpRoute(const netlink::RouteQuery& query, netlink::MessageCallback on_message) const {
  for (const Route& route : routes_) {
    if (route.daddr != query.daddr || route.saddr != query.saddr || route.iif != query.iif) continue;
    if (route.error != 0) return SystemError("netlink route lookup", route.error);
    rtmsg header = {};
    header.rtm_family = static_cast<unsigned char>(query.family);
    header.rtm_type = route.type;
    header.rtm_table = static_cast<unsigned char>(route.table < 256 ? route.table : RT_TABLE_COMPAT);
    std::string payload(reinterpret_cast<const char*>(&header), sizeof header);
    const uint32_t oif = static_cast<uint32_t>(route.oif);
    payload += RouteAttribute(RTA_TABLE, std::string(reinterpret_cast<const char*>(&route.table), 4));
    payload += RouteAttribute(RTA_OIF, std::string(reinterpret_cast<const char*>(&oif), 4));
    netlink::Message message;
    message.type = RTM_NEWROUTE;
    message.payload = netlink::AsBytes(payload);
    on_message(message);
    return Status();
  }
  return Status(Status::Code::kNotFound, "replayed route lookup: nothing recorded for this question");
}

void FakeHost::AddRoute(const std::string& daddr, const std::string& saddr, int iif, int oif, uint8_t type,
                        uint32_t table, int error) {
  std::string raw_saddr;
  if (!saddr.empty()) raw_saddr = RawAddress(saddr);
  routes_.push_back(Route{RawAddress(daddr), raw_saddr, static_cast<uint32_t>(iif), oif, type, table, error});
}

void FakeHost::AddDump(int protocol, uint16_t type, uint8_t family, std::string reply) {
  dumps_[{protocol, type, family}] = std::move(reply);
}

void FakeHost::AddXtablesReply(int address_family, const std::string& table, int option, std::string reply) {
  xtables_[{address_family, table, option}] = std::move(reply);
}

void FakeHost::LoadScenario(const std::string& name) {
  const std::string directory = name + "/";
  files["/proc/modules"] = "nf_tables 344064 0 - Live 0x0\nnfnetlink 20480 1 nf_tables, Live 0x0\n";
  AddDump(NETLINK_NETFILTER, netlink::NftablesType(kNftGetTable), 0, ReadTestFile(directory + "nft_tables.bin"));
  AddDump(NETLINK_NETFILTER, netlink::NftablesType(kNftGetChain), 0, ReadTestFile(directory + "nft_chains.bin"));
  AddDump(NETLINK_NETFILTER, netlink::NftablesType(kNftGetRule), 0, ReadTestFile(directory + "nft_rules.bin"));
  for (const bool v6 : {false, true}) {
    std::ifstream names_file(kTestdata + directory + (v6 ? "ip6_tables_names" : "ip_tables_names"));
    if (!names_file) continue;  // not captured: no x_tables of this family in that kernel
    const std::string names((std::istreambuf_iterator<char>(names_file)), std::istreambuf_iterator<char>());
    files[v6 ? "/proc/net/ip6_tables_names" : "/proc/net/ip_tables_names"] = names;
    std::istringstream lines(names);
    std::string table;
    while (std::getline(lines, table)) {
      if (table.empty()) continue;
      const std::string stem = directory + (v6 ? "ip6t_" : "ipt_") + table;
      const int family = v6 ? AF_INET6 : AF_INET;
      AddXtablesReply(family, table, kXtGetInfo, ReadTestFile(stem + ".info"));
      AddXtablesReply(family, table, kXtGetEntries, ReadTestFile(stem + ".entries"));
    }
  }
}

void FakeHost::AddLink(const std::string& name, int ifindex, int iflink, std::optional<int> mtu, unsigned flags,
                       bool tun_device, bool hardware) {
  ifinfomsg header = {};
  header.ifi_family = AF_UNSPEC;
  header.ifi_type = tun_device ? ARPHRD_NONE : ARPHRD_ETHER;
  header.ifi_index = ifindex;
  header.ifi_flags = flags;
  std::string payload(reinterpret_cast<const char*>(&header), sizeof header);
  payload += Attr(IFLA_IFNAME, name + '\0');
  if (mtu) payload += Attr(IFLA_MTU, Raw<uint32_t>(static_cast<uint32_t>(*mtu)));
  if (iflink != ifindex) payload += Attr(IFLA_LINK, Raw<uint32_t>(static_cast<uint32_t>(iflink)));
  const std::string kind = tun_device ? "tun" : hardware ? "" : "veth";
  if (!kind.empty()) payload += Attr(IFLA_LINKINFO, Attr(IFLA_INFO_KIND, kind + '\0'));
  const std::string message = phantun_test::Message(RTM_NEWLINK, NLM_F_MULTI, kSequence, payload);
  bool replaced = false;
  for (auto& [known, bytes] : links_) {
    if (known == name) {
      bytes = message;
      replaced = true;
    }
  }
  if (!replaced) links_.emplace_back(name, message);
  std::string reply;
  for (const auto& [known, bytes] : links_) reply += bytes;
  AddDump(NETLINK_ROUTE, RTM_GETLINK, AF_UNSPEC, reply + Done());
}

void FakeHost::AddIpv4Address(int ifindex, const std::string& local, const std::string& peer) {
  ifaddrmsg header = {};
  header.ifa_family = AF_INET;
  header.ifa_prefixlen = 32;
  header.ifa_index = static_cast<uint32_t>(ifindex);
  in_addr raw_local, raw_peer;
  inet_pton(AF_INET, local.c_str(), &raw_local);
  inet_pton(AF_INET, peer.c_str(), &raw_peer);
  std::string payload(reinterpret_cast<const char*>(&header), sizeof header);
  payload += Attr(IFA_ADDRESS, std::string(reinterpret_cast<const char*>(&raw_peer), 4));
  payload += Attr(IFA_LOCAL, std::string(reinterpret_cast<const char*>(&raw_local), 4));
  addresses_ += phantun_test::Message(RTM_NEWADDR, NLM_F_MULTI, kSequence, payload);
  AddDump(NETLINK_ROUTE, RTM_GETADDR, AF_INET, addresses_ + Done());
}

void FakeHost::AddIpv6Address(int ifindex, const std::string& address) {
  ifaddrmsg header = {};
  header.ifa_family = AF_INET6;
  header.ifa_prefixlen = 64;
  header.ifa_index = static_cast<uint32_t>(ifindex);
  std::string payload(reinterpret_cast<const char*>(&header), sizeof header);
  payload += Attr(IFA_ADDRESS, RawAddress(address));
  addresses6_ += phantun_test::Message(RTM_NEWADDR, NLM_F_MULTI, kSequence, payload);
  AddDump(NETLINK_ROUTE, RTM_GETADDR, AF_INET6, addresses6_ + Done());
}

void FakeHost::AddDefaultRoute(const std::string& iface, int metric) {
  std::string& table = files["/proc/net/route"];
  if (table.empty()) table = "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n";
  table += iface + "\t00000000\t010012AC\t0003\t0\t0\t" + std::to_string(metric) + "\t00000000\t0\t0\t0\n";
}

void FakeHost::SetSysctl(const std::string& path_under_proc_sys, int value) {
  files["/proc/sys/" + path_under_proc_sys] = std::to_string(value) + "\n";
}

void FakeHost::MakeForwardingUplink(const std::string& iface) {
  AddLink(iface, 2, 2, 1500, IFF_UP, /*tun=*/false, /*hardware=*/true);
  AddDefaultRoute(iface);
  SetSysctl("net/ipv4/ip_forward", 1);
  for (const std::string& conf : {iface, std::string("default")}) {
    SetSysctl("net/ipv4/conf/" + conf + "/forwarding", 1);
  }
  for (const std::string& conf : {std::string("all"), iface, std::string("default")}) {
    SetSysctl("net/ipv4/conf/" + conf + "/rp_filter", 0);
  }
}

}  // namespace phantun_runtime::doctor
