#ifndef PHANTUN_RUNTIME_DOCTOR_PROCESS_FACTS_H_
#define PHANTUN_RUNTIME_DOCTOR_PROCESS_FACTS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "runtime/doctor/host.h"

namespace phantun_runtime::doctor {

// The doctor's own process, read from /proc/self/status before it installs its guard (which sets
// no_new_privs and adds a seccomp filter). phantun started the same way gets the same.
// A number is nullopt when its line is missing or does not parse: the checks then say they could
// not tell, rather than judge a capability set made of whatever the parser got through.
struct ProcessFacts {
  bool status_readable = false;
  std::optional<uint64_t> cap_effective;
  std::optional<uint64_t> cap_bounding;
  bool no_new_privs = false;
  std::optional<int> seccomp_mode;     // 0 off, 1 strict, 2 filter
  std::optional<int> seccomp_filters;  // only kernels since 5.9 print it
  // Whether this process's user namespace owns its network namespace (or is an ancestor of the
  // owner): only then does a CAP_NET_ADMIN it holds act on the interfaces here. nullopt: unknown.
  std::optional<bool> caps_cover_network;
  bool in_container = false;
  std::string container_hint;  // what gave the container away
};

ProcessFacts ReadProcessFacts(const Host& host);

// The names of the capabilities set in `caps` ("CAP_NET_ADMIN", ...), comma-separated.
std::string CapabilityNames(uint64_t caps);

inline constexpr int kCapNetAdmin = 12;

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_PROCESS_FACTS_H_
