#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_MODEL_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_MODEL_H_

#include <stdint.h>

#include <string>
#include <vector>

namespace phantun_runtime::netfilter {

// The host's netfilter state, normalized across nftables, legacy iptables and iptables-nft, keeping
// only what the doctor's questions need. Everything else is kept as text ("opaque") so that a rule
// we cannot judge makes an answer uncertain instead of wrong.

// The doctor's three-valued logic, for every question it asks of the rules: does a condition hold,
// does a rule apply, is there a NAT rule, is a forwarded packet accepted. kMaybe: it depends on
// something we do not know (a field the question leaves open, an opaque condition, an expression
// we could not decode).
enum class Tristate : uint8_t { kNo, kYes, kMaybe };

// Where a table came from.
enum class Source : uint8_t {
  kNftables,        // native nftables
  kIptablesLegacy,  // x_tables, read with IPT_SO_GET_ENTRIES / IP6T_SO_GET_ENTRIES
  kIptablesNft,     // nftables written by iptables-nft (compat expressions or iptables's names)
};

// Values are the kernel's NFPROTO_* numbers.
enum class Family : uint8_t {
  kUnspec = 0,
  kInet = 1,
  kIpv4 = 2,
  kArp = 3,
  kNetdev = 5,
  kBridge = 7,
  kIpv6 = 10,
};

enum class Hook : uint8_t { kNone, kPrerouting, kInput, kForward, kOutput, kPostrouting, kOther };

// What a rule's condition looks at. Every field is a byte string compared big-endian, so numbers
// (ports, interface indexes, conntrack state bits) are stored in network byte order whatever order
// the kernel used for them.
enum class Field : uint8_t {
  kIifname,   // 16 bytes, NUL-padded (IFNAMSIZ)
  kOifname,
  kIifindex,  // 4 bytes
  kOifindex,
  kNfproto,   // 1 byte: NFPROTO_IPV4 or NFPROTO_IPV6
  kL4proto,   // 1 byte: IPPROTO_*
  kSaddr,     // 4 or 16 bytes: the size is the address family
  kDaddr,
  kSport,     // 2 bytes
  kDport,
  kCtState,   // 4 bytes, a bitmask (see kCtState* below)
  kDaddrType,  // 4 bytes: the kernel's route type of the destination (RTN_LOCAL 2, RTN_UNICAST 1, ...),
               // as `fib daddr type` and `-m addrtype --dst-type` see it
};

inline constexpr uint32_t kRouteTypeUnicast = 1;  // RTN_UNICAST
inline constexpr uint32_t kRouteTypeLocal = 2;    // RTN_LOCAL

// nftables's conntrack state bits (NF_CT_STATE_*_BIT); legacy and compat matches are converted.
inline constexpr uint32_t kCtStateInvalid = 1u << 0;
inline constexpr uint32_t kCtStateEstablished = 1u << 1;
inline constexpr uint32_t kCtStateRelated = 1u << 2;
inline constexpr uint32_t kCtStateNew = 1u << 3;
inline constexpr uint32_t kCtStateUntracked = 1u << 6;

enum class Op : uint8_t {
  kEq,
  kNeq,
  kLt,
  kLte,
  kGt,
  kGte,
  kInRange,  // value <= field <= value_high
  kNotInRange,
  kInSet,     // (field & mask) is in one of `set`'s ranges: an nftables set lookup
  kNotInSet,
};

// The elements of an nftables set as the model's values: inclusive ranges (a single value is a
// range of one), in the model's byte layout of the field that is looked up.
struct SetRange {
  std::string low;
  std::string high;
};

// One test of a packet field: (the field's first value.size() bytes & mask) <op> value, as
// nftables's cmp does. A value shorter than the field is a prefix ("eth" matches every "eth*"
// name); `mask` has the value's size, or is empty for all ones. Addresses always have their full
// size, with the prefix in the mask (198.18.0.0/15: value c6 12 00 00, mask ff fe 00 00), and
// "ct state established,related" is (state & 0x00000006) != 0.
struct Condition {
  Field field = Field::kIifname;
  Op op = Op::kEq;
  std::string value;
  std::string value_high;  // kInRange / kNotInRange only
  std::string mask;
  std::string set_name;          // kInSet / kNotInSet: "@name", for the text
  std::vector<SetRange> set;     // kInSet / kNotInSet: the set's elements
};

enum class Action : uint8_t {
  kContinue,  // no verdict: the next rule is evaluated
  kAccept,
  kDrop,
  kReject,  // a drop with a reply
  kJump,
  kGoto,
  kReturn,
  kMasquerade,
  kSnat,
  kDnat,
  kRedirect,
  kUnknown,  // a verdict or statement we do not understand: anything may follow
};

// Where NAT sends a packet. Addresses are raw network-order bytes (4 or 16), empty when the rule
// does not set them; ports are host order, 0 when the rule does not set them.
struct NatTarget {
  Family family = Family::kUnspec;  // the address family NAT applies to (kUnspec: any)
  std::string address_min;
  std::string address_max;
  uint16_t port_min = 0;
  uint16_t port_max = 0;
  bool unknown_address = false;  // the address comes from something we cannot read (a map, ...)
};

struct Rule {
  std::vector<Condition> conditions;  // all must hold
  std::vector<std::string> opaque;    // conditions we cannot evaluate, as text: each may or may not hold
  std::vector<std::string> ignored;   // statements without a verdict (log, mark, ...), for the text only
  Action action = Action::kContinue;
  std::string target_chain;           // kJump / kGoto
  NatTarget nat;                      // kMasquerade / kSnat / kDnat / kRedirect
  bool uncertain = false;             // something in the rule was not understood
  bool compat = false;                // built from iptables-nft compat ("match"/"target") expressions
  uint64_t handle = 0;                // nftables rule handle (0 for legacy)
  std::string text;                   // one line for the operator (see render.h)
};

struct Chain {
  std::string name;
  bool base = false;  // attached to a hook
  Hook hook = Hook::kNone;
  int32_t priority = 0;
  std::string type;                 // nftables chain type: "filter", "nat", "route"
  Action policy = Action::kAccept;  // base chains: kAccept or kDrop
  std::vector<Rule> rules;
  // false: an nftables chain whose rules are not read yet. The doctor reads a chain's rules when
  // a traced packet first enters it (kube-proxy's 100k rules sit in tens of thousands of chains,
  // of which phantun's packets meet a handful).
  bool rules_read = true;
};

struct Table {
  Source source = Source::kNftables;
  Family family = Family::kUnspec;
  std::string name;
  bool dormant = false;  // nftables NFT_TABLE_F_DORMANT: its chains are not attached to hooks
  std::vector<Chain> chains;
};

struct Ruleset {
  std::vector<Table> tables;
};

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_MODEL_H_
