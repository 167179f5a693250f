#include "tests/doctor/netfilter/scenario.h"

#include "tests/doctor/fake_host.h"

namespace phantun_test {

using phantun_runtime::netfilter::Chain;

phantun_runtime::netfilter::HostNetfilter ReadScenario(const std::string& scenario) {
  phantun_runtime::doctor::FakeHost host;
  host.LoadScenario(scenario);
  return phantun_runtime::netfilter::ReadNetfilter(host);
}

const Chain* FindChain(const phantun_runtime::netfilter::Table& table, std::string_view name) {
  for (const Chain& chain : table.chains) {
    if (chain.name == name) return &chain;
  }
  return nullptr;
}

}  // namespace phantun_test
