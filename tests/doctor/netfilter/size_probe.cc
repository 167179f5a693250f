// What the doctor's netlink and netfilter code adds to the static binary: built four ways
// (SIZE_PROBE_LEVEL 0-3) and compared; the default build is static, -Os and stripped:
//   bazel build //tests/doctor/netfilter:size_probe_{0,1,2,3} && ls -l bazel-bin/tests/doctor/netfilter/size_probe_*
//   0: nothing but main
//   1: std::string, std::vector and absl::StrCat, which the multicall binary has anyway
//   2: 1 + the netlink layer (a link dump with attribute lookup)
//   3: 2 + the netfilter reader and the packet tracer (one trace of the client's SYN)
#include <linux/rtnetlink.h>
#include <stdio.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

#if SIZE_PROBE_LEVEL >= 2
#include "runtime/doctor/netlink/attribute.h"
#include "runtime/doctor/netlink/socket.h"
#endif
#if SIZE_PROBE_LEVEL >= 3
#include "runtime/doctor/live_host.h"
#include "runtime/doctor/netfilter/address.h"
#include "runtime/doctor/netfilter/host_netfilter.h"
#include "runtime/doctor/netfilter/render.h"
#include "runtime/doctor/netfilter/trace.h"
#endif

int main(int argc, char** argv) {
#if SIZE_PROBE_LEVEL >= 1
  std::vector<std::string> words(argv, argv + argc);
  std::string text = absl::StrCat(words.size(), " ", words.empty() ? "" : words[0], "\n");
#endif
#if SIZE_PROBE_LEVEL >= 2
  using namespace phantun_runtime;
  netlink::Socket socket;
  if (socket.Open(NETLINK_ROUTE).ok()) {
    socket.Dump(RTM_GETLINK, 0, [&](const netlink::Message& message) {
      const netlink::AttributeIndex attributes(netlink::AttributesAfterHeader(message.payload, 16), IFLA_MAX);
      text += attributes.String(IFLA_IFNAME).value_or("?");
    });
  }
#endif
#if SIZE_PROBE_LEVEL >= 3
  using namespace phantun_runtime::netfilter;
  const HostNetfilter host = ReadNetfilter(doctor::LiveHost());
  NetworkFacts facts;
  facts.interfaces = {InterfaceFact{2, "eth0", {ParseIpAddress("198.18.0.2").value_or("")}}};
  TraceRequest request;
  request.packet.iifname = "tun0";
  request.packet.saddr = ParseIpAddress("192.168.200.2").value_or("");
  request.packet.daddr = ParseIpAddress("198.18.0.9").value_or("");
  request.packet.dport = 4567;
  request.packet.ct_state = kCtStateNew;
  request.assume_oifname = "eth0";
  request.assume_oifindex = 2;
  const Trace trace = TracePacket(host.ruleset, facts, request);
  for (const Path& path : trace.paths) {
    text += static_cast<char>('0' + static_cast<int>(path.fate));
    for (const Hop& hop : path.hops) text += hop.what;
  }
  for (const Table& table : host.ruleset.tables) text += table.name;
#endif
#if SIZE_PROBE_LEVEL >= 1
  fputs(text.c_str(), stdout);
#endif
  return 0;
}
