#include "tests/doctor/netfilter/scenario.h"

#include <errno.h>
#include <linux/netfilter/nf_tables.h>

#include "runtime/doctor/netfilter/system_files.h"
#include "runtime/doctor/netlink/dump_request.h"

namespace phantun_test {

using phantun_runtime::netfilter::Family;
using phantun_runtime::netlink::Outcome;
using phantun_runtime::netlink::Status;
using phantun_runtime::netlink::StatusOf;

std::string ReadTestFile(const std::string& path) {
  std::string content;
  phantun_runtime::netfilter::ReadSmallFile(path, &content);
  return content;
}

std::string ScenarioDirectory(const std::string& scenario) {
  return "tests/doctor/netfilter/testdata/" + scenario;
}

Status ReplayXtables::TableNames(Family family, std::vector<std::string>* names) {
  std::string content;
  const std::string path = directory_ + (family == Family::kIpv6 ? "/ip6_tables_names" : "/ip_tables_names");
  if (phantun_runtime::netfilter::ReadSmallFile(path, &content) == ENOENT) {
    return StatusOf(Outcome::kUnsupported, "no legacy tables captured");
  }
  names->clear();
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find('\n', start);
    if (end == std::string::npos) end = content.size();
    if (end > start) names->push_back(content.substr(start, end - start));
    start = end + 1;
  }
  return Status();
}

Status ReplayXtables::GetInfo(Family family, const std::string& table, std::string* reply) {
  *reply = ReadTestFile(directory_ + (family == Family::kIpv6 ? "/ip6t_" : "/ipt_") + table + ".info");
  return reply->empty() ? StatusOf(Outcome::kFailed, "no info captured") : Status();
}

Status ReplayXtables::GetEntries(Family family, const std::string& table, uint32_t, std::string* reply) {
  *reply = ReadTestFile(directory_ + (family == Family::kIpv6 ? "/ip6t_" : "/ipt_") + table + ".entries");
  return reply->empty() ? StatusOf(Outcome::kFailed, "no entries captured") : Status();
}

void AddNftCaptures(const std::string& directory, phantun_runtime::netlink::ReplayDumper* dumper) {
  using phantun_runtime::netlink::NftablesType;
  dumper->Add(NftablesType(NFT_MSG_GETTABLE), 0, ReadTestFile(directory + "/nft_tables.bin"));
  dumper->Add(NftablesType(NFT_MSG_GETCHAIN), 0, ReadTestFile(directory + "/nft_chains.bin"));
  dumper->Add(NftablesType(NFT_MSG_GETRULE), 0, ReadTestFile(directory + "/nft_rules.bin"));
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
