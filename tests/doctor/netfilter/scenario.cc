#include "tests/doctor/netfilter/scenario.h"

#include <errno.h>
#include <linux/netfilter/nf_tables.h>

#include "runtime/doctor/netfilter/system_files.h"
#include "runtime/doctor/netlink/dump_request.h"

namespace phantun_test {

using phantun_runtime::Status;
using phantun_runtime::StatusOr;
using phantun_runtime::netfilter::Family;

std::string ReadTestFile(const std::string& path) {
  return phantun_runtime::netfilter::ReadSmallFile(path).value_or("");
}

std::string ScenarioDirectory(const std::string& scenario) {
  return "tests/doctor/netfilter/testdata/" + scenario;
}

StatusOr<std::vector<std::string>> ReplayXtables::TableNames(Family family) {
  const std::string path = directory_ + (family == Family::kIpv6 ? "/ip6_tables_names" : "/ip_tables_names");
  const StatusOr<std::string> content = phantun_runtime::netfilter::ReadSmallFile(path);
  if (!content.ok()) return Status(Status::Code::kUnimplemented, "no legacy tables captured");
  std::vector<std::string> names;
  size_t start = 0;
  while (start < content->size()) {
    size_t end = content->find('\n', start);
    if (end == std::string::npos) end = content->size();
    if (end > start) names.push_back(content->substr(start, end - start));
    start = end + 1;
  }
  return names;
}

StatusOr<std::string> ReplayXtables::GetInfo(Family family, const std::string& table) {
  std::string reply = ReadTestFile(directory_ + (family == Family::kIpv6 ? "/ip6t_" : "/ipt_") + table + ".info");
  if (reply.empty()) return Status(Status::Code::kNotFound, "no info captured");
  return reply;
}

StatusOr<std::string> ReplayXtables::GetEntries(Family family, const std::string& table, uint32_t) {
  std::string reply = ReadTestFile(directory_ + (family == Family::kIpv6 ? "/ip6t_" : "/ipt_") + table + ".entries");
  if (reply.empty()) return Status(Status::Code::kNotFound, "no entries captured");
  return reply;
}

void AddNftCaptures(const std::string& directory, phantun_runtime::netlink::ReplayDumper* dumper) {
  using phantun_runtime::netlink::NftablesType;
  dumper->Add(NftablesType(NFT_MSG_GETTABLE), 0, ReadTestFile(directory + "/nft_tables.bin"));
  dumper->Add(NftablesType(NFT_MSG_GETCHAIN), 0, ReadTestFile(directory + "/nft_chains.bin"));
  dumper->Add(NftablesType(NFT_MSG_GETRULE), 0, ReadTestFile(directory + "/nft_rules.bin"));
}

const phantun_runtime::netfilter::Chain* FindChain(const phantun_runtime::netfilter::Table& table, std::string_view name) {
  for (const phantun_runtime::netfilter::Chain& chain : table.chains) {
    if (chain.name == name) return &chain;
  }
  return nullptr;
}

phantun_runtime::netfilter::HostNetfilter ReadScenario(const std::string& scenario) {
  const std::string directory = ScenarioDirectory(scenario);
  phantun_runtime::netlink::ReplayDumper dumper;
  AddNftCaptures(directory, &dumper);
  ReplayXtables xtables(directory);
  phantun_runtime::netfilter::NetfilterSources sources;
  sources.modules.modules_supported = true;
  sources.modules.nfnetlink = true;
  sources.modules.nf_tables = true;
  sources.nftables = &dumper;
  sources.xtables = &xtables;
  return phantun_runtime::netfilter::ReadNetfilter(sources);
}

}  // namespace phantun_test
