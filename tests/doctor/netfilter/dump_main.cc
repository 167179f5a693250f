// Prints the model of a captured scenario (or of this namespace, without an argument): a debugging
// aid for writing tests, not a test.
#include <stdio.h>

#include "runtime/doctor/live_host.h"
#include "runtime/doctor/netfilter/host_netfilter.h"
#include "tests/doctor/netfilter/render_ruleset.h"
#include "tests/doctor/netfilter/scenario.h"

int main(int argc, char** argv) {
  using namespace phantun_runtime::netfilter;
  const HostNetfilter host =
      argc > 1 ? phantun_test::ReadScenario(argv[1]) : ReadNetfilter(phantun_runtime::doctor::LiveHost());
  printf("nftables: %d %s\niptables-legacy: %d %s\nip6tables-legacy: %d %s\n%s",
         static_cast<int>(host.nftables.state), host.nftables.detail.c_str(),
         static_cast<int>(host.iptables_legacy.state), host.iptables_legacy.detail.c_str(),
         static_cast<int>(host.ip6tables_legacy.state), host.ip6tables_legacy.detail.c_str(),
         RenderRuleset(host.ruleset).c_str());
  return 0;
}
