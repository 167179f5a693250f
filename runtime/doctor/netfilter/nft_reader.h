#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_NFT_READER_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_NFT_READER_H_

#include "runtime/doctor/host.h"
#include "runtime/doctor/netfilter/model.h"
#include "runtime/status.h"

namespace phantun_runtime::netfilter {

// Reads every nf_tables table, chain and rule of every family (NFPROTO_UNSPEC dumps of
// NFT_MSG_GETTABLE, GETCHAIN and GETRULE on NETLINK_NETFILTER) through the host, and appends the
// tables to `ruleset`. Tables iptables-nft made are marked kIptablesNft and
// their rules rendered in iptables syntax. A dump the kernel flags as interrupted is read again
// (up to three times). On failure `ruleset` is left as it was.
//
// kChainsOnly reads tables and chains, and leaves each chain's rules for ReadNftChainRules
// (Chain::rules_read false).
enum class NftRead : uint8_t { kEverything, kChainsOnly };
Status ReadNftables(const doctor::Host& host, Ruleset* ruleset, NftRead read = NftRead::kEverything);

// Reads the rules of one chain of `table` (an nftables table of the ruleset) into it, rendered
// in the table's syntax, and marks them read. Read later than the chain list, they may be of a
// newer ruleset; a chain deleted since then reads as one rule the doctor cannot evaluate.
Status ReadNftChainRules(const doctor::Host& host, const Table& table, Chain* chain);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_NFT_READER_H_
