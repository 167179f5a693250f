#include "runtime/doctor/network_facts.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "runtime/doctor/netfilter/address.h"
#include "runtime/doctor/netlink/attribute.h"
#include "runtime/doctor/netlink/message.h"

namespace phantun_runtime::doctor {
namespace {


void AddAddresses(const Host& host, uint8_t family, netfilter::NetworkFacts* facts) {
  const StatusOr<std::vector<InterfaceAddress>> addresses = ReadAddresses(host, family);
  if (!addresses.ok()) return;  // no addresses of this family known: see the header
  for (const InterfaceAddress& address : *addresses) {
    if (address.local.size() != 4 && address.local.size() != 16) continue;
    for (netfilter::InterfaceFact& iface : facts->interfaces) {
      if (static_cast<int>(iface.index) == address.ifindex) iface.addresses.push_back(address.local);
    }
  }
}

netfilter::RouteType TypeOf(uint8_t rtm_type) {
  switch (rtm_type) {
    case RTN_UNICAST: return netfilter::RouteType::kUnicast;
    case RTN_LOCAL: return netfilter::RouteType::kLocal;
    case RTN_BLACKHOLE: return netfilter::RouteType::kBlackhole;
    case RTN_UNREACHABLE: return netfilter::RouteType::kUnreachable;
    case RTN_PROHIBIT: return netfilter::RouteType::kProhibit;
    default: return netfilter::RouteType::kOther;
  }
}

// The errors by which the kernel answers a lookup it refuses: no route, a route of a refusing
// type, a source that fails reverse-path filtering (EXDEV), a martian (EINVAL), forwarding off
// on the input interface (EHOSTUNREACH).
bool IsKernelRefusal(int error) {
  return error == ENETUNREACH || error == EHOSTUNREACH || error == EXDEV || error == EINVAL || error == EACCES ||
         error == EPERM;
}

std::string RefusalText(int error) {
  switch (error) {
    case EXDEV: return "the source fails reverse-path filtering (rp_filter)";
    case EINVAL: return "the kernel refuses it (a blackhole route, or a source or destination it takes as invalid)";
    case EHOSTUNREACH: return "host unreachable (forwarding off on the input interface, or an unreachable route)";
    case ENETUNREACH: return "network unreachable (no route)";
    case EACCES:
    case EPERM: return "a prohibit route or rule";
    default: return strerror(error);
  }
}

constexpr char kListen[] = "0A";  // TCP_LISTEN in /proc/net/tcp's st column

// /proc/net/tcp's "0100007F:11D7": the address as the kernel stores it (each 32-bit word in host
// byte order, printed as hex) and the port.
bool ParseEndpoint(std::string_view text, std::string* address, int* port) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || (colon != 8 && colon != 32)) return false;
  unsigned long value = 0;
  if (!absl::SimpleHexAtoi(text.substr(colon + 1), &value)) return false;
  *port = static_cast<int>(value);
  std::string raw;
  for (size_t word = 0; word < colon; word += 8) {
    uint32_t host_word = 0;
    if (!absl::SimpleHexAtoi(text.substr(word, 8), &host_word)) return false;
    raw.append(reinterpret_cast<const char*>(&host_word), 4);
  }
  *address = netfilter::FormatIpAddress(raw);
  return true;
}

}  // namespace

std::optional<std::vector<std::string>> ReadListeners(const Host& host, int port) {
  std::optional<std::vector<std::string>> found;
  for (const char* path : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    const StatusOr<std::string> table = host.ReadFile(path);
    if (!table.ok()) continue;
    if (!found) found.emplace();
    bool header = true;
    for (std::string_view line : absl::StrSplit(*table, '\n')) {
      if (std::exchange(header, false)) continue;
      const std::vector<std::string_view> columns = absl::StrSplit(line, ' ', absl::SkipEmpty());
      std::string address;
      int local_port = 0;
      if (columns.size() < 4 || columns[3] != kListen || !ParseEndpoint(columns[1], &address, &local_port)) continue;
      if (local_port == port) found->push_back(address);
    }
  }
  return found;
}

netfilter::NetworkFacts ReadNetworkFacts(const Host& host, const std::vector<Link>& links,
                                         const ForwardingSysctls& sysctls) {
  netfilter::NetworkFacts facts;
  for (const Link& link : links) {
    netfilter::InterfaceFact iface;
    iface.index = static_cast<uint32_t>(link.ifindex);
    iface.name = link.name;
    facts.interfaces.push_back(std::move(iface));
  }
  AddAddresses(host, AF_INET, &facts);
  AddAddresses(host, AF_INET6, &facts);
  if (sysctls.ip_forward) facts.ipv4_forwarding = *sysctls.ip_forward != 0 ? netfilter::Tristate::kYes : netfilter::Tristate::kNo;
  if (sysctls.ipv6_forwarding) {
    facts.ipv6_forwarding = *sysctls.ipv6_forwarding != 0 ? netfilter::Tristate::kYes : netfilter::Tristate::kNo;
  }
  return facts;
}

void AnswerRoutes(const Host& host, const std::vector<netfilter::RouteFact>& questions, netfilter::NetworkFacts* facts) {
  for (const netfilter::RouteFact& question : questions) {
    if (facts->FindRoute(question.family, question.daddr, question.saddr, question.iif) != nullptr) continue;
    netfilter::RouteFact answer = question;
    answer.answered = true;
    netlink::RouteQuery query;
    query.family = question.family == netfilter::Family::kIpv6 ? AF_INET6 : AF_INET;
    query.daddr = question.daddr;
    query.saddr = question.saddr;
    query.iif = question.iif;
    bool replied = false;
    const Status status = host.LookUpRoute(query, [&](const netlink::Message& message) {
      if (message.type != RTM_NEWROUTE || message.payload.size() < sizeof(rtmsg)) return;
      rtmsg header;
      memcpy(&header, message.payload.data(), sizeof header);
      const netlink::AttributeIndex attributes(netlink::AttributesAfterHeader(message.payload, sizeof header), RTA_MAX);
      answer.type = TypeOf(header.rtm_type);
      answer.table = header.rtm_table;
      answer.table = attributes.U32(RTA_TABLE).value_or(answer.table);
      answer.oif = attributes.U32(RTA_OIF).value_or(0);
      answer.gateway = std::string(netlink::AsText(attributes.Payload(RTA_GATEWAY)));
      replied = true;
    });
    if (!status.ok() && IsKernelRefusal(status.system_error())) {
      answer.error = RefusalText(status.system_error());
    } else if (!status.ok() || !replied) {
      answer.lookup_failed = true;
      answer.error = status.ok() ? "no answer" : status.message();
    }
    facts->routes.push_back(std::move(answer));
  }
}

}  // namespace phantun_runtime::doctor
