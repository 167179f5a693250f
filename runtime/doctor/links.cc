#include "runtime/doctor/links.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include <limits>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "runtime/doctor/netlink/attribute.h"
#include "runtime/doctor/netlink/message.h"

namespace phantun_runtime::doctor {
namespace {

std::string Ipv4Text(netlink::Bytes raw) {
  if (raw.size() != 4) return "";
  char text[INET_ADDRSTRLEN];
  return inet_ntop(AF_INET, raw.data(), text, sizeof text) != nullptr ? std::string(text) : std::string();
}

bool ParseLink(const netlink::Message& message, Link* link) {
  if (message.type != RTM_NEWLINK || message.payload.size() < sizeof(ifinfomsg)) return false;
  ifinfomsg header;
  memcpy(&header, message.payload.data(), sizeof header);
  const netlink::AttributeIndex attributes(netlink::AttributesAfterHeader(message.payload, sizeof header), IFLA_MAX);
  const std::optional<std::string_view> name = attributes.String(IFLA_IFNAME);
  if (!name || name->empty()) return false;
  link->name = std::string(*name);
  link->ifindex = header.ifi_index;
  link->flags = header.ifi_flags;
  link->type = header.ifi_type;
  link->mtu = attributes.U32(IFLA_MTU);
  if (const std::optional<uint32_t> lower = attributes.U32(IFLA_LINK)) link->link = static_cast<int>(*lower);
  const netlink::AttributeIndex info(attributes.Payload(IFLA_LINKINFO), IFLA_INFO_MAX);
  link->kind = std::string(info.String(IFLA_INFO_KIND).value_or(""));
  return true;
}

}  // namespace

StatusOr<std::vector<Link>> ReadLinks(const Host& host) {
  std::vector<Link> links;
  const Status status = host.Dump(NETLINK_ROUTE, RTM_GETLINK, AF_UNSPEC, [&](const netlink::Message& message) {
    Link link;
    if (ParseLink(message, &link)) links.push_back(std::move(link));
  });
  if (!status.ok()) return status;
  return links;
}

StatusOr<std::vector<InterfaceAddress>> ReadAddresses(const Host& host, uint8_t family) {
  std::vector<InterfaceAddress> addresses;
  const Status status = host.Dump(NETLINK_ROUTE, RTM_GETADDR, family, [&](const netlink::Message& message) {
    if (message.type != RTM_NEWADDR || message.payload.size() < sizeof(ifaddrmsg)) return;
    ifaddrmsg header;
    memcpy(&header, message.payload.data(), sizeof header);
    const netlink::AttributeIndex attributes(netlink::AttributesAfterHeader(message.payload, sizeof header), IFA_MAX);
    InterfaceAddress address;
    address.ifindex = static_cast<int>(header.ifa_index);
    address.peer = std::string(netlink::AsText(attributes.Payload(IFA_ADDRESS)));
    address.local = std::string(netlink::AsText(attributes.Payload(IFA_LOCAL)));
    if (address.local.empty()) address.local = address.peer;
    addresses.push_back(std::move(address));
  });
  if (!status.ok()) return status;
  return addresses;
}

StatusOr<std::vector<AddressPair>> ReadIpv4Addresses(const Host& host, int ifindex) {
  StatusOr<std::vector<InterfaceAddress>> all = ReadAddresses(host, AF_INET);
  if (!all.ok()) return all.status();
  std::vector<AddressPair> addresses;
  for (const InterfaceAddress& address : *all) {
    if (address.ifindex != ifindex) continue;
    addresses.push_back({Ipv4Text(netlink::AsBytes(address.local)), Ipv4Text(netlink::AsBytes(address.peer))});
  }
  return addresses;
}

const Link* FindLink(const std::vector<Link>& links, const std::string& name) {
  if (name.empty()) return nullptr;
  for (const Link& link : links) {
    if (link.name == name) return &link;
  }
  return nullptr;
}

std::string DefaultRouteInterface(const Host& host) {
  // Columns: Iface Destination Gateway Flags RefCnt Use Metric Mask ...; hex, host byte order.
  const StatusOr<std::string> table = host.ReadFile("/proc/net/route");
  if (!table.ok()) return "";
  std::string best;
  long best_metric = std::numeric_limits<long>::max();
  bool header = true;
  for (std::string_view line : absl::StrSplit(*table, '\n')) {
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string_view> columns = absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (columns.size() < 8 || columns[1] != "00000000" || columns[7] != "00000000") continue;
    long metric = 0;
    if (!absl::SimpleAtoi(columns[6], &metric)) continue;
    if (metric < best_metric) {
      best_metric = metric;
      best = std::string(columns[0]);
    }
  }
  return best;
}

bool LooksLikeContainerLink(const Link& link) {
  // Hardware has no link kind; bridges, bonds and VLANs are a host's own; a TAP is Ethernet too.
  if (link.type != ARPHRD_ETHER || link.kind.empty()) return false;
  for (const char* own : {"bridge", "bond", "vlan", "tun"}) {
    if (link.kind == own) return false;
  }
  return true;
}

}  // namespace phantun_runtime::doctor
