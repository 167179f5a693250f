#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_FORWARD_QUESTION_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_FORWARD_QUESTION_H_

#include <stdint.h>

#include <string>
#include <vector>

#include "runtime/doctor/netfilter/model.h"

namespace phantun_runtime::netfilter {

// (c) Would a forwarded TCP packet from one interface to another be accepted?
struct ForwardQuestion {
  std::string from_iface;  // e.g. "tun0"
  std::string to_iface;    // e.g. "eth0"
  Family family = Family::kIpv4;
  // Optional detail; empty / 0 is unknown, and a rule that tests it makes the answer uncertain.
  std::string saddr;  // raw address bytes
  std::string daddr;
  uint16_t dport = 0;
  uint32_t ct_state = 0;  // a kCtState* bit, when the caller knows which packet of the flow it means
};

enum class ForwardVerdict : uint8_t { kAccept, kDrop, kUncertain };

std::string_view ForwardVerdictName(ForwardVerdict verdict);  // "accept", "drop", "uncertain"

// The answer of one forward-hook base chain.
struct ForwardAnswer {
  Source source = Source::kNftables;
  Family family = Family::kUnspec;
  std::string table;
  std::string chain;
  int32_t priority = 0;
  Action policy = Action::kAccept;
  ForwardVerdict verdict = ForwardVerdict::kUncertain;
  // kAccept/kDrop: the rule that decides, or the policy ("policy drop", "-P FORWARD DROP").
  // kUncertain: the first rule whose outcome we could not tell.
  std::string rule_text;
};

// Walks every forward-hook base chain that sees packets of the question's family, in the ruleset's
// order: rules whose conditions cannot hold are skipped; the first accept, drop or reject that
// surely applies decides; jumps and gotos are followed into user chains (16 deep at most, like the
// kernel); the end of a base chain means its policy. A rule that may or may not apply is followed
// both ways, so the answer is only uncertain when the ways disagree.
std::vector<ForwardAnswer> AnswerForward(const Ruleset& ruleset, const ForwardQuestion& question);

// All chains together: a packet must pass every base chain on the hook. Drop if any chain drops,
// else uncertain if any is uncertain, else accept (also when there is no chain at all).
ForwardVerdict CombineForward(const std::vector<ForwardAnswer>& answers);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_FORWARD_QUESTION_H_
