#ifndef PHANTUN_TESTS_DOCTOR_NETFILTER_SCENARIO_H_
#define PHANTUN_TESTS_DOCTOR_NETFILTER_SCENARIO_H_

#include <string>
#include <string_view>

#include "runtime/doctor/netfilter/host_netfilter.h"
#include "runtime/doctor/netfilter/model.h"

namespace phantun_test {

// The whole host as a scenario of tests/doctor/testdata captured it, read through ReadNetfilter
// from a FakeHost with nf_tables loaded.
phantun_runtime::netfilter::HostNetfilter ReadScenario(const std::string& scenario);

// The chain of `table` named `name`, or nullptr.
const phantun_runtime::netfilter::Chain* FindChain(const phantun_runtime::netfilter::Table& table, std::string_view name);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_DOCTOR_NETFILTER_SCENARIO_H_
