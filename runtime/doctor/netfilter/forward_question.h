#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_FORWARD_QUESTION_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_FORWARD_QUESTION_H_

#include <stdint.h>

#include <string>
#include <vector>

#include "runtime/doctor/netfilter/evaluate.h"
#include "runtime/doctor/netfilter/model.h"

namespace phantun_runtime::netfilter {

// (c) Would a forwarded packet (iifname to oifname, TCP unless it says otherwise) be accepted? What
// the packet leaves empty or 0 is unknown, and a rule that tests it makes the answer uncertain.

// The answer of one forward-hook base chain.
struct ForwardAnswer {
  Source source = Source::kNftables;
  Family family = Family::kUnspec;
  std::string table;
  std::string chain;
  int32_t priority = 0;
  Action policy = Action::kAccept;
  Tristate accepted = Tristate::kMaybe;
  // kYes/kNo: the rule that decides, or the policy ("policy drop", "-P FORWARD DROP").
  // kMaybe: the first rule whose outcome we could not tell.
  std::string rule_text;
};

// Walks every forward-hook base chain that sees packets of the packet's family, in the ruleset's
// order: rules whose conditions cannot hold are skipped; the first accept, drop or reject that
// surely applies decides; jumps and gotos are followed into user chains (16 deep at most, like the
// kernel); the end of a base chain means its policy. A rule that may or may not apply is followed
// both ways, so the answer is only uncertain when the ways disagree.
std::vector<ForwardAnswer> AnswerForward(const Ruleset& ruleset, const Packet& packet);

// All chains together: a packet must pass every base chain on the hook. kNo if any chain drops it,
// else kMaybe if any is uncertain, else kYes (also when there is no chain at all).
Tristate CombineForward(const std::vector<ForwardAnswer>& answers);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_FORWARD_QUESTION_H_
