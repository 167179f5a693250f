#include "runtime/doctor/tun_addresses.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/doctor/netlink/attribute.h"
#include "runtime/doctor/netlink/message.h"

namespace phantun_runtime::doctor {
namespace {

std::string Ipv4Text(netlink::Bytes raw) {
  if (raw.size() != 4) return "";
  char text[INET_ADDRSTRLEN];
  return inet_ntop(AF_INET, raw.data(), text, sizeof text) != nullptr ? std::string(text) : std::string();
}

}  // namespace

StatusOr<std::vector<AddressPair>> ReadIpv4Addresses(const Host& host, int ifindex) {
  std::vector<AddressPair> addresses;
  const Status status = host.Dump(NETLINK_ROUTE, RTM_GETADDR, AF_INET, [&](const netlink::Message& message) {
    if (message.type != RTM_NEWADDR || message.payload.size() < sizeof(ifaddrmsg)) return;
    ifaddrmsg header;
    memcpy(&header, message.payload.data(), sizeof header);
    if (static_cast<int>(header.ifa_index) != ifindex) return;
    const netlink::AttributeIndex attributes(netlink::AttributesAfterHeader(message.payload, sizeof header), IFA_MAX);
    addresses.push_back({Ipv4Text(attributes.Payload(IFA_LOCAL)), Ipv4Text(attributes.Payload(IFA_ADDRESS))});
  });
  if (!status.ok()) return status;
  return addresses;
}

void CheckTunAddresses(const Context& context, const StatusOr<std::vector<AddressPair>>& addresses, Report* report) {
  const Options& options = context.options;
  if (context.FindLink(context.tun) == nullptr) {
    report->Add("tun.addr", Verdict::kSkip, "no TUN interface to check");
    return;
  }
  if (!addresses.ok()) {
    report->Add("tun.addr", Verdict::kSkip,
                absl::StrCat("addresses of ", context.tun, " not readable: ", addresses.status().message()));
    return;
  }
  std::vector<std::string> seen;
  for (const AddressPair& pair : *addresses) {
    if (pair.local == options.tun_local && pair.peer == options.tun_peer) {
      report->Add("tun.addr", Verdict::kPass,
                  absl::StrCat(context.tun, " has ", pair.local, " peer ", pair.peer, " (the addresses the NAT rules must use)"));
      return;
    }
    seen.push_back(pair.local == pair.peer ? pair.local : absl::StrCat(pair.local, " peer ", pair.peer));
  }
  report->Add("tun.addr", Verdict::kWarn,
              absl::StrCat(context.tun, " has ", seen.empty() ? std::string("no IPv4 address") : absl::StrJoin(seen, ", "),
                           ", not ", options.tun_local, " peer ", options.tun_peer),
              "tell the doctor phantun's --tun-local/--tun-peer, or point the NAT rules at the TUN's real peer address");
}

}  // namespace phantun_runtime::doctor
