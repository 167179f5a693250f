#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_NFT_MESSAGES_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_NFT_MESSAGES_H_

#include <stdint.h>

#include <string>

#include "runtime/doctor/netfilter/model.h"
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
  std::string table;
  std::string chain;
  Rule rule;  // text not yet rendered
};
bool ParseNftRule(const netlink::Message& message, NftRule* rule);

// The generation of the ruleset an nf_tables reply message was read from (nfgenmsg's res_id: the
// low 16 bits of the kernel's generation counter, which every change of the ruleset advances); 0
// for a message too short to have one.
uint16_t NftGeneration(const netlink::Message& message);

// The model's hook for an nf_tables hook number in a family.
Hook HookOf(Family family, uint32_t hook_number);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_NFT_MESSAGES_H_
