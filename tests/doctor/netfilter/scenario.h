#ifndef PHANTUN_TESTS_DOCTOR_NETFILTER_SCENARIO_H_
#define PHANTUN_TESTS_DOCTOR_NETFILTER_SCENARIO_H_

#include <string>
#include <string_view>
#include <vector>

#include "runtime/doctor/netfilter/host_netfilter.h"
#include "runtime/doctor/netfilter/xt_reader.h"
#include "tests/doctor/netlink/replay_dumper.h"

namespace phantun_test {

// Reads a file of the test data; empty when it is missing.
std::string ReadTestFile(const std::string& path);

// The directory of a scenario captured by capture.sh, relative to the test's working directory.
std::string ScenarioDirectory(const std::string& scenario);

// Legacy iptables answers from a scenario's ip_tables_names / ipt_<table>.info / .entries files.
class ReplayXtables final : public phantun_runtime::netfilter::XtablesKernel {
 public:
  explicit ReplayXtables(std::string directory) : directory_(std::move(directory)) {}

  phantun_runtime::StatusOr<std::vector<std::string>> TableNames(phantun_runtime::netfilter::Family family) override;
  phantun_runtime::StatusOr<std::string> GetInfo(phantun_runtime::netfilter::Family family,
                                                 const std::string& table) override;
  phantun_runtime::StatusOr<std::string> GetEntries(phantun_runtime::netfilter::Family family, const std::string& table,
                                                    uint32_t size) override;

 private:
  std::string directory_;
};

// A replay of a scenario's nf_tables dumps.
void AddNftCaptures(const std::string& directory, phantun_runtime::netlink::ReplayDumper* dumper);

// The chain of `table` named `name`, or nullptr.
const phantun_runtime::netfilter::Chain* FindChain(const phantun_runtime::netfilter::Table& table, std::string_view name);

// The whole host as the scenario captured it, read through ReadNetfilter with nf_tables present.
phantun_runtime::netfilter::HostNetfilter ReadScenario(const std::string& scenario);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_DOCTOR_NETFILTER_SCENARIO_H_
