#include "runtime/doctor/context.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/doctor/netfilter/address.h"
#include "runtime/doctor/network_facts.h"

namespace phantun_runtime::doctor {
namespace {

// Which TUN the checks are about: --tun, or the only one here.
void ChooseTun(Context* context) {
  if (!context->tun.empty()) {
    context->tun_reason = "--tun";
    return;
  }
  std::vector<std::string> tuns;
  for (const Link& link : context->links) {
    if (link.is_tun()) tuns.push_back(link.name);
  }
  if (!context->links_read.ok()) {
    context->tun_reason = absl::StrCat("interfaces not readable: ", context->links_read.message());
  } else if (tuns.size() == 1) {
    context->tun = tuns[0];
    context->tun_reason = "the only TUN interface here";
  } else if (tuns.empty() && context->options.print_setup) {
    // A recipe is usually printed before phantun first runs: it is written for phantun's default.
    context->tun = "tun0";
    context->tun_reason = "phantun's default --tun (no TUN interface exists yet)";
  } else if (tuns.empty()) {
    context->tun_reason = "no TUN interface exists (phantun not running here yet?)";
  } else {
    context->tun_reason = absl::StrCat("several TUN interfaces (", absl::StrJoin(tuns, ", "), "): name one with --tun");
  }
}

}  // namespace

Context ResolveContext(const Options& options, const Host& host) {
  return ResolveContext(options, host, ReadProcessFacts(host));
}

Context ResolveContext(const Options& options, const Host& host, ProcessFacts process) {
  Context context(options, std::move(process));
  StatusOr<std::vector<Link>> links = ReadLinks(host);
  if (links.ok()) {
    context.links = std::move(*links);
  } else {
    context.links_read = links.status();
  }
  context.default_route = DefaultRouteInterface(host);
  context.wan = options.wan.empty() ? context.default_route : options.wan;
  context.tun = options.tun;
  ChooseTun(&context);

  std::vector<std::string> incoming;
  if (!context.wan.empty()) incoming.push_back(context.wan);
  const Link* tun = context.FindLink(context.tun);
  incoming.push_back(tun != nullptr ? context.tun : "default");
  context.sysctls = ReadForwardingSysctls(host, incoming);
  if (tun != nullptr) context.tun_addresses = ReadIpv4Addresses(host, tun->ifindex);
  // nftables's rules are read chain by chain as the traces below enter them.
  context.netfilter = netfilter::ReadNetfilter(host, netfilter::NftRead::kChainsOnly);
  context.network = ReadNetworkFacts(host, context.links, context.sysctls);
  if (options.mode == Mode::kServer && options.port != 0) context.listeners = ReadListeners(host, options.port);
  // Every base chain on a forwarded packet's way is read now: a fix may take a packet further than
  // the traces below go (past a drop, to postrouting), and it is proven by tracing it there.
  for (netfilter::Table& table : context.netfilter.ruleset.tables) {
    for (netfilter::Chain& chain : table.chains) {
      const bool routed = chain.hook == netfilter::Hook::kPrerouting || chain.hook == netfilter::Hook::kForward ||
                          chain.hook == netfilter::Hook::kPostrouting;
      if (chain.base && routed && !chain.rules_read) netfilter::ReadNftChainRules(host, table, &chain);
    }
  }
  TraceRounds(host, &context);
  return context;
}

void TraceRounds(const Host& host, Context* context) {
  // Where a packet is routed depends on its NAT, and a reply's on its SYN's route, so the routing
  // questions are only known by tracing; so are the chains a packet enters. Trace, read what the
  // traces needed (routes, chains' rules), and trace again until nothing more is needed: a round
  // per level of jumps (at most 16) and per routing step.
  for (int round = 0; round < 40; ++round) {
    context->traces = TraceAll(*context);
    std::vector<netfilter::RouteFact> questions;
    bool read_chains = false;
    for (const PhantunTrace& traced : context->traces) {
      for (const netfilter::RouteFact& question : traced.trace.unanswered_routes) questions.push_back(question);
      for (const auto& [table, chain] : traced.trace.unread_chains) {
        netfilter::Table& owner = context->netfilter.ruleset.tables[static_cast<size_t>(table)];
        netfilter::Chain& unread = owner.chains[static_cast<size_t>(chain)];
        if (unread.rules_read) continue;  // asked for by another trace of this round
        netfilter::ReadNftChainRules(host, owner, &unread);  // a failure leaves a rule that says so
        read_chains = true;
      }
    }
    if (questions.empty() && !read_chains) break;
    // Before phantun starts its TUN does not exist, nor the route to the TUN peer that comes with
    // it: a packet for the peer is assumed to leave by the TUN, and the trace says so.
    if (context->FindLink(context->tun) == nullptr) {
      for (netfilter::RouteFact& question : questions) {
        const bool to_peer = question.daddr == netfilter::ParseIpAddress(context->options.tun_peer).value_or("") ||
                             question.daddr == netfilter::ParseIpAddress(context->options.tun_peer6).value_or("");
        if (!to_peer) continue;
        question.answered = true;
        question.lookup_failed = true;
        question.error = "the TUN does not exist yet";
        context->network.routes.push_back(question);
      }
    }
    AnswerRoutes(host, questions, &context->network);
  }
}

}  // namespace phantun_runtime::doctor
