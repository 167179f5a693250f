#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_NFT_MESSAGES_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_NFT_MESSAGES_H_

#include <stdint.h>

#include <string>
#include <string_view>

#include <utility>
#include <vector>

#include "runtime/doctor/netfilter/model.h"
#include "runtime/doctor/netfilter/nft_expr.h"
#include "runtime/doctor/netlink/message.h"

namespace phantun_runtime::netfilter {

// One reply message of an nf_tables dump (NFT_MSG_NEWTABLE / NEWCHAIN / NEWRULE: the kernel
// answers GETs with NEW messages), decoded. Each returns false for a message of another type or
// one without the attributes that identify the object.

bool ParseNftTable(const netlink::Message& message, Table* table);  // family, name, dormant; no chains

struct NftChain {
  Family family = Family::kUnspec;
  std::string table;
  Chain chain;  // no rules
};
bool ParseNftChain(const netlink::Message& message, NftChain* chain);

struct NftRule {
  Family family = Family::kUnspec;
  // Views into the message, valid while it is: a rule's chain is known to the reader, which reads
  // chain by chain, so copying the names for each of 100k rules would only cost.
  std::string_view table;
  std::string_view chain;
  Rule rule;  // text not yet rendered
};
// `sets`, when given, answers the elements of a set of the rule's table by name (nullptr: not
// known), so a lookup in a set becomes a condition the doctor can evaluate.
bool ParseNftRule(const netlink::Message& message, NftRule* rule, const SetResolver* sets = nullptr);

// The elements of one set, from the NFT_MSG_NEWSETELEM messages of a GETSETELEM dump, as inclusive
// ranges of raw key bytes (in the kernel's register layout). A plain set gives ranges of one key;
// an interval set (rbtree: start keys and, flagged NFT_SET_ELEM_INTERVAL_END, the first key after
// each interval) or a set of concatenated ranges (NFTA_SET_ELEM_KEY_END) gives its intervals.
struct NftSetElements {
  struct Key {
    std::string key;
    std::string key_end;  // NFTA_SET_ELEM_KEY_END, if any
    bool interval_end = false;
  };
  std::vector<Key> keys;
  bool malformed = false;
};
// Adds the elements of one reply message; false for a message of another type.
bool ParseNftSetElements(const netlink::Message& message, NftSetElements* elements);
// The elements as sorted, inclusive [low, high] ranges of raw key bytes.
std::vector<std::pair<std::string, std::string>> NftSetRanges(const NftSetElements& elements);

// The generation of the ruleset an nf_tables reply message was read from (nfgenmsg's res_id: the
// low 16 bits of the kernel's generation counter, which every change of the ruleset advances); 0
// for a message too short to have one.
uint16_t NftGeneration(const netlink::Message& message);

// The model's hook for an nf_tables hook number in a family.
Hook HookOf(Family family, uint32_t hook_number);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_NFT_MESSAGES_H_
