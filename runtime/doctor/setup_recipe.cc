#include "runtime/doctor/setup_recipe.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "runtime/doctor/context.h"
#include "runtime/doctor/fixes.h"
#include "runtime/doctor/instance_checks.h"
#include "runtime/doctor/netfilter/address.h"
#include "runtime/doctor/rule_text.h"

namespace phantun_runtime::doctor {
namespace {

using netfilter::Action;
using netfilter::Family;
using netfilter::Hook;
using netfilter::Ruleset;
using netfilter::Source;
using netfilter::Table;

// What names the instance in every backend.
struct Instance {
  std::string tun;      // the TUN's name
  std::string id;       // InstanceId(tun)
  std::string comment;  // on every rule in a chain of somebody else's: "phantun <tun>"
  std::string table;    // nft: the instance's own table, "phantun_<id>"
  bool server = false;
  bool ipv6 = true;
};

std::vector<Family> Families(const Instance& instance) {
  if (!instance.ipv6) return {Family::kIpv4};
  return {Family::kIpv4, Family::kIpv6};
}

bool InUse(const Table& table) {
  for (const netfilter::Chain& chain : table.chains) {
    if (!chain.base || !chain.rules.empty() || chain.policy != Action::kAccept) return true;
  }
  return false;
}

bool HasTable(const Ruleset& ruleset, Source source, const std::string& name) {
  for (const Table& table : ruleset.tables) {
    if (table.source == source && table.name == name) return true;
  }
  return false;
}

bool LegacyInUse(const Ruleset& ruleset) {
  for (const Table& table : ruleset.tables) {
    if (table.source == Source::kIptablesLegacy && InUse(table)) return true;
  }
  return false;
}

// --backend, or what this host's rules are written with: OpenWrt's fw4 and firewalld own their
// tables; a host whose tables are all iptables's gets iptables, in the variant in use.
std::string ChooseBackend(const Context& context, std::string* reason) {
  const Ruleset& ruleset = context.netfilter.ruleset;
  const std::string& given = context.options.setup_backend;
  const std::string variant = LegacyInUse(ruleset) ? "iptables-legacy" : "iptables-nft";
  if (given == "iptables") {
    *reason = absl::StrCat("--backend iptables, in the variant this host uses (",
                           variant == "iptables-legacy" ? "its legacy tables hold rules" : "no legacy table holds rules", ")");
    return variant;
  }
  if (!given.empty()) {
    *reason = "--backend";
    return given;
  }
  if (HasTable(ruleset, Source::kNftables, "fw4")) {
    *reason = "this host's rules are OpenWrt's fw4 (table inet fw4)";
    return "fw4";
  }
  if (HasTable(ruleset, Source::kNftables, "firewalld")) {
    *reason = "this host's rules are firewalld's (table inet firewalld)";
    return "firewalld";
  }
  if (netfilter::UsesIptables(context.netfilter) && !ruleset.tables.empty()) {
    *reason = absl::StrCat("this host's tables are all iptables's (", variant, ")");
    return variant;
  }
  *reason = ruleset.tables.empty() ? "no rules here yet: nftables, the default of current distributions"
                                   : "this host's rules are nftables's";
  return "nft";
}

std::string PeerText(const Context& context, Family family) {
  return family == Family::kIpv6 ? context.options.tun_peer6 : context.options.tun_peer;
}

// ---------------------------------------------------------------------------------------------
// nft and iptables: the rules, placed in the doctor's copy of the ruleset and traced.

struct Plan {
  Ruleset ruleset;
  int own_table = -1;               // nft: the instance's table in `ruleset`
  std::vector<Addition> nat;        // in the instance's table (nft) or iptables's nat tables
  std::vector<Addition> accepts;    // in chains of somebody else's
};

// iptables's nat table of the variant and family, added to the copy when the host has none yet
// (the first iptables -t nat command creates it).
int NatTableOf(Ruleset* ruleset, Source source, Family family) {
  for (size_t i = 0; i < ruleset->tables.size(); ++i) {
    const Table& table = ruleset->tables[i];
    if (table.source == source && table.family == family && table.name == "nat") return static_cast<int>(i);
  }
  Table table;
  table.source = source;
  table.family = family;
  table.name = "nat";
  for (const auto& [name, hook, priority] : {std::tuple{"PREROUTING", Hook::kPrerouting, -100},
                                             std::tuple{"POSTROUTING", Hook::kPostrouting, 100}}) {
    netfilter::Chain chain;
    chain.name = name;
    chain.base = true;
    chain.type = "nat";
    chain.hook = hook;
    chain.priority = priority;
    table.chains.push_back(chain);
  }
  ruleset->tables.push_back(table);
  return static_cast<int>(ruleset->tables.size()) - 1;
}

int ChainIndex(const Table& table, const std::string& name) {
  for (size_t i = 0; i < table.chains.size(); ++i) {
    if (table.chains[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

// The NAT: a DNAT per family on the server, a masquerade on the client.
void PlanNat(const Context& context, const Instance& instance, const std::string& backend, Plan* plan) {
  netfilter::Packet packet;
  packet.iifname = instance.server ? context.wan : instance.tun;
  packet.oifname = instance.server ? instance.tun : context.wan;
  packet.dport = static_cast<uint16_t>(context.options.port);
  if (backend == "nft") {
    Table table;
    table.source = Source::kNftables;
    table.family = Family::kInet;
    table.name = instance.table;
    netfilter::Chain chain;
    chain.base = true;
    chain.type = "nat";
    chain.hook = instance.server ? Hook::kPrerouting : Hook::kPostrouting;
    chain.name = instance.server ? "prerouting" : "postrouting";
    chain.priority = instance.server ? -100 : 100;
    table.chains.push_back(chain);
    plan->ruleset.tables.push_back(table);
    plan->own_table = static_cast<int>(plan->ruleset.tables.size()) - 1;
    if (!instance.server) {  // one masquerade of what comes from the TUN, for both families
      plan->nat.push_back(MasqueradeFor(plan->ruleset, plan->own_table, 0, packet, ""));
      return;
    }
    for (const Family family : Families(instance)) {
      packet.family = family;
      plan->nat.push_back(DnatFor(plan->own_table, 0, context, packet, ""));
    }
    return;
  }
  const Source source = backend == "iptables-legacy" ? Source::kIptablesLegacy : Source::kIptablesNft;
  for (const Family family : Families(instance)) {
    const int table = NatTableOf(&plan->ruleset, source, family);
    const int chain = ChainIndex(plan->ruleset.tables[static_cast<size_t>(table)], instance.server ? "PREROUTING" : "POSTROUTING");
    if (chain < 0) continue;  // a nat table without its built-in chain: nothing iptables would write
    packet.family = family;
    if (instance.server) {
      plan->nat.push_back(DnatFor(table, chain, context, packet, instance.comment));
    } else {
      packet.saddr = netfilter::ParseIpAddress(PeerText(context, family)).value_or("");
      plan->nat.push_back(MasqueradeFor(plan->ruleset, table, chain, packet, instance.comment));
    }
  }
}

bool IsSyn(PacketRole role) { return role == PacketRole::kServerSyn || role == PacketRole::kClientSyn; }

// Adds the NAT to a copy of the host's ruleset, traces phantun's packets through it, adds the
// accepts the traces need, and says in `notes` what the traces still find wrong.
// `planned` is the doctor's context, whose ruleset becomes the recipe's (the checks do not run
// when a recipe is printed, so no copy is made).
Plan PlanRules(Context* planned_context, const Host& host, const Instance& instance, const std::string& backend,
               std::vector<std::string>* notes) {
  Context& planned = *planned_context;
  const Context& context = planned;
  Plan plan;
  plan.ruleset = std::move(planned.netfilter.ruleset);
  PlanNat(context, instance, backend, &plan);
  for (const Addition& addition : plan.nat) Apply(addition, &plan.ruleset);
  planned.netfilter.ruleset = std::move(plan.ruleset);
  TraceRounds(host, &planned);
  const std::vector<PhantunTrace> syns = std::move(planned.traces);
  for (const PhantunTrace& traced : syns) {
    if (!IsSyn(traced.role)) continue;
    const std::optional<std::vector<Addition>> accepts =
        AcceptsThrough(planned, traced, instance.comment, &planned.netfilter.ruleset);
    if (!accepts.has_value()) continue;  // what still drops it is in the notes below
    for (const Addition& addition : *accepts) plan.accepts.push_back(addition);
  }
  TraceRounds(host, &planned);
  plan.ruleset = planned.netfilter.ruleset;
  // nft needs a comment of its own per rule to find it again (a handle changes on every insert).
  int numbered = 0;
  for (Addition& addition : plan.accepts) {
    if (plan.ruleset.tables[static_cast<size_t>(addition.table)].source == Source::kNftables) {
      addition.spec.comment = absl::StrCat(instance.comment, " ", ++numbered);
    }
  }
  bool route_noted = false;
  for (const PhantunTrace& traced : planned.traces) {
    for (const netfilter::Path& path : traced.trace.paths) {
      const PathVerdict verdict = JudgePath(planned, traced.role, path);
      if (verdict.blame == Blame::kNone) continue;
      if (verdict.blame == Blame::kRoute) {
        if (!route_noted) {
          notes->push_back(absl::StrCat("routes: ", verdict.why,
                                        context.FindLink(instance.tun) == nullptr
                                            ? " (phantun's TUN is not up yet: run the doctor again once phantun runs)"
                                            : ""));
        }
        route_noted = true;
        continue;
      }
      notes->push_back(absl::StrCat("with this recipe applied, the ", RoleName(traced.role), " ",
                                    verdict.blame == Blame::kUnknown ? "may not get through: " : "still fails: ",
                                    verdict.why));
      break;
    }
  }
  return plan;
}

const Table& TableOf(const Plan& plan, const Addition& addition) {
  return plan.ruleset.tables[static_cast<size_t>(addition.table)];
}
const std::string& ChainOf(const Plan& plan, const Addition& addition) {
  return TableOf(plan, addition).chains[static_cast<size_t>(addition.chain)].name;
}

std::string NftWhere(const Table& table, const std::string& chain) {
  return absl::StrCat(netfilter::FamilyName(table.family), " ", table.name, " ", chain);
}

// One rule in a chain of somebody else's: added at the top when missing.
std::string AddOnce(const Plan& plan, const Addition& addition) {
  const Table& table = TableOf(plan, addition);
  const std::string& chain = ChainOf(plan, addition);
  if (table.source == Source::kNftables) {
    const std::string where = NftWhere(table, chain);
    return absl::StrCat("nft list chain ", where, " | grep -qF 'comment \"", addition.spec.comment, "\"' ||\n  nft 'insert rule ",
                        where, " ", NftRuleText(addition.spec, table.family), "'\n");
  }
  const std::string tool = absl::StrCat(IptablesBinary(table), " -t ", table.name);
  const std::string rule = IptablesRuleText(addition.spec);
  return absl::StrCat(tool, " -C ", chain, " ", rule, " 2>/dev/null ||\n  ", tool, " -I ", chain, " 1 ", rule, "\n");
}

// Its undo: every copy of it deleted, nothing when there is none.
std::string RemoveAll(const Plan& plan, const Addition& addition) {
  const Table& table = TableOf(plan, addition);
  const std::string& chain = ChainOf(plan, addition);
  if (table.source == Source::kNftables) {
    const std::string where = NftWhere(table, chain);
    return absl::StrCat("nft -a list chain ", where, " 2>/dev/null | sed -n 's/.* comment \"", addition.spec.comment,
                        "\" # handle \\([0-9]*\\)$/\\1/p' |\n  while read -r handle; do nft delete rule ", where,
                        " handle \"$handle\"; done\n");
  }
  const std::string tool = absl::StrCat(IptablesBinary(table), " -t ", table.name);
  const std::string rule = IptablesRuleText(addition.spec);
  return absl::StrCat("while ", tool, " -C ", chain, " ", rule, " 2>/dev/null; do\n  ", tool, " -D ", chain, " ", rule,
                      "; done\n");
}

// The instance's own nft table, as nft -f reads it: declared, deleted and written whole, so that
// loading it again replaces it (also one a changed recipe left) and touches no other table.
std::string OwnTable(const Plan& plan, const Instance& instance) {
  const Table& table = plan.ruleset.tables[static_cast<size_t>(plan.own_table)];
  const netfilter::Chain& chain = table.chains[0];
  std::string text = absl::StrCat("table inet ", instance.table, "\ndelete table inet ", instance.table, "\ntable inet ",
                                  instance.table, " {\n\tchain ", chain.name, " {\n\t\ttype nat hook ", chain.name,
                                  " priority ", instance.server ? "dstnat" : "srcnat", "; policy accept;\n");
  for (const Addition& addition : plan.nat) absl::StrAppend(&text, "\t\t", NftRuleText(addition.spec, table.family), "\n");
  absl::StrAppend(&text, "\t}\n}\n");
  return text;
}

std::string Sysctls(const Instance& instance, const std::string& wan) {
  std::string text = "sysctl -w net.ipv4.ip_forward=1\n";
  if (instance.ipv6) {
    absl::StrAppend(&text, "sysctl -w net.ipv6.conf.all.forwarding=1\n",
                    "# with IPv6 forwarding on, a WAN configured by router advertisements keeps its default route\n"
                    "# only with: sysctl -w net.ipv6.conf.",
                    wan, ".accept_ra=2\n");
  }
  return text;
}

// Forwarding is left on by undo: other services on the host may rely on it.
constexpr char kForwardingStaysOn[] =
    "# forwarding stays on (other services may need it); off: sysctl -w net.ipv4.ip_forward=0\n";

std::string SysctlFile(const Instance& instance) { return absl::StrCat("/etc/sysctl.d/90-phantun-", instance.id, ".conf"); }

std::string PersistSysctls(const Instance& instance) {
  return absl::StrCat("printf '%s\\n' 'net.ipv4.ip_forward = 1'", instance.ipv6 ? " 'net.ipv6.conf.all.forwarding = 1'" : "",
                      " >", SysctlFile(instance), "\n");
}

// A boot-time unit that runs the rules part of apply (and undo when stopped), after the services
// that write the chains it adds to.
std::string PersistUnit(const Instance& instance, const std::string& rules, const std::string& undo) {
  const std::string unit = absl::StrCat("phantun-setup-", instance.id);
  return absl::StrCat("mkdir -p /etc/phantun\ncat >/etc/phantun/", unit, ".sh <<'PHANTUN_SETUP'\n", rules,
                      "PHANTUN_SETUP\ncat >/etc/phantun/", unit, "-undo.sh <<'PHANTUN_SETUP'\n", undo,
                      "PHANTUN_SETUP\ncat >/etc/systemd/system/", unit,
                      ".service <<'PHANTUN_SETUP'\n[Unit]\nDescription=phantun host rules for ", instance.tun,
                      " (phantun-doctor --print-setup)\nAfter=network-online.target nftables.service docker.service "
                      "firewalld.service\nWants=network-online.target\n\n[Service]\nType=oneshot\nRemainAfterExit=yes\n"
                      "ExecStart=/bin/sh -e /etc/phantun/",
                      unit, ".sh\nExecStop=/bin/sh /etc/phantun/", unit,
                      "-undo.sh\n\n[Install]\nWantedBy=multi-user.target\nPHANTUN_SETUP\nsystemctl daemon-reload\n"
                      "systemctl enable ",
                      unit, ".service\n");
}

std::string UnpersistUnit(const Instance& instance) {
  const std::string unit = absl::StrCat("phantun-setup-", instance.id);
  return absl::StrCat("if [ -e /etc/systemd/system/", unit, ".service ]; then systemctl disable ", unit,
                      ".service; fi\nrm -f /etc/systemd/system/", unit, ".service /etc/phantun/", unit, ".sh /etc/phantun/",
                      unit, "-undo.sh\nsystemctl daemon-reload\n");
}

void NetfilterRecipe(Context* planned, const Host& host, const Instance& instance, Recipe* recipe) {
  const Context& context = *planned;
  const Plan plan = PlanRules(planned, host, instance, recipe->backend, &recipe->notes);
  std::string rules;  // what apply adds, without the sysctls
  std::string undo;
  if (plan.own_table >= 0) {
    absl::StrAppend(&rules, "nft -f - <<'EOF'\n", OwnTable(plan, instance), "EOF\n");
  }
  for (const Addition& addition : plan.nat) {
    if (plan.own_table < 0) absl::StrAppend(&rules, AddOnce(plan, addition));
  }
  for (const Addition& addition : plan.accepts) absl::StrAppend(&rules, AddOnce(plan, addition));
  for (auto it = plan.accepts.rbegin(); it != plan.accepts.rend(); ++it) absl::StrAppend(&undo, RemoveAll(plan, *it));
  for (auto it = plan.nat.rbegin(); it != plan.nat.rend(); ++it) {
    if (plan.own_table < 0) absl::StrAppend(&undo, RemoveAll(plan, *it));
  }
  if (plan.own_table >= 0) {
    absl::StrAppend(&undo, "if nft list table inet ", instance.table, " >/dev/null 2>&1; then nft delete table inet ",
                    instance.table, "; fi\n");
  }
  recipe->apply = absl::StrCat(Sysctls(instance, WanLabel(context)), rules);
  recipe->undo = absl::StrCat(undo, kForwardingStaysOn);
  recipe->persist = PersistSysctls(instance);
  recipe->unpersist = absl::StrCat("rm -f ", SysctlFile(instance), "\n");
  if (plan.own_table >= 0) {
    // The instance's table in a file of its own, included by the ruleset nftables.service loads at
    // boot; the accepts in other tables by a unit that runs after those tables' owners.
    const std::string file = absl::StrCat("/etc/nftables.d/", instance.table, ".nft");
    const std::string include = absl::StrCat("include \"", file, "\"");
    absl::StrAppend(&recipe->persist, "mkdir -p /etc/nftables.d\ncat >", file, " <<'EOF'\n", OwnTable(plan, instance),
                    "EOF\ngrep -qxF '", include, "' /etc/nftables.conf || echo '", include,
                    "' >>/etc/nftables.conf\nsystemctl enable nftables.service\n");
    absl::StrAppend(&recipe->unpersist, "rm -f ", file, "\nsed -i '\\|^", include, "$|d' /etc/nftables.conf\n");
    if (!plan.accepts.empty()) {
      std::string accepts;
      std::string accepts_undo;
      for (const Addition& addition : plan.accepts) absl::StrAppend(&accepts, AddOnce(plan, addition));
      for (auto it = plan.accepts.rbegin(); it != plan.accepts.rend(); ++it) {
        absl::StrAppend(&accepts_undo, RemoveAll(plan, *it));
      }
      absl::StrAppend(&recipe->persist, PersistUnit(instance, accepts, accepts_undo));
      absl::StrAppend(&recipe->unpersist, UnpersistUnit(instance));
    }
  } else {
    absl::StrAppend(&recipe->persist, PersistUnit(instance, rules, undo));
    absl::StrAppend(&recipe->unpersist, UnpersistUnit(instance));
  }
}

// ---------------------------------------------------------------------------------------------
// fw4 (OpenWrt 22.03 and later): UCI sections of the instance's own in /etc/config/firewall.

// `prefix` + `name`, at most `limit` characters: a name too long keeps its start and gets a hash of
// the whole (FNV-1a, 16 bits in hex) instead of its end, so that two long TUN names that share
// their start still give two names.
std::string ShortName(const std::string& prefix, const std::string& name, const std::string& suffix, size_t limit) {
  const std::string whole = absl::StrCat(prefix, name, suffix);
  if (whole.size() <= limit) return whole;
  uint32_t hash = 2166136261u;
  for (const char c : name) hash = (hash ^ static_cast<uint8_t>(c)) * 16777619u;
  const std::string tag = absl::StrCat(absl::Hex((hash ^ (hash >> 16)) & 0xffff, absl::kZeroPad4));
  return absl::StrCat(prefix, name.substr(0, limit - prefix.size() - suffix.size() - tag.size()), tag, suffix);
}

// fw4 zone names are kept to 11 characters, the limit fw3 had and LuCI still applies.
std::string Fw4Zone(const Instance& instance) { return ShortName("pt_", instance.id, "", 11); }

// The UCI batch being written: `set` lines for apply, a `delete` per section for undo. Each line
// is appended by a call, not built from tables of strings: that keeps the doctor small.
struct UciBatch {
  std::string set;
  std::string undo;
  std::string section;

  void Section(std::string name, const char* type) {
    section = std::move(name);
    absl::StrAppend(&set, "set firewall.", section, "=", type, "\n");
    absl::StrAppend(&undo, "uci -q delete firewall.", section, " || true\n");
  }
  void Option(const char* option, absl::string_view value) {
    absl::StrAppend(&set, "set firewall.", section, ".", option, "='", value, "'\n");
  }
};

void Fw4Recipe(const Context& context, const Instance& instance, Recipe* recipe) {
  const std::string zone = Fw4Zone(instance);
  const std::string base = absl::StrCat("phantun_", instance.id);
  UciBatch uci;
  uci.Section(base, "zone");
  uci.Option("name", zone);
  uci.Option("device", instance.tun);
  uci.Option("input", "REJECT");
  uci.Option("output", "ACCEPT");
  uci.Option("forward", "REJECT");
  for (const Family family : Families(instance)) {
    const bool v6 = family == Family::kIpv6;
    if (instance.server) {
      // A DNAT redirect with a destination zone: fw4 also accepts the forwarded connection.
      uci.Section(absl::StrCat(base, v6 ? "_dnat6" : "_dnat"), "redirect");
      uci.Option("name", absl::StrCat(instance.comment, v6 ? " DNAT IPv6" : " DNAT"));
      uci.Option("family", v6 ? "ipv6" : "ipv4");
      uci.Option("proto", "tcp");
      uci.Option("src", "wan");
      uci.Option("src_dport", absl::StrCat(context.options.port));
      uci.Option("dest", zone);
      uci.Option("dest_ip", PeerText(context, family));
      uci.Option("target", "DNAT");
    } else {
      uci.Section(absl::StrCat(base, v6 ? "_masq6" : "_masq"), "nat");
      uci.Option("name", absl::StrCat(instance.comment, v6 ? " masquerade IPv6" : " masquerade"));
      uci.Option("family", v6 ? "ipv6" : "ipv4");
      uci.Option("src", "wan");
      uci.Option("src_ip", PeerText(context, family));
      uci.Option("target", "MASQUERADE");
    }
  }
  if (!instance.server) {
    uci.Section(absl::StrCat(base, "_out"), "forwarding");
    uci.Option("src", zone);
    uci.Option("dest", "wan");
  }
  const std::string& batch = uci.set;
  const std::string& undo = uci.undo;
  recipe->apply = absl::StrCat(Sysctls(instance, WanLabel(context)), "uci batch <<'EOF'\n", batch,
                               "EOF\nuci commit firewall\n/etc/init.d/firewall reload\n");
  recipe->undo = absl::StrCat(undo, "uci commit firewall\n/etc/init.d/firewall reload\n", kForwardingStaysOn);
  recipe->persist = absl::StrCat(PersistSysctls(instance), "# the firewall sections are persistent: apply ran uci commit\n");
  recipe->unpersist = absl::StrCat("rm -f ", SysctlFile(instance), "\n");
  recipe->notes.push_back(absl::StrCat("fw4: 'wan' is OpenWrt's zone of the WAN; if ", WanLabel(context),
                                       " is in another zone, use that zone's name instead"));
}

// ---------------------------------------------------------------------------------------------
// firewalld (0.9 and later, for policies): a zone and a policy of the instance's own, the port
// forward in the WAN's zone; everything --permanent, then --reload.

void FirewalldRecipe(const Context& context, const Instance& instance, Recipe* recipe) {
  // firewalld's zone and policy names are at most 17 characters.
  const std::string zone = ShortName("pt-", instance.tun, "", 17);
  const std::string policy = ShortName("pt-", instance.tun, "-out", 17);
  const std::string fw = "firewall-cmd --permanent";
  // The WAN's zone, or the default zone, which takes an interface that is in none.
  const std::string wan_zone = absl::StrCat("WAN_ZONE=$(firewall-cmd --get-zone-of-interface=", WanLabel(context),
                                            " 2>/dev/null) || WAN_ZONE=$(firewall-cmd --get-default-zone)\n");
  std::string apply = absl::StrCat(fw, " --info-zone=", zone, " >/dev/null 2>&1 || ", fw, " --new-zone=", zone, "\n", fw,
                                   " --zone=", zone, " --add-interface=", instance.tun, "\n", wan_zone);
  std::string undo = wan_zone;
  for (const Family family : Families(instance)) {
    if (!instance.server) break;
    const std::string port = absl::StrCat(context.options.port);
    const std::string element =
        family == Family::kIpv4
            ? absl::StrCat("-forward-port=port=", port, ":proto=tcp:toaddr=", PeerText(context, family))
            : absl::StrCat("-rich-rule='rule family=\"ipv6\" forward-port port=\"", port, "\" protocol=\"tcp\" to-port=\"", port,
                           "\" to-addr=\"", PeerText(context, family), "\"'");
    absl::StrAppend(&apply, fw, " --zone=\"$WAN_ZONE\" --add", element, "\n");
    absl::StrAppend(&undo, fw, " --zone=\"$WAN_ZONE\" --remove", element, "\n");
  }
  if (!instance.server) {
    absl::StrAppend(&apply, fw, " --info-policy=", policy, " >/dev/null 2>&1 || ", fw, " --new-policy=", policy, "\n", fw,
                    " --policy=", policy, " --add-ingress-zone=", zone, "\n", fw, " --policy=", policy,
                    " --add-egress-zone=\"$WAN_ZONE\"\n", fw, " --policy=", policy, " --set-target=ACCEPT\n", fw,
                    " --policy=", policy, " --add-masquerade\n");
    absl::StrAppend(&undo, "! ", fw, " --info-policy=", policy, " >/dev/null 2>&1 || ", fw, " --delete-policy=", policy, "\n");
  }
  absl::StrAppend(&apply, "firewall-cmd --reload\n");
  absl::StrAppend(&undo, "! ", fw, " --info-zone=", zone, " >/dev/null 2>&1 || ", fw, " --delete-zone=", zone,
                  "\nfirewall-cmd --reload\n");
  recipe->apply = absl::StrCat(Sysctls(instance, WanLabel(context)), apply);
  recipe->undo = absl::StrCat(undo, kForwardingStaysOn);
  recipe->persist = absl::StrCat(PersistSysctls(instance), "# the firewalld settings are persistent: apply used --permanent\n");
  recipe->unpersist = absl::StrCat("rm -f ", SysctlFile(instance), "\n");
}

std::string Commented(const std::string& script) {
  std::string text;
  std::vector<absl::string_view> lines = absl::StrSplit(script, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  for (const absl::string_view line : lines) absl::StrAppend(&text, line.empty() ? "#" : "#   ", line, "\n");
  return text;
}

}  // namespace

std::string InstanceId(const std::string& tun) {
  std::string id = tun;
  for (char& c : id) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!keep) c = '_';
  }
  return id;
}

Recipe PlanSetup(Context* planned, const Host& host) {
  const Context& context = *planned;
  Instance instance;
  instance.tun = context.tun;
  instance.id = InstanceId(context.tun);
  instance.comment = absl::StrCat("phantun ", context.tun);
  instance.table = absl::StrCat("phantun_", instance.id);
  instance.server = context.options.mode == Mode::kServer;
  instance.ipv6 = !context.options.ipv4_only;
  Recipe recipe;
  recipe.backend = ChooseBackend(context, &recipe.backend_reason);
  for (const std::string& collision : InstanceCollisions(context)) recipe.notes.push_back(absl::StrCat("warning: ", collision));
  if (recipe.backend == "fw4") {
    Fw4Recipe(context, instance, &recipe);
  } else if (recipe.backend == "firewalld") {
    FirewalldRecipe(context, instance, &recipe);
  } else {
    const std::string unread = netfilter::UnreadableBackends(context.netfilter);
    if (!unread.empty()) {
      recipe.notes.push_back(absl::StrCat("warning: not readable here: ", unread,
                                          "; the accepts a drop there needs are not in this recipe"));
    }
    NetfilterRecipe(planned, host, instance, &recipe);
  }
  return recipe;
}

std::string RenderSetup(const Context& context, const Recipe& recipe, const std::string& part) {
  const std::pair<const char*, const std::string*> parts[] = {
      {"apply", &recipe.apply}, {"persist", &recipe.persist}, {"undo", &recipe.undo}, {"unpersist", &recipe.unpersist}};
  if (!part.empty()) {
    for (const auto& [name, text] : parts) {
      if (part == name) return absl::StrCat("#!/bin/sh\nset -e\n", *text);
    }
  }
  const bool server = context.options.mode == Mode::kServer;
  std::string text = absl::StrCat(
      "# phantun host set-up, printed by phantun-doctor --print-setup (it applied nothing)\n# instance: ",
      server ? "server" : "client", ", TUN ", context.tun, " ", context.options.tun_local, " <-> ", context.options.tun_peer,
      context.options.ipv4_only ? "" : absl::StrCat(", ", context.options.tun_local6, " <-> ", context.options.tun_peer6),
      server ? absl::StrCat(", tcp/", context.options.port) : "", " on ", WanLabel(context), "\n# backend: ", recipe.backend,
      " (", recipe.backend_reason, ")\n");
  for (const std::string& note : recipe.notes) absl::StrAppend(&text, "# ", note, "\n");
  absl::StrAppend(&text, "# Run as root; every part is idempotent. One part alone, as a script: --part PART.\n");
  for (const auto& [name, script] : parts) {
    const bool live = std::string_view(name) == "apply";
    absl::StrAppend(&text, "\n# --- ", name, live ? "" : " (commented out: --part ", live ? "" : name, live ? "" : ")",
                    " ---\n", live ? *script : Commented(*script));
  }
  return text;
}

}  // namespace phantun_runtime::doctor
