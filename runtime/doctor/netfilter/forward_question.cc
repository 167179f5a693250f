#include "runtime/doctor/netfilter/forward_question.h"

#include <string_view>

#include "absl/strings/str_cat.h"
#include "runtime/doctor/netfilter/evaluate.h"
#include "runtime/doctor/netfilter/views.h"

namespace phantun_runtime::netfilter {
namespace {

constexpr int kMaxJumpDepth = 16;  // NFT_JUMP_STACK_SIZE; x_tables allows no more in practice

// Where the packets that reach a point may end up. Several can be true at once when a rule may or
// may not apply.
struct Paths {
  bool accept = false;
  bool drop = false;
  bool leave = false;  // RETURN, or the end of the chain: back to the caller (the policy for a base chain)
  bool next = false;   // a rule's effect only: evaluation goes on with the next rule
  std::string accept_by;
  std::string drop_by;
  std::string unknown_by;  // the first rule whose outcome we could not tell
};

void Merge(const Paths& from, Paths* into) {
  if (from.accept && !into->accept) into->accept_by = from.accept_by;
  if (from.drop && !into->drop) into->drop_by = from.drop_by;
  into->accept |= from.accept;
  into->drop |= from.drop;
  into->leave |= from.leave;
  if (into->unknown_by.empty()) into->unknown_by = from.unknown_by;
}

Paths Anything(const std::string& why) {
  Paths paths;
  paths.accept = paths.drop = paths.leave = paths.next = true;
  paths.accept_by = paths.drop_by = paths.unknown_by = why;
  return paths;
}

class Walker {
 public:
  Walker(const Table& table, const Packet& packet)
      : table_(table), packet_(packet), state_(table.chains.size(), State::kNew), result_(table.chains.size()) {}

  Paths Chain(size_t index, int depth) {
    if (state_[index] == State::kDone) return result_[index];
    if (state_[index] == State::kRunning || depth > kMaxJumpDepth) {
      return Anything(absl::StrCat("jumps into ", table_.chains[index].name, " loop or nest too deep"));
    }
    state_[index] = State::kRunning;
    Paths out;
    bool fell_off = true;
    for (const Rule& rule : table_.chains[index].rules) {
      const Tristate applies = EvaluateRule(rule, packet_);
      if (applies == Tristate::kNo) continue;
      const Paths effect = Effect(rule, depth);
      Merge(effect, &out);
      // A rule that may or may not apply matters only if applying it changes the packet's path.
      const bool decisive = effect.accept || effect.drop || effect.leave;
      if (applies == Tristate::kMaybe && decisive && out.unknown_by.empty()) out.unknown_by = rule.text;
      if (applies == Tristate::kYes && !effect.next) {
        fell_off = false;
        break;
      }
    }
    out.leave |= fell_off;
    state_[index] = State::kDone;
    result_[index] = out;
    return out;
  }

 private:
  enum class State : uint8_t { kNew, kRunning, kDone };

  int Find(const std::string& name) const {
    for (size_t i = 0; i < table_.chains.size(); ++i) {
      if (table_.chains[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }

  Paths Effect(const Rule& rule, int depth) {
    Paths paths;
    switch (rule.action) {
      case Action::kAccept:
        paths.accept = true;
        paths.accept_by = rule.text;
        return paths;
      case Action::kDrop:
      case Action::kReject:
        paths.drop = true;
        paths.drop_by = rule.text;
        return paths;
      case Action::kReturn:
        paths.leave = true;
        return paths;
      case Action::kJump:
      case Action::kGoto: {
        const int target = Find(rule.target_chain);
        if (target < 0) return Anything(rule.text);
        const Paths called = Chain(static_cast<size_t>(target), depth + 1);
        Merge(called, &paths);
        paths.leave = false;
        // What returns from a jump goes on here; what returns from a goto leaves this chain too.
        if (rule.action == Action::kJump) paths.next = called.leave;
        else paths.leave = called.leave;
        return paths;
      }
      case Action::kUnknown:
        return Anything(rule.text);
      default:  // no verdict (NAT cannot be in a forward chain; kContinue)
        paths.next = true;
        return paths;
    }
  }

  const Table& table_;
  const Packet& packet_;
  std::vector<State> state_;
  std::vector<Paths> result_;
};

std::string PolicyText(const Table& table, const Chain& chain) {
  const bool drop = chain.policy == Action::kDrop;
  if (table.source == Source::kNftables) return drop ? "policy drop" : "policy accept";
  return absl::StrCat("-P ", chain.name, drop ? " DROP" : " ACCEPT");
}

}  // namespace

std::vector<ForwardAnswer> AnswerForward(const Ruleset& ruleset, const Packet& packet) {
  std::vector<ForwardAnswer> answers;
  for (const ForwardChain& forward : CollectForwardChains(ruleset)) {
    const Table& table = *forward.table;
    const Chain& chain = *forward.chain;
    if (!TableSees(table.family, packet.family)) continue;
    Walker walker(table, packet);
    Paths paths = walker.Chain(static_cast<size_t>(&chain - table.chains.data()), 0);
    if (paths.leave) {
      Paths policy;
      (chain.policy == Action::kDrop ? policy.drop : policy.accept) = true;
      policy.accept_by = policy.drop_by = PolicyText(table, chain);
      Merge(policy, &paths);
    }
    ForwardAnswer answer;
    answer.source = table.source;
    answer.family = table.family;
    answer.table = table.name;
    answer.chain = chain.name;
    answer.priority = chain.priority;
    answer.policy = chain.policy;
    if (paths.accept && !paths.drop) {
      answer.accepted = Tristate::kYes;
      answer.rule_text = paths.accept_by;
    } else if (paths.drop && !paths.accept) {
      answer.accepted = Tristate::kNo;
      answer.rule_text = paths.drop_by;
    } else {
      answer.accepted = Tristate::kMaybe;
      answer.rule_text = paths.unknown_by;
    }
    answers.push_back(std::move(answer));
  }
  return answers;
}

Tristate CombineForward(const std::vector<ForwardAnswer>& answers) {
  Tristate combined = Tristate::kYes;
  for (const ForwardAnswer& answer : answers) {
    if (answer.accepted == Tristate::kNo) return Tristate::kNo;
    if (answer.accepted == Tristate::kMaybe) combined = Tristate::kMaybe;
  }
  return combined;
}

}  // namespace phantun_runtime::netfilter
