// phantun-doctor --print-setup's recipes, planned on netfilter state captured from real kernels
// (testdata) and on hosts made up for fw4 and firewalld, which this machine cannot run: their
// commands are checked against the documented syntax (OpenWrt's firewall UCI options, firewall-cmd's
// options and rich-rule language). The nft and iptables recipes are also applied for real, with
// the tunnel running through them, by tests/doctor/setup/setup_proof.sh.
#include "runtime/doctor/setup_recipe.h"

#include <linux/rtnetlink.h>
#include <net/if.h>

#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/doctor/context.h"
#include "tests/doctor/fake_host.h"

namespace phantun_runtime::doctor {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class SetupRecipe : public ::testing::Test {
 protected:
  SetupRecipe() {
    host.AddLink("eth0", 2, 2, 1500, IFF_UP, /*tun=*/false, /*hardware=*/true);
    host.AddDefaultRoute("eth0");
    host.AddIpv4Address(2, "198.18.0.1", "198.18.0.1");
    host.AddRoute("198.18.0.1", "", 0, 1, RTN_LOCAL);
    options.print_setup = true;
  }
  void Server() {
    options.mode = Mode::kServer;
    options.port = 4567;
    options.tun_local = "192.168.201.1";
    options.tun_peer = "192.168.201.2";
    options.tun_local6 = "fcc9::1";
    options.tun_peer6 = "fcc9::2";
  }
  void Client() {
    options.mode = Mode::kClient;
    options.tun_local = "192.168.200.1";
    options.tun_peer = "192.168.200.2";
    options.tun_local6 = "fcc8::1";
    options.tun_peer6 = "fcc8::2";
  }
  Recipe Plan(const std::string& scenario) {
    host.LoadScenario(scenario);
    Context context = ResolveContext(options, host);
    return PlanSetup(&context, host);
  }
  FakeHost host;
  Options options;
};

TEST_F(SetupRecipe, FreshHostGetsATableOfTheInstancesOwnForBothFamilies) {
  Server();
  const Recipe recipe = Plan("empty");
  EXPECT_EQ(recipe.backend, "nft");
  EXPECT_EQ(recipe.apply,
            "sysctl -w net.ipv4.ip_forward=1\n"
            "sysctl -w net.ipv6.conf.all.forwarding=1\n"
            "# with IPv6 forwarding on, a WAN configured by router advertisements keeps its default route\n"
            "# only with: sysctl -w net.ipv6.conf.eth0.accept_ra=2\n"
            "nft -f - <<'EOF'\n"
            "table inet phantun_tun0\n"
            "delete table inet phantun_tun0\n"
            "table inet phantun_tun0 {\n"
            "\tchain prerouting {\n"
            "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
            "\t\tiifname \"eth0\" tcp dport 4567 dnat ip to 192.168.201.2\n"
            "\t\tiifname \"eth0\" tcp dport 4567 dnat ip6 to fcc9::2\n"
            "\t}\n"
            "}\n"
            "EOF\n");
  EXPECT_EQ(recipe.undo,
            "if nft list table inet phantun_tun0 >/dev/null 2>&1; then nft delete table inet phantun_tun0; fi\n"
            "# forwarding stays on (other services may need it); off: sysctl -w net.ipv4.ip_forward=0\n");
  EXPECT_THAT(recipe.persist, HasSubstr("cat >/etc/nftables.d/phantun_tun0.nft <<'EOF'\ntable inet phantun_tun0\n"));
  EXPECT_THAT(recipe.persist, HasSubstr("include \"/etc/nftables.d/phantun_tun0.nft\""));
  EXPECT_THAT(recipe.persist, HasSubstr("'net.ipv6.conf.all.forwarding = 1' >/etc/sysctl.d/90-phantun-tun0.conf"));
  EXPECT_THAT(recipe.unpersist, HasSubstr("rm -f /etc/nftables.d/phantun_tun0.nft"));
  // Nothing drops the packets here, so no accept; the TUN is not up yet, which is said.
  EXPECT_THAT(recipe.apply, Not(HasSubstr("insert rule")));
}

TEST_F(SetupRecipe, Ipv4OnlyLeavesIpv6Out) {
  Client();
  options.ipv4_only = true;
  const Recipe recipe = Plan("empty");
  EXPECT_THAT(recipe.apply, Not(HasSubstr("ipv6")));
  EXPECT_THAT(recipe.apply, HasSubstr("\t\tiifname \"tun0\" oifname \"eth0\" masquerade\n"));
  EXPECT_THAT(recipe.persist, Not(HasSubstr("ipv6")));
}

// phantun's documented nft rules, captured: inet filter forward has policy drop and accepts only
// what comes from tun0, so the server's SYN (eth0 -> tun0) needs an accept, inserted into that
// chain (an accept in a table of the instance's own would not outvote a drop in another), found
// again by its comment and removed by handle.
TEST_F(SetupRecipe, AcceptGoesAheadOfTheDropInTheChainThatDrops) {
  Server();
  options.ipv4_only = true;
  const Recipe recipe = Plan("nft_phantun");
  EXPECT_EQ(recipe.backend, "nft");
  EXPECT_THAT(recipe.apply,
              HasSubstr("nft list chain inet filter forward | grep -qF 'comment \"phantun tun0 1\"' ||\n"
                        "  nft 'insert rule inet filter forward iifname \"eth0\" oifname \"tun0\" meta l4proto tcp accept "
                        "comment \"phantun tun0 1\"'\n"));
  EXPECT_THAT(recipe.undo, HasSubstr("nft -a list chain inet filter forward 2>/dev/null | sed -n 's/.* comment \"phantun "
                                     "tun0 1\" # handle \\([0-9]*\\)$/\\1/p' |\n  while read -r handle; do nft delete "
                                     "rule inet filter forward handle \"$handle\"; done\n"));
  // The accept lives in somebody else's table: a boot unit adds it again, after that table's owner.
  EXPECT_THAT(recipe.persist, HasSubstr("/etc/systemd/system/phantun-setup-tun0.service"));
  for (const std::string& note : recipe.notes) EXPECT_THAT(note, Not(HasSubstr("with this recipe applied"))) << note;
}

// The same rules written with iptables-legacy: the host's backend; the DNAT and the accept are
// added once (-C before -I) with the instance's comment and deleted with -D.
TEST_F(SetupRecipe, LegacyHostGetsLegacyCommandsCheckedBeforeAdded) {
  Server();
  options.ipv4_only = true;
  const Recipe recipe = Plan("legacy_phantun");
  EXPECT_EQ(recipe.backend, "iptables-legacy");
  EXPECT_THAT(recipe.apply,
              HasSubstr("iptables-legacy -t nat -C PREROUTING -i eth0 -p tcp --dport 4567 -m comment --comment \"phantun "
                        "tun0\" -j DNAT --to-destination 192.168.201.2 2>/dev/null ||\n  iptables-legacy -t nat -I "
                        "PREROUTING 1 -i eth0 -p tcp --dport 4567 -m comment --comment \"phantun tun0\" -j DNAT "
                        "--to-destination 192.168.201.2\n"));
  EXPECT_THAT(recipe.apply, HasSubstr("iptables-legacy -t filter -I FORWARD 1 -i eth0 -o tun0 -p tcp -m comment "
                                      "--comment \"phantun tun0\" -j ACCEPT\n"));
  EXPECT_THAT(recipe.undo, HasSubstr("while iptables-legacy -t nat -C PREROUTING -i eth0 -p tcp --dport 4567 -m comment "
                                     "--comment \"phantun tun0\" -j DNAT --to-destination 192.168.201.2 2>/dev/null; do\n"
                                     "  iptables-legacy -t nat -D PREROUTING"));
  EXPECT_THAT(recipe.apply, Not(HasSubstr("nft ")));
}

TEST_F(SetupRecipe, IptablesMeansIptablesNftWhereNoLegacyTableHoldsRules) {
  Client();
  options.setup_backend = "iptables";
  EXPECT_EQ(Plan("iptables_nft_phantun").backend, "iptables-nft");
}

TEST_F(SetupRecipe, IptablesMeansIptablesLegacyWhereLegacyTablesHoldRules) {
  Client();
  options.setup_backend = "iptables";
  EXPECT_EQ(Plan("legacy_phantun").backend, "iptables-legacy");
}

TEST_F(SetupRecipe, ClientMasqueradesItsTunPeerInIptables) {
  Client();
  options.setup_backend = "iptables-nft";
  const Recipe recipe = Plan("empty");
  EXPECT_THAT(recipe.apply, HasSubstr("iptables-nft -t nat -I POSTROUTING 1 -s 192.168.200.2 -o eth0 -m comment "
                                      "--comment \"phantun tun0\" -j MASQUERADE\n"));
  EXPECT_THAT(recipe.apply, HasSubstr("ip6tables-nft -t nat -I POSTROUTING 1 -s fcc8::2 -o eth0 -m comment "
                                      "--comment \"phantun tun0\" -j MASQUERADE\n"));
}

TEST_F(SetupRecipe, InstancesAreNamedByTheirTun) {
  Server();
  options.tun = "pt-b.1";
  options.port = 4568;
  host.AddLink("pt-b.1", 9, 9, 1500, IFF_UP | IFF_POINTOPOINT, /*tun=*/true);
  const Recipe recipe = Plan("empty");
  EXPECT_THAT(recipe.apply, HasSubstr("table inet phantun_pt_b_1 {\n"));
  EXPECT_THAT(recipe.apply, HasSubstr("tcp dport 4568 dnat ip to"));
  EXPECT_EQ(InstanceId("pt-b.1"), "pt_b_1");
}

// --- fw4: OpenWrt's firewall configuration, as `uci batch` reads it --------------------------------

// The options OpenWrt documents for each section type this recipe uses.
const std::map<std::string, std::set<std::string>> kFw4Options = {
    {"zone", {"name", "device", "network", "input", "output", "forward", "masq", "masq6", "mtu_fix", "family"}},
    {"redirect", {"name", "target", "family", "proto", "src", "src_dport", "src_ip", "dest", "dest_ip", "dest_port"}},
    {"nat", {"name", "family", "src", "src_ip", "dest_ip", "proto", "target", "device"}},
    {"forwarding", {"name", "src", "dest", "family"}},
};

// Checks every line of the batch and returns the sections it defines, by name, with their options.
std::map<std::string, std::map<std::string, std::string>> ParseUciBatch(const std::string& apply) {
  std::map<std::string, std::map<std::string, std::string>> sections;
  const size_t begin = apply.find("uci batch <<'EOF'\n");
  EXPECT_NE(begin, std::string::npos) << apply;
  const size_t end = apply.find("EOF\n", begin + 18);
  const std::string batch = apply.substr(begin + 18, end - begin - 18);
  const std::regex type_line(R"(set firewall\.([A-Za-z0-9_]+)=(zone|redirect|nat|forwarding))");
  const std::regex option_line(R"(set firewall\.([A-Za-z0-9_]+)\.([a-z0-9_]+)='([^']*)')");
  for (const std::string& line : std::vector<std::string>(absl::StrSplit(batch, '\n', absl::SkipEmpty()))) {
    std::smatch match;
    if (std::regex_match(line, match, type_line)) {
      EXPECT_EQ(sections.count(match[1]), 0u) << "defined twice: " << line;
      sections[match[1]]["=type"] = match[2];
    } else if (std::regex_match(line, match, option_line)) {
      EXPECT_EQ(sections.count(match[1]), 1u) << "option before its section: " << line;
      const std::string type = sections[match[1]]["=type"];
      EXPECT_EQ(kFw4Options.at(type).count(match[2]), 1u) << "not an option of " << type << ": " << line;
      sections[match[1]][match[2]] = match[3];
    } else {
      ADD_FAILURE() << "not a uci set line: " << line;
    }
  }
  return sections;
}

void ExpectValidFw4(const std::map<std::string, std::map<std::string, std::string>>& sections) {
  std::set<std::string> zones = {"wan"};
  for (const auto& [name, options] : sections) {
    if (options.at("=type") == "zone") zones.insert(options.at("name"));
  }
  for (const auto& [name, options] : sections) {
    for (const auto& [option, value] : options) {
      if (option == "src" || option == "dest") {
        EXPECT_EQ(zones.count(value), 1u) << name << "." << option << ": no zone " << value;
      }
      if (option == "input" || option == "output" || option == "forward") {
        EXPECT_THAT((std::set<std::string>{"ACCEPT", "REJECT", "DROP"}), ::testing::Contains(value));
      }
      if (option == "family") {
        EXPECT_THAT((std::set<std::string>{"ipv4", "ipv6", "any"}), ::testing::Contains(value));
      }
      if (option == "name" && options.at("=type") == "zone") {
        EXPECT_TRUE(std::regex_match(value, std::regex("[A-Za-z0-9_]{1,11}"))) << "zone name " << value;
      }
    }
    const std::string& type = options.at("=type");
    if (type == "redirect") {
      EXPECT_EQ(options.at("target"), "DNAT");
      EXPECT_TRUE(std::regex_match(options.at("src_dport"), std::regex("[0-9]{1,5}")));
    }
    if (type == "nat") {
      EXPECT_EQ(options.at("target"), "MASQUERADE");
    }
  }
}

TEST_F(SetupRecipe, Fw4ServerIsAZoneAndADnatRedirectPerFamily) {
  Server();
  options.setup_backend = "fw4";
  const Recipe recipe = Plan("empty");
  EXPECT_EQ(recipe.backend, "fw4");
  const auto sections = ParseUciBatch(recipe.apply);
  ExpectValidFw4(sections);
  ASSERT_EQ(sections.count("phantun_tun0"), 1u);
  EXPECT_EQ(sections.at("phantun_tun0").at("device"), "tun0");
  EXPECT_EQ(sections.at("phantun_tun0_dnat").at("dest_ip"), "192.168.201.2");
  EXPECT_EQ(sections.at("phantun_tun0_dnat").at("src_dport"), "4567");
  EXPECT_EQ(sections.at("phantun_tun0_dnat6").at("dest_ip"), "fcc9::2");
  EXPECT_EQ(sections.at("phantun_tun0_dnat6").at("family"), "ipv6");
  EXPECT_THAT(recipe.apply, HasSubstr("EOF\nuci commit firewall\n/etc/init.d/firewall reload\n"));
  // Undo deletes exactly the sections apply defined.
  for (const auto& [name, options] : sections) EXPECT_THAT(recipe.undo, HasSubstr("uci -q delete firewall." + name + " "));
  EXPECT_THAT(recipe.undo, HasSubstr("uci commit firewall\n"));
}

TEST_F(SetupRecipe, Fw4ClientForwardsItsZoneToWanAndMasqueradesItsPeer) {
  Client();
  options.setup_backend = "fw4";
  const auto sections = ParseUciBatch(Plan("empty").apply);
  ExpectValidFw4(sections);
  EXPECT_EQ(sections.at("phantun_tun0_out").at("src"), "pt_tun0");
  EXPECT_EQ(sections.at("phantun_tun0_out").at("dest"), "wan");
  EXPECT_EQ(sections.at("phantun_tun0_masq").at("src_ip"), "192.168.200.2");
  EXPECT_EQ(sections.at("phantun_tun0_masq6").at("src_ip"), "fcc8::2");
}

// Two long TUN names that share their first characters still give two fw4 zones.
TEST_F(SetupRecipe, Fw4ZoneNamesOfLongTunsStayApart) {
  Client();
  options.setup_backend = "fw4";
  options.tun = "phantun-c";
  const std::string first = ParseUciBatch(Plan("empty").apply).at("phantun_phantun_c").at("name");
  options.tun = "phantun-s";
  Context context = ResolveContext(options, host);
  const std::string second = ParseUciBatch(PlanSetup(&context, host).apply).at("phantun_phantun_s").at("name");
  EXPECT_NE(first, second);
  EXPECT_EQ(first.size(), 11u);
  EXPECT_EQ(first.substr(0, 7), "pt_phan");
}

TEST_F(SetupRecipe, Fw4IsChosenOnAnOpenWrtHost) {
  Server();
  host.LoadScenario("empty");
  Context context = ResolveContext(options, host);
  netfilter::Table fw4;
  fw4.family = netfilter::Family::kInet;
  fw4.name = "fw4";
  context.netfilter.ruleset.tables.push_back(fw4);
  EXPECT_EQ(PlanSetup(&context, host).backend, "fw4");
  context.netfilter.ruleset.tables.back().name = "firewalld";
  EXPECT_EQ(PlanSetup(&context, host).backend, "firewalld");
}

// --- firewalld: firewall-cmd, as its manual page documents it -------------------------------------

// Every firewall-cmd line: only documented options, names of at most 17 characters, a rich rule
// in the rich language's forward-port form.
void ExpectValidFirewallCmd(const std::string& script) {
  const std::regex name_value(R"(--(zone|policy|new-zone|delete-zone|info-zone|new-policy|delete-policy|info-policy|add-ingress-zone|add-egress-zone)=("\$WAN_ZONE"|[A-Za-z0-9_-]{1,17}))");
  const std::regex forward_port(R"(--(add|remove)-forward-port=port=[0-9]{1,5}:proto=tcp:toaddr=[0-9.]+)");
  const std::regex rich_rule(
      R"(--(add|remove)-rich-rule='rule family="ipv6" forward-port port="[0-9]{1,5}" protocol="tcp" to-port="[0-9]{1,5}" to-addr="[0-9a-f:]+"')");
  const std::set<std::string> plain = {"--permanent", "--reload", "--get-default-zone", "--add-masquerade",
                                       "--set-target=ACCEPT"};
  const std::regex interface(R"(--(add-interface|get-zone-of-interface)=[A-Za-z0-9_.@-]+)");
  for (std::string line : std::vector<std::string>(absl::StrSplit(script, '\n', absl::SkipEmpty()))) {
    if (line[0] == '#') continue;
    // The shell around the commands: redirections, and WAN_ZONE=$(...).
    line = absl::StrReplaceAll(line, {{" >/dev/null 2>&1", ""}, {" 2>/dev/null", ""}, {"WAN_ZONE=$(", ""}, {")", ""}});
    for (const std::string& command : std::vector<std::string>(absl::StrSplit(line, absl::ByAnyChar("|&;"), absl::SkipWhitespace()))) {
      std::vector<std::string> words = absl::StrSplit(command, ' ', absl::SkipEmpty());
      // A rich rule is one shell word: put its pieces back together.
      std::vector<std::string> args;
      for (const std::string& word : words) {
        if (!args.empty() && std::count(args.back().begin(), args.back().end(), '\'') == 1) {
          args.back() += " " + word;
        } else {
          args.push_back(word);
        }
      }
      if (args.empty()) continue;
      const size_t start = args[0] == "!" ? 1 : 0;
      if (args[start] == "firewall-cmd") {
        for (size_t i = start + 1; i < args.size(); ++i) {
          const std::string& arg = args[i];
          const bool ok = plain.count(arg) == 1 || std::regex_match(arg, name_value) || std::regex_match(arg, forward_port) ||
                          std::regex_match(arg, rich_rule) || std::regex_match(arg, interface);
          EXPECT_TRUE(ok) << "not documented firewall-cmd syntax: " << arg << " in: " << line;
        }
        continue;
      }
      if (args[start] == "sysctl") continue;
      ADD_FAILURE() << "not a firewall-cmd command: " << command;
    }
  }
}

TEST_F(SetupRecipe, FirewalldServerForwardsThePortInTheWansZone) {
  Server();
  options.setup_backend = "firewalld";
  const Recipe recipe = Plan("empty");
  ExpectValidFirewallCmd(recipe.apply);
  ExpectValidFirewallCmd(recipe.undo);
  EXPECT_THAT(recipe.apply, HasSubstr("WAN_ZONE=$(firewall-cmd --get-zone-of-interface=eth0 2>/dev/null) || "
                                      "WAN_ZONE=$(firewall-cmd --get-default-zone)\n"));
  EXPECT_THAT(recipe.apply, HasSubstr("firewall-cmd --permanent --zone=\"$WAN_ZONE\" --add-forward-port=port=4567:proto=tcp:toaddr=192.168.201.2\n"));
  EXPECT_THAT(recipe.apply, HasSubstr("to-addr=\"fcc9::2\"'"));
  EXPECT_THAT(recipe.undo, HasSubstr("--remove-forward-port=port=4567:proto=tcp:toaddr=192.168.201.2\n"));
  EXPECT_THAT(recipe.apply, HasSubstr("firewall-cmd --reload\n"));
}

TEST_F(SetupRecipe, FirewalldClientGetsAPolicyOutWithMasquerade) {
  Client();
  options.setup_backend = "firewalld";
  options.tun = "a-very-long-tun";  // 15 characters: the names are cut to firewalld's 17
  host.AddLink("a-very-long-tun", 9, 9, 1500, IFF_UP | IFF_POINTOPOINT, /*tun=*/true);
  const Recipe recipe = Plan("empty");
  ExpectValidFirewallCmd(recipe.apply);
  ExpectValidFirewallCmd(recipe.undo);
  // Cut names keep their start and end in a hash of the whole name: 17 characters each.
  EXPECT_THAT(recipe.apply, ::testing::ContainsRegex("--new-policy=pt-a-very[0-9a-f]{4}-out\n"));
  EXPECT_THAT(recipe.apply, ::testing::ContainsRegex("--policy=pt-a-very[0-9a-f]{4}-out --add-masquerade\n"));
  EXPECT_THAT(recipe.undo, ::testing::ContainsRegex("--delete-policy=pt-a-very[0-9a-f]{4}-out\n"));
  EXPECT_THAT(recipe.undo, ::testing::ContainsRegex("--delete-zone=pt-a-very-lon[0-9a-f]{4}\n"));
}

// --- the printed text --------------------------------------------------------------------------

TEST_F(SetupRecipe, OnlyApplyIsLiveInTheWholeText) {
  Server();
  host.LoadScenario("nft_phantun");
  Context context = ResolveContext(options, host);
  const std::string text = RenderSetup(context, PlanSetup(&context, host), "");
  bool in_apply = false;
  for (const std::string& line : std::vector<std::string>(absl::StrSplit(text, '\n'))) {
    if (absl::StartsWith(line, "# --- ")) in_apply = line == "# --- apply ---";
    if (!in_apply) {
      EXPECT_TRUE(line.empty() || line[0] == '#') << "live outside apply: " << line;
    }
  }
  EXPECT_THAT(text, HasSubstr("# backend: nft (this host's rules are nftables's)\n"));
  Context again = ResolveContext(options, host);
  const std::string undo = RenderSetup(again, PlanSetup(&again, host), "undo");
  EXPECT_TRUE(absl::StartsWith(undo, "#!/bin/sh\nset -e\n")) << undo;
}

}  // namespace
}  // namespace phantun_runtime::doctor
