#ifndef PHANTUN_RUNTIME_DOCTOR_SETUP_RECIPE_H_
#define PHANTUN_RUNTIME_DOCTOR_SETUP_RECIPE_H_

#include <string>
#include <vector>

#include "runtime/doctor/host.h"

namespace phantun_runtime::doctor {

struct Context;

// phantun-doctor --print-setup: the host set-up one phantun instance needs (forwarding, its NAT,
// and accepts where this host's forward path would drop it), as commands for one backend. The
// doctor prints it and applies nothing; the administrator runs it.
//
// Every part is idempotent (a second run changes nothing) and removable: nft rules live in a
// table of the instance's own (inet phantun_<tun>), replaced whole on each run; a rule that has to
// go into a chain of somebody else's (an accept ahead of a drop, a DNAT in iptables's nat table)
// carries the comment "phantun <tun>" and is added only when missing; fw4 and firewalld get named
// sections, zones and policies of the instance's own. The instance is the TUN: distinct TUN
// names, addresses and ports give recipes that coexist.
//
// For nft and the iptables variants the rules are proven as a FAIL's fix is (fixes.h, the same
// generator): they are added to the doctor's copy of this host's ruleset, phantun's packets are
// traced through it, the accepts the traces show missing are added where the drop is (DOCKER-USER
// for Docker's FORWARD), and whatever the traces still find wrong is in the recipe's header.
struct Recipe {
  std::string backend;               // nft, iptables-nft, iptables-legacy, fw4, firewalld
  std::string backend_reason;        // why this one: "--backend", "this host's ..."
  std::vector<std::string> notes;    // header lines: collisions, what the traces still find
  std::string apply;                 // each part is a script of its own (sh)
  std::string persist;
  std::string undo;
  std::string unpersist;
};

// Plans the recipe for `context` (its options name the instance; ResolveContext has traced this
// host). `host` answers the routing questions the recipe's packets raise. The context's ruleset
// and traces become the recipe's: the checks cannot be run on it afterwards.
Recipe PlanSetup(Context* context, const Host& host);

// What --print-setup prints: with `part` empty, every part under a header, those after `apply`
// commented out (so that the whole text piped to sh only applies); else that part alone.
std::string RenderSetup(const Context& context, const Recipe& recipe, const std::string& part);

// The name of the instance's own nft table, fw4 sections and comments are made from: the TUN's
// name with every character other than [A-Za-z0-9_] as '_'.
std::string InstanceId(const std::string& tun);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_SETUP_RECIPE_H_
