#include "runtime/doctor/instance_checks.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/doctor/netfilter/address.h"

namespace phantun_runtime::doctor {
namespace {

using netfilter::Action;
using netfilter::Field;
using netfilter::Op;

// The port a rule matches exactly (tcp dport N), 0 when it matches none or a range.
uint16_t ExactDport(const netfilter::Rule& rule) {
  for (const netfilter::Condition& condition : rule.conditions) {
    if (condition.field == Field::kDport && condition.op == Op::kEq && condition.value.size() == 2 && condition.mask.empty()) {
      return static_cast<uint16_t>((static_cast<uint8_t>(condition.value[0]) << 8) | static_cast<uint8_t>(condition.value[1]));
    }
  }
  return 0;
}

void DnatCollisions(const Context& context, std::vector<std::string>* found) {
  const std::string peer4 = netfilter::ParseIpAddress(context.options.tun_peer).value_or("");
  const std::string peer6 = netfilter::ParseIpAddress(context.options.tun_peer6).value_or("");
  const uint16_t port = static_cast<uint16_t>(context.options.port);
  for (const netfilter::Table& table : context.netfilter.ruleset.tables) {
    for (const netfilter::Chain& chain : table.chains) {
      for (const netfilter::Rule& rule : chain.rules) {
        if (rule.action != Action::kDnat || rule.nat.unknown_address || rule.nat.address_min.empty()) continue;
        const uint16_t dport = ExactDport(rule);
        if (dport == 0) continue;
        const std::string& to = rule.nat.address_min;
        const bool to_peer = to == peer4 || to == peer6;
        const std::string where = absl::StrCat(netfilter::FamilyName(table.family), " ", table.name, " ", chain.name, ": ",
                                               rule.text);
        if (dport == port && !to_peer) {
          found->push_back(absl::StrCat("tcp/", port, " is DNATed to ", netfilter::FormatIpAddress(to),
                                        ", not this instance's TUN peer address (", where,
                                        "): another instance on the same port? give each its own --local port"));
        } else if (dport != port && to_peer && rule.nat.port_min == 0) {
          found->push_back(absl::StrCat("tcp/", dport, " is DNATed to this instance's TUN peer address ",
                                        netfilter::FormatIpAddress(to), " (", where,
                                        "): another instance with the same --tun-peer? give each its own addresses"));
        }
      }
    }
  }
}

}  // namespace

std::vector<std::string> InstanceCollisions(const Context& context) {
  std::vector<std::string> found;
  std::vector<std::pair<std::string, std::string>> own = {{"--tun-local", context.options.tun_local},
                                                          {"--tun-peer", context.options.tun_peer}};
  if (!context.options.ipv4_only) {
    own.push_back({"--tun-local6", context.options.tun_local6});
    own.push_back({"--tun-peer6", context.options.tun_peer6});
  }
  for (const netfilter::InterfaceFact& interface : context.network.interfaces) {
    if (interface.name == context.tun) continue;
    for (const std::string& address : interface.addresses) {
      for (const auto& [flag, text] : own) {
        if (address != netfilter::ParseIpAddress(text).value_or("")) continue;
        found.push_back(absl::StrCat(interface.name, " holds ", text, ", this instance's ", flag,
                                     ": another phantun instance (or network) has the same address; give each its own"));
      }
    }
  }
  if (context.options.mode == Mode::kServer && context.options.port != 0) DnatCollisions(context, &found);
  return found;
}

void CheckInstances(const Context& context, Report* report) {
  const std::vector<std::string> collisions = InstanceCollisions(context);
  if (collisions.empty()) {
    report->Add("instance.collision", Verdict::kPass,
                "no other interface holds this instance's TUN addresses, no rule sends its port elsewhere");
    return;
  }
  report->Add("instance.collision", Verdict::kWarn, absl::StrJoin(collisions, "; "),
              "give every phantun instance on this host its own --tun name, --tun-local/--tun-peer addresses and (server) port");
}

}  // namespace phantun_runtime::doctor
