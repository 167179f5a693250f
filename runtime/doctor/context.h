#ifndef PHANTUN_RUNTIME_DOCTOR_CONTEXT_H_
#define PHANTUN_RUNTIME_DOCTOR_CONTEXT_H_

#include <string>

#include "runtime/doctor/host.h"
#include "runtime/doctor/options.h"
#include "runtime/doctor/process_facts.h"

namespace phantun_runtime::doctor {

// What every check may consult: the options, the host, and the facts resolved once up front.
struct Context {
  const Options& options;
  const Host& host;
  ProcessFacts process;
  std::string wan;          // --wan, or the default route's interface; "" when neither
  std::string tun;          // --tun, or the TUN interface found here; "" when none
  std::string tun_reason;   // how `tun` was chosen, or why none was
};

Context ResolveContext(const Options& options, const Host& host);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_CONTEXT_H_
