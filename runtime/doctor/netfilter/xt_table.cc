#include "runtime/doctor/netfilter/xt_table.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "runtime/doctor/netfilter/render.h"
#include "runtime/doctor/netfilter/xt_decode.h"
#include "runtime/doctor/netfilter/xt_layout.h"

namespace phantun_runtime::netfilter {
namespace {

namespace layout = xt_layout;
using netlink::Bytes;
using netlink::LoadHost;

// Where ipt_entry and ip6t_entry keep the same things.
struct EntryLayout {
  size_t size;
  size_t address_size;
  size_t source, destination, source_mask, destination_mask;
  size_t in_interface, out_interface, in_interface_mask, out_interface_mask;
  size_t protocol, flags, invert_flags, target_offset, next_offset;
  uint8_t goto_flag;
};

constexpr EntryLayout kEntry4 = {
    layout::kEntry4Size,          4,
    layout::kEntry4Source,        layout::kEntry4Destination,
    layout::kEntry4SourceMask,    layout::kEntry4DestinationMask,
    layout::kEntry4InInterface,   layout::kEntry4OutInterface,
    layout::kEntry4InInterfaceMask, layout::kEntry4OutInterfaceMask,
    layout::kEntry4Protocol,      layout::kEntry4Flags,
    layout::kEntry4InvertFlags,   layout::kEntry4TargetOffset,
    layout::kEntry4NextOffset,    layout::kFlag4Goto,
};

constexpr EntryLayout kEntry6 = {
    layout::kEntry6Size,          16,
    layout::kEntry6Source,        layout::kEntry6Destination,
    layout::kEntry6SourceMask,    layout::kEntry6DestinationMask,
    layout::kEntry6InInterface,   layout::kEntry6OutInterface,
    layout::kEntry6InInterfaceMask, layout::kEntry6OutInterfaceMask,
    layout::kEntry6Protocol,      layout::kEntry6Flags,
    layout::kEntry6InvertFlags,   layout::kEntry6TargetOffset,
    layout::kEntry6NextOffset,    layout::kFlag6Goto,
};

// The fixed priorities of the legacy tables' hooks (NF_IP_PRI_*), so they sort among nftables's
// base chains.
int32_t LegacyPriority(const std::string& table, Hook hook) {
  if (table == "raw") return -300;
  if (table == "mangle") return -150;
  if (table == "nat") return hook == Hook::kPrerouting || hook == Hook::kOutput ? -100 : 100;
  if (table == "security") return 50;
  return 0;  // filter
}

constexpr const char* kHookChainNames[layout::kHooks] = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"};
constexpr Hook kHooks[layout::kHooks] = {Hook::kPrerouting, Hook::kInput, Hook::kForward, Hook::kOutput,
                                         Hook::kPostrouting};

// x_tables encodes a standard verdict as -NF_x - 1; RETURN is -NF_REPEAT - 1.
constexpr int32_t kVerdictDrop = -1;
constexpr int32_t kVerdictAccept = -2;
constexpr int32_t kVerdictReturn = -5;

struct Entry {
  enum class Kind { kRule, kChainHeader, kTableEnd };
  Kind kind = Kind::kRule;
  uint32_t offset = 0;
  uint32_t next = 0;            // offset of the following entry
  std::string chain_name;       // kChainHeader
  bool standard = false;        // the standard target: a verdict or a jump
  int32_t verdict = 0;
  bool jump_is_goto = false;    // IPT_F_GOTO / IP6T_F_GOTO
  Rule rule;
};

std::string FixedString(Bytes bytes, size_t offset, size_t size) {
  const std::string_view text = netlink::AsText(netlink::Slice(bytes, offset, size));
  return std::string(text.substr(0, text.find('\0')));
}

bool AllZero(Bytes bytes) {
  for (uint8_t byte : bytes) {
    if (byte != 0) return false;
  }
  return true;
}

void AddAddress(Field field, Bytes entry, size_t address, size_t mask, size_t size, bool inverted, Rule* rule) {
  const Bytes mask_bytes = entry.subspan(mask, size);
  if (AllZero(mask_bytes) && !inverted) return;  // any address
  Condition condition;
  condition.field = field;
  condition.op = inverted ? Op::kNeq : Op::kEq;
  condition.value = std::string(netlink::AsText(entry.subspan(address, size)));
  bool full = true;
  for (uint8_t byte : mask_bytes) full = full && byte == 0xff;
  if (!full) condition.mask = std::string(netlink::AsText(mask_bytes));
  rule->conditions.push_back(std::move(condition));
}

// iptables masks the bytes of the name it compares: the name and its NUL for "eth0", only "eth"
// for "eth+". The masked bytes become the value: a prefix, exactly as nftables compares names.
void AddInterface(Field field, Bytes entry, size_t name, size_t mask, bool inverted, Rule* rule) {
  size_t compared = 0;
  while (compared < layout::kInterfaceSize && entry[mask + compared] != 0) ++compared;
  if (compared == 0) return;
  Condition condition;
  condition.field = field;
  condition.op = inverted ? Op::kNeq : Op::kEq;
  condition.value = std::string(netlink::AsText(entry.subspan(name, compared)));
  rule->conditions.push_back(std::move(condition));
}

void AddIpConditions(Family family, const EntryLayout& at, Bytes entry, Rule* rule) {
  const uint8_t flags = entry[at.flags];
  const uint8_t invert = entry[at.invert_flags];
  AddAddress(Field::kSaddr, entry, at.source, at.source_mask, at.address_size, (invert & layout::kInvertSource) != 0,
             rule);
  AddAddress(Field::kDaddr, entry, at.destination, at.destination_mask, at.address_size,
             (invert & layout::kInvertDestination) != 0, rule);
  AddInterface(Field::kIifname, entry, at.in_interface, at.in_interface_mask,
               (invert & layout::kInvertInInterface) != 0, rule);
  AddInterface(Field::kOifname, entry, at.out_interface, at.out_interface_mask,
               (invert & layout::kInvertOutInterface) != 0, rule);
  const uint16_t protocol = LoadHost<uint16_t>(entry, at.protocol);
  const bool has_protocol = family == Family::kIpv4 ? protocol != 0 : (flags & layout::kFlag6Protocol) != 0;
  if (has_protocol) {
    Condition condition;
    condition.field = Field::kL4proto;
    condition.op = (invert & layout::kInvertProtocol) != 0 ? Op::kNeq : Op::kEq;
    condition.value = std::string(1, static_cast<char>(protocol));
    rule->conditions.push_back(std::move(condition));
  }
  if (family == Family::kIpv4 && (flags & layout::kFlag4Fragment) != 0) {
    rule->opaque.push_back((invert & layout::kInvertFragment) != 0 ? "! -f" : "-f");
  }
  if (family == Family::kIpv6 && (flags & layout::kFlag6Tos) != 0) rule->opaque.push_back("<ipv6 tos>");
}

class Parser {
 public:
  Parser(Family family, Bytes entries)
      : family_(family), at_(family == Family::kIpv6 ? kEntry6 : kEntry4), entries_(entries) {}

