// The model read from netfilter state captured from a real kernel (tests/doctor/testdata, see capture.sh).
#include <arpa/inet.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/doctor/netfilter/address.h"
#include "runtime/doctor/netfilter/host_netfilter.h"
#include "runtime/doctor/netfilter/evaluate.h"
#include "tests/doctor/netfilter/render_ruleset.h"
#include "tests/doctor/netfilter/scenario.h"

namespace phantun_runtime::netfilter {
namespace {

using phantun_test::ReadScenario;

const Table* FindTable(const Ruleset& ruleset, Source source, Family family, const std::string& name) {
  for (const Table& table : ruleset.tables) {
    if (table.source == source && table.family == family && table.name == name) return &table;
  }
  return nullptr;
}

std::vector<std::string> Texts(const Chain& chain) {
  std::vector<std::string> texts;
  for (const Rule& rule : chain.rules) texts.push_back(rule.text);
  return texts;
}

std::string Ip(const char* text) { return ParseIpAddress(text).value(); }

void ExpectAllRead(const HostNetfilter& host) {
  EXPECT_EQ(host.nftables.state, BackendState::kRead) << host.nftables.detail;
  EXPECT_EQ(host.iptables_legacy.state, BackendState::kRead) << host.iptables_legacy.detail;
  EXPECT_EQ(host.ip6tables_legacy.state, BackendState::kRead) << host.ip6tables_legacy.detail;
}

TEST(CapturedNftables, PhantunsDocumentedRules) {
  const HostNetfilter host = ReadScenario("nft_phantun");
  ExpectAllRead(host);
  ASSERT_EQ(host.ruleset.tables.size(), 2u) << RenderRuleset(host.ruleset);
  const Table* nat = FindTable(host.ruleset, Source::kNftables, Family::kInet, "nat");
  ASSERT_NE(nat, nullptr);
  const Chain* postrouting = phantun_test::FindChain(*nat, "postrouting");
  ASSERT_NE(postrouting, nullptr);
  EXPECT_TRUE(postrouting->base);
  EXPECT_EQ(postrouting->hook, Hook::kPostrouting);
  EXPECT_EQ(postrouting->priority, 100);  // srcnat
  EXPECT_EQ(postrouting->type, "nat");
  EXPECT_EQ(postrouting->policy, Action::kAccept);
  ASSERT_EQ(postrouting->rules.size(), 1u);
  const Rule& masquerade = postrouting->rules[0];
  EXPECT_EQ(masquerade.action, Action::kMasquerade);
  EXPECT_FALSE(masquerade.uncertain);
  EXPECT_TRUE(masquerade.opaque.empty());
  ASSERT_EQ(masquerade.conditions.size(), 2u);
  EXPECT_EQ(masquerade.conditions[0].field, Field::kIifname);
  EXPECT_EQ(masquerade.conditions[0].value, std::string("tun0\0\0\0\0\0\0\0\0\0\0\0\0", 16));
  EXPECT_EQ(masquerade.conditions[1].field, Field::kOifname);
  EXPECT_EQ(masquerade.text, "iifname \"tun0\" oifname \"eth0\" masquerade");
  EXPECT_NE(masquerade.handle, 0u);

  const Chain* prerouting = phantun_test::FindChain(*nat, "prerouting");
  ASSERT_NE(prerouting, nullptr);
  EXPECT_EQ(prerouting->priority, -100);  // dstnat
  ASSERT_EQ(prerouting->rules.size(), 1u);
  const Rule& dnat = prerouting->rules[0];
  EXPECT_EQ(dnat.action, Action::kDnat);
  EXPECT_EQ(dnat.nat.family, Family::kIpv4);
  EXPECT_EQ(dnat.nat.address_min, Ip("192.168.201.2"));
  EXPECT_EQ(dnat.nat.port_min, 0);
  EXPECT_EQ(dnat.text, "iifname \"eth0\" tcp dport 4567 dnat ip to 192.168.201.2");

  const Table* filter = FindTable(host.ruleset, Source::kNftables, Family::kInet, "filter");
  ASSERT_NE(filter, nullptr);
  const Chain* forward = phantun_test::FindChain(*filter, "forward");
  ASSERT_NE(forward, nullptr);
  EXPECT_EQ(forward->hook, Hook::kForward);
  EXPECT_EQ(forward->policy, Action::kDrop);
  EXPECT_EQ(Texts(*forward), std::vector<std::string>{"iifname \"tun0\" accept"});
}

TEST(CapturedLegacyIptables, PhantunsRulesAndTheForwardPolicy) {
  const HostNetfilter host = ReadScenario("legacy_phantun");
  ExpectAllRead(host);
  EXPECT_EQ(RenderRuleset(host.ruleset),
            "iptables-legacy ip filter\n"
            "  chain INPUT (hook input, priority 0, policy accept)\n"
            "  chain FORWARD (hook forward, priority 0, policy drop)\n"
            "    -A FORWARD -i tun0 -j ACCEPT\n"
            "  chain OUTPUT (hook output, priority 0, policy accept)\n"
            "iptables-legacy ip nat\n"
            "  chain PREROUTING (hook prerouting, priority -100, policy accept)\n"
            "    -A PREROUTING -i eth0 -p tcp -m tcp --dport 4567 -j DNAT --to-destination 192.168.201.2\n"
            "  chain INPUT (hook input, priority 100, policy accept)\n"
            "  chain OUTPUT (hook output, priority -100, policy accept)\n"
            "  chain POSTROUTING (hook postrouting, priority 100, policy accept)\n"
            "    -A POSTROUTING -o eth0 -j MASQUERADE\n"
            "iptables-legacy ip6 nat\n"
            "  chain PREROUTING (hook prerouting, priority -100, policy accept)\n"
            "    -A PREROUTING -i eth0 -p tcp -m tcp --dport 4567 -j DNAT --to-destination [fcc9::2]:4567\n"
            "  chain INPUT (hook input, priority 100, policy accept)\n"
            "  chain OUTPUT (hook output, priority -100, policy accept)\n"
            "  chain POSTROUTING (hook postrouting, priority 100, policy accept)\n"
            "    -A POSTROUTING -o eth0 -j MASQUERADE\n");
  const Table* nat = FindTable(host.ruleset, Source::kIptablesLegacy, Family::kIpv4, "nat");
  ASSERT_NE(nat, nullptr);
  const Rule& dnat = phantun_test::FindChain(*nat, "PREROUTING")->rules.at(0);
  EXPECT_EQ(dnat.action, Action::kDnat);
  EXPECT_EQ(dnat.nat.address_min, Ip("192.168.201.2"));
  EXPECT_EQ(dnat.nat.address_max, Ip("192.168.201.2"));
  EXPECT_EQ(dnat.nat.port_min, 0);
  // -i eth0: iptables compares "eth0" and its NUL, so the value is an exact name.
  EXPECT_EQ(dnat.conditions.at(0).field, Field::kIifname);
  EXPECT_EQ(dnat.conditions.at(0).value, std::string("eth0\0", 5));
  const Table* nat6 = FindTable(host.ruleset, Source::kIptablesLegacy, Family::kIpv6, "nat");
  ASSERT_NE(nat6, nullptr);
  const Rule& dnat6 = phantun_test::FindChain(*nat6, "PREROUTING")->rules.at(0);
  EXPECT_EQ(dnat6.nat.address_min, Ip("fcc9::2"));
  EXPECT_EQ(dnat6.nat.port_min, 4567);
  EXPECT_EQ(dnat6.nat.port_max, 4567);
}

TEST(CapturedIptablesNft, CompatExpressionsAndIptablesNames) {
  const HostNetfilter host = ReadScenario("iptables_nft_phantun");
  ExpectAllRead(host);
  const Table* nat = FindTable(host.ruleset, Source::kIptablesNft, Family::kIpv4, "nat");
  ASSERT_NE(nat, nullptr) << RenderRuleset(host.ruleset);
  const Rule& masquerade = phantun_test::FindChain(*nat, "POSTROUTING")->rules.at(0);
  EXPECT_TRUE(masquerade.compat);  // iptables-nft 1.8.9 keeps MASQUERADE as an x_tables target
  EXPECT_EQ(masquerade.action, Action::kMasquerade);
  EXPECT_EQ(masquerade.text, "-A POSTROUTING -o eth0 -j MASQUERADE");
  const Rule& dnat = phantun_test::FindChain(*nat, "PREROUTING")->rules.at(0);
  EXPECT_EQ(dnat.action, Action::kDnat);  // DNAT revision 2 (struct nf_nat_range2)
  EXPECT_EQ(dnat.nat.address_min, Ip("192.168.201.2"));
  EXPECT_EQ(dnat.text, "-A PREROUTING -i eth0 -p tcp -m tcp --dport 4567 -j DNAT --to-destination 192.168.201.2");
  const Table* filter = FindTable(host.ruleset, Source::kIptablesNft, Family::kIpv4, "filter");
  ASSERT_NE(filter, nullptr);
  const Chain* forward = phantun_test::FindChain(*filter, "FORWARD");
  ASSERT_NE(forward, nullptr);
  EXPECT_EQ(forward->policy, Action::kDrop);
  // A native accept: no compat expression, yet the table's names give iptables-nft away.
  EXPECT_FALSE(forward->rules.at(0).compat);
  EXPECT_EQ(Texts(*forward), std::vector<std::string>{"-A FORWARD -i tun0 -j ACCEPT"});
  const Table* nat6 = FindTable(host.ruleset, Source::kIptablesNft, Family::kIpv6, "nat");
  ASSERT_NE(nat6, nullptr);
  EXPECT_EQ(phantun_test::FindChain(*nat6, "PREROUTING")->rules.at(0).nat.address_min, Ip("fcc9::2"));
}

TEST(CapturedNftables, DecoderVariety) {
  const HostNetfilter host = ReadScenario("nft_variety");
  ExpectAllRead(host);
  const Table* extra = FindTable(host.ruleset, Source::kNftables, Family::kIpv4, "extra");
  ASSERT_NE(extra, nullptr) << RenderRuleset(host.ruleset);
  EXPECT_EQ(Texts(*phantun_test::FindChain(*extra, "post")),
            (std::vector<std::string>{
                "ip saddr 192.168.200.0/24 oifname \"eth*\" tcp dport 1000-2000 snat to 198.18.0.1:5000",
                "ip saddr != 192.168.200.2 tcp dport != 22 masquerade to :6000-7000",
                "meta l4proto tcp th dport @__set0 masquerade",
                "jump helper",
            }));
  EXPECT_EQ(phantun_test::FindChain(*extra, "post")->priority, 110);
  const Rule& snat = phantun_test::FindChain(*extra, "post")->rules[0];
  EXPECT_EQ(snat.action, Action::kSnat);
  EXPECT_EQ(snat.nat.address_min, Ip("198.18.0.1"));
  EXPECT_EQ(snat.nat.port_min, 5000);
  // /24 is loaded as three bytes; the model widens it to four with the prefix in the mask.
  const Condition& saddr = snat.conditions.at(0);
  EXPECT_EQ(saddr.field, Field::kSaddr);
  EXPECT_EQ(saddr.value, Ip("192.168.200.0"));
  EXPECT_EQ(saddr.mask, Ip("255.255.255.0"));
  const Rule& with_set = phantun_test::FindChain(*extra, "post")->rules[2];
  EXPECT_EQ(with_set.opaque, std::vector<std::string>{"th dport @__set0"});
  EXPECT_FALSE(with_set.uncertain);  // understood, just not evaluable
  EXPECT_EQ(Texts(*phantun_test::FindChain(*extra, "helper")),
            (std::vector<std::string>{"ip daddr 198.18.0.0/15 return", "oifname \"wan0\" masquerade"}));
  EXPECT_EQ(Texts(*phantun_test::FindChain(*extra, "pre")),
            (std::vector<std::string>{"iifname \"wan0\" tcp dport 4567 dnat to 192.168.201.2:4567",
                                      "iifname \"wan0\" tcp dport 5000-5010 dnat to 192.168.201.2"}));
  EXPECT_EQ(Texts(*phantun_test::FindChain(*extra, "forward")),
            (std::vector<std::string>{"ct state established,related accept", "iifname \"tun0\" oifname \"wan0\" jump out",
                                      "ip daddr 192.168.201.2 tcp dport 4567 accept"}));
  EXPECT_EQ(Texts(*phantun_test::FindChain(*extra, "out")), (std::vector<std::string>{"tcp dport 22 drop", "log accept"}));
  const Table* extra6 = FindTable(host.ruleset, Source::kNftables, Family::kIpv6, "extra6");
  ASSERT_NE(extra6, nullptr);
  EXPECT_EQ(Texts(*phantun_test::FindChain(*extra6, "forward")),
            std::vector<std::string>{"ip6 saddr fc00::/7 oifname \"wan0\" reject"});
  // The bridge table is read, its forward chain a base chain like the others, but not on the
  // routed path: no IPv4 or IPv6 packet meets it. Of the three forward base chains, IPv4 meets the
  // ip table's and IPv6 the ip6 table's.
  const Table* bridge = FindTable(host.ruleset, Source::kNftables, Family::kBridge, "br");
  ASSERT_NE(bridge, nullptr);
  const Chain* bridge_forward = phantun_test::FindChain(*bridge, "forward");
  ASSERT_NE(bridge_forward, nullptr);
  EXPECT_TRUE(bridge_forward->base);
  EXPECT_EQ(bridge_forward->hook, Hook::kForward);
  EXPECT_FALSE(TableSees(Family::kBridge, Family::kIpv4));
  EXPECT_FALSE(TableSees(Family::kBridge, Family::kIpv6));
  std::vector<std::string> forward4, forward6;
  for (const Table& table : host.ruleset.tables) {
    for (const Chain& chain : table.chains) {
      if (!chain.base || chain.hook != Hook::kForward) continue;
      if (TableSees(table.family, Family::kIpv4)) forward4.push_back(table.name);
      if (TableSees(table.family, Family::kIpv6)) forward6.push_back(table.name);
    }
  }
  EXPECT_EQ(forward4, std::vector<std::string>{"extra"});
  EXPECT_EQ(forward6, std::vector<std::string>{"extra6"});
}

TEST(CapturedLegacyIptables, UserChainsGotoConntrackAndMore) {
  const HostNetfilter host = ReadScenario("legacy_variety");
  ExpectAllRead(host);
  const Table* filter = FindTable(host.ruleset, Source::kIptablesLegacy, Family::kIpv4, "filter");
  ASSERT_NE(filter, nullptr) << RenderRuleset(host.ruleset);
  EXPECT_EQ(Texts(*phantun_test::FindChain(*filter, "FORWARD")),
            (std::vector<std::string>{"-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
                                      "-A FORWARD -i tun0 -o wan+ -j out",
                                      "-A FORWARD -d 192.168.201.2 -p tcp -m tcp --dport 4567 -j ACCEPT",
                                      "-A FORWARD -j LOG"}));
  // The user chain's implicit RETURN tail is not a rule.
  EXPECT_EQ(Texts(*phantun_test::FindChain(*filter, "out")),
            (std::vector<std::string>{"-A out -p tcp -m tcp --dport 22 -j REJECT",
                                      "-A out -p tcp -m tcp --dport 1000:2000 -g out2", "-A out -j ACCEPT"}));
  EXPECT_EQ(phantun_test::FindChain(*filter, "out")->rules[1].action, Action::kGoto);
  EXPECT_EQ(phantun_test::FindChain(*filter, "out")->rules[1].target_chain, "out2");
  EXPECT_EQ(Texts(*phantun_test::FindChain(*filter, "out2")), std::vector<std::string>{"-A out2 -s 198.18.0.0/15 -j DROP"});
  const Table* nat = FindTable(host.ruleset, Source::kIptablesLegacy, Family::kIpv4, "nat");
  ASSERT_NE(nat, nullptr);
  const Rule& snat = phantun_test::FindChain(*nat, "POSTROUTING")->rules.at(0);
  EXPECT_EQ(snat.action, Action::kSnat);
  EXPECT_EQ(snat.nat.port_min, 5000);
  EXPECT_EQ(snat.nat.port_max, 5100);
  const Rule& multiport = phantun_test::FindChain(*nat, "PREROUTING")->rules.at(1);
  EXPECT_EQ(multiport.opaque, std::vector<std::string>{"-m multiport"});
  const Table* mangle = FindTable(host.ruleset, Source::kIptablesLegacy, Family::kIpv4, "mangle");
  ASSERT_NE(mangle, nullptr);
  EXPECT_EQ(phantun_test::FindChain(*mangle, "FORWARD")->priority, -150);
  EXPECT_EQ(phantun_test::FindChain(*mangle, "FORWARD")->rules.at(0).action, Action::kContinue);  // TCPMSS decides nothing
}

TEST(CapturedIptablesNft, TheSameVarietyReadsTheSame) {
  const HostNetfilter legacy = ReadScenario("legacy_variety");
  const HostNetfilter nft = ReadScenario("iptables_nft_variety");
  ExpectAllRead(nft);
  const Table* legacy_filter = FindTable(legacy.ruleset, Source::kIptablesLegacy, Family::kIpv4, "filter");
  const Table* nft_filter = FindTable(nft.ruleset, Source::kIptablesNft, Family::kIpv4, "filter");
  ASSERT_NE(legacy_filter, nullptr);
  ASSERT_NE(nft_filter, nullptr) << RenderRuleset(nft.ruleset);
  for (const char* name : {"FORWARD", "out", "out2"}) {
    const Chain* a = phantun_test::FindChain(*legacy_filter, name);
    const Chain* b = phantun_test::FindChain(*nft_filter, name);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    ASSERT_EQ(a->rules.size(), b->rules.size()) << name;
    for (size_t i = 0; i < a->rules.size(); ++i) {
      EXPECT_EQ(a->rules[i].action, b->rules[i].action) << name << " " << i;
      EXPECT_EQ(a->rules[i].target_chain, b->rules[i].target_chain) << name << " " << i;
      EXPECT_EQ(a->rules[i].conditions.size(), b->rules[i].conditions.size()) << a->rules[i].text << " / "
                                                                            << b->rules[i].text;
    }
  }
}

TEST(CapturedEmptyNamespace, HasNoRulesAndReadsFine) {
  const HostNetfilter host = ReadScenario("empty");
  ExpectAllRead(host);
  EXPECT_TRUE(host.ruleset.tables.empty());
}

TEST(CapturedWithoutCapNetAdmin, NftablesIsPermissionDenied) {
  const HostNetfilter host = ReadScenario("nft_phantun_no_cap_net_admin");
  EXPECT_EQ(host.nftables.state, BackendState::kPermissionDenied);
  EXPECT_NE(host.nftables.detail.find("Operation not permitted"), std::string::npos);
  EXPECT_TRUE(host.ruleset.tables.empty());
}

}  // namespace
}  // namespace phantun_runtime::netfilter