  // Why ParseAll failed.
  const std::string& problem() const { return problem_; }

  bool ParseAll(std::vector<Entry>* parsed) {
    uint32_t offset = 0;
    while (offset < entries_.size()) {
      Entry entry;
      if (!ParseEntry(offset, &entry)) return false;
      offset = entry.next;
      parsed->push_back(std::move(entry));
    }
    return true;
  }

 private:
  bool Fail(std::string message) {
    problem_ = std::move(message);
    return false;
  }

  bool ParseEntry(uint32_t offset, Entry* entry) {
    const Bytes rest = entries_.subspan(offset);
    if (rest.size() < at_.size) return Fail(absl::StrCat("entry at ", offset, " is cut short"));
    const uint16_t target_offset = LoadHost<uint16_t>(rest, at_.target_offset);
    const uint16_t next_offset = LoadHost<uint16_t>(rest, at_.next_offset);
    if (next_offset > rest.size() || target_offset < at_.size ||
        size_t{target_offset} + layout::kExtensionHeaderSize > next_offset) {
      return Fail(absl::StrCat("entry at ", offset, " has offsets out of range"));
    }
    const Bytes bytes = rest.first(next_offset);
    entry->offset = offset;
    entry->next = offset + next_offset;
    AddIpConditions(family_, at_, bytes, &entry->rule);
    entry->jump_is_goto = (bytes[at_.flags] & at_.goto_flag) != 0;
    if (!ParseMatches(bytes, target_offset, &entry->rule)) return Fail(absl::StrCat("entry at ", offset, ": bad match"));
    return ParseTarget(bytes.subspan(target_offset), entry, offset);
  }

  bool ParseMatches(Bytes entry, size_t end, Rule* rule) {
    size_t position = at_.size;
    while (position < end) {
      if (end - position < layout::kExtensionHeaderSize) return false;
      const uint16_t size = LoadHost<uint16_t>(entry, position);
      if (size < layout::kExtensionHeaderSize || size > end - position) return false;
      const Bytes match = entry.subspan(position, size);
      AddXtMatch(FixedString(match, layout::kExtensionName, layout::kExtensionNameSize),
                 match[layout::kExtensionRevision], match.subspan(layout::kExtensionHeaderSize), family_, rule);
      position += size;
    }
    return true;
  }

  bool ParseTarget(Bytes target, Entry* entry, uint32_t offset) {
    const uint16_t size = LoadHost<uint16_t>(target, 0);
    if (size < layout::kExtensionHeaderSize || size > target.size()) {
      return Fail(absl::StrCat("entry at ", offset, ": bad target size"));
    }
    const std::string name = FixedString(target, layout::kExtensionName, layout::kExtensionNameSize);
    const Bytes data = target.subspan(layout::kExtensionHeaderSize, size - layout::kExtensionHeaderSize);
    if (name.empty()) {  // XT_STANDARD_TARGET
      if (data.size() < sizeof(int32_t)) return Fail(absl::StrCat("entry at ", offset, ": short verdict"));
      entry->standard = true;
      entry->verdict = LoadHost<int32_t>(data, 0);
      return true;
    }
    if (name == "ERROR") {  // XT_ERROR_TARGET: a user chain's header, or the table's end
      entry->chain_name = FixedString(data, 0, layout::kErrorNameSize);
      entry->kind = entry->chain_name == "ERROR" ? Entry::Kind::kTableEnd : Entry::Kind::kChainHeader;
      return true;
    }
    SetXtTarget(name, target[layout::kExtensionRevision], data, family_, &entry->rule);
    return true;
  }

  Family family_;
  const EntryLayout& at_;
  Bytes entries_;
  std::string problem_;
};

bool Unconditional(const Rule& rule) { return rule.conditions.empty() && rule.opaque.empty(); }

// A standard verdict as an action. A jump keeps its target offset in the entry until every chain
// is known.
void ApplyStandardVerdict(Entry* entry) {
  Rule& rule = entry->rule;
  switch (entry->verdict) {
    case kVerdictDrop: rule.action = Action::kDrop; return;
    case kVerdictAccept: rule.action = Action::kAccept; return;
    case kVerdictReturn: rule.action = Action::kReturn; return;
  }
  if (entry->verdict < 0) {  // NF_QUEUE and the like
    rule.action = Action::kUnknown;
    rule.ignored.push_back(absl::StrCat("<verdict ", entry->verdict, ">"));
    return;
  }
  // libiptc gives a rule without a target a "jump" to the entry right after it: it only counts.
  if (static_cast<uint32_t>(entry->verdict) == entry->next) return;
  rule.action = entry->jump_is_goto ? Action::kGoto : Action::kJump;
}

}  // namespace

bool ParseXtInfo(Bytes reply, XtTableInfo* info) {
  if (reply.size() < layout::kInfoSize) return false;
  info->name = FixedString(reply, 0, layout::kInfoNameSize);
  info->valid_hooks = LoadHost<uint32_t>(reply, layout::kInfoValidHooks);
  for (int hook = 0; hook < layout::kHooks; ++hook) {
    info->hook_entry[hook] = LoadHost<uint32_t>(reply, layout::kInfoHookEntry + 4 * hook);
    info->underflow[hook] = LoadHost<uint32_t>(reply, layout::kInfoUnderflow + 4 * hook);
  }
  info->entries = LoadHost<uint32_t>(reply, layout::kInfoNumEntries);
  info->size = LoadHost<uint32_t>(reply, layout::kInfoEntriesSize);
  return true;
}

StatusOr<Table> ParseXtTable(Family family, const XtTableInfo& info, Bytes reply) {
  if (reply.size() < layout::kGetEntriesHeaderSize) {
    return Status(Status::Code::kIoError, "the entries reply is cut short");
  }
  const uint32_t size = LoadHost<uint32_t>(reply, layout::kGetEntriesSize);
  if (size != info.size || reply.size() - layout::kGetEntriesHeaderSize < size) {
    return Status(Status::Code::kIoError, "the entries reply does not have the size the table info announced");
  }
  std::vector<Entry> entries;
  Parser parser(family, reply.subspan(layout::kGetEntriesHeaderSize, size));
  if (!parser.ParseAll(&entries)) return Status(Status::Code::kIoError, parser.problem());

  Table table;
  table.source = Source::kIptablesLegacy;
  table.family = family;
  table.name = info.name;
  struct ChainStart {
    uint32_t body_offset;  // where a jump to the chain lands: just after its header
    std::string name;
  };
  struct PendingJump {
    size_t chain;
    size_t rule;
    uint32_t offset;
  };
  std::vector<ChainStart> starts;
  std::vector<PendingJump> jumps;
  // Indexes, not pointers: the chain vector grows while entries are read.
  constexpr size_t kNoChain = ~size_t{0};
  size_t current = kNoChain;
  int current_hook = -1;
  for (Entry& entry : entries) {
    for (int hook = 0; hook < layout::kHooks; ++hook) {
      if ((info.valid_hooks & (1u << hook)) == 0 || info.hook_entry[hook] != entry.offset) continue;
      Chain chain;
      chain.name = kHookChainNames[hook];
      chain.base = true;
      chain.hook = kHooks[hook];
      chain.priority = LegacyPriority(info.name, chain.hook);
      table.chains.push_back(std::move(chain));
      current = table.chains.size() - 1;
      current_hook = hook;
    }
    if (entry.kind == Entry::Kind::kTableEnd) break;
    if (entry.kind == Entry::Kind::kChainHeader) {
      Chain chain;
      chain.name = entry.chain_name;
      table.chains.push_back(std::move(chain));
      starts.push_back(ChainStart{entry.next, entry.chain_name});
      current = table.chains.size() - 1;
      current_hook = -1;
      continue;
    }
    if (current == kNoChain) continue;  // outside every chain: nothing can reach it
    Chain& chain = table.chains[current];
    if (current_hook >= 0 && info.underflow[current_hook] == entry.offset) {
      // The built-in chain's last entry: its policy, not a rule.
      chain.policy = entry.verdict == kVerdictDrop ? Action::kDrop : Action::kAccept;
      current = kNoChain;
      continue;
    }
    if (entry.standard) ApplyStandardVerdict(&entry);
    const bool jumps_away = entry.rule.action == Action::kJump || entry.rule.action == Action::kGoto;
    chain.rules.push_back(std::move(entry.rule));
    if (jumps_away) jumps.push_back(PendingJump{current, chain.rules.size() - 1, static_cast<uint32_t>(entry.verdict)});
  }
  for (const PendingJump& jump : jumps) {
    Rule& rule = table.chains[jump.chain].rules[jump.rule];
    for (const ChainStart& start : starts) {
      if (start.body_offset == jump.offset) rule.target_chain = start.name;
    }
    if (rule.target_chain.empty()) {
      rule.action = Action::kUnknown;
      rule.uncertain = true;
      rule.ignored.push_back(absl::StrCat("<jump to offset ", jump.offset, ">"));
    }
  }
  for (Chain& chain : table.chains) {
    // A user chain ends in an unconditional RETURN that iptables adds and never shows.
    if (!chain.base && !chain.rules.empty() && chain.rules.back().action == Action::kReturn &&
        Unconditional(chain.rules.back())) {
      chain.rules.pop_back();
    }
    for (Rule& rule : chain.rules) rule.text = RenderIptablesRule(rule, chain.name);
  }
  return table;
}

}  // namespace phantun_runtime::netfilter
