#include "runtime/doctor/context.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/doctor/links.h"

namespace phantun_runtime::doctor {

Context ResolveContext(const Options& options, const Host& host) {
  Context context{options, host, ReadProcessFacts(host), options.wan, options.tun, ""};
  if (context.wan.empty()) context.wan = DefaultRouteInterface(host);
  if (!context.tun.empty()) {
    context.tun_reason = "--tun";
    return context;
  }
  const std::vector<std::string> tuns = TunInterfaces(host);
  if (tuns.size() == 1) {
    context.tun = tuns[0];
    context.tun_reason = "the only TUN interface here";
  } else if (tuns.empty()) {
    context.tun_reason = "no TUN interface exists (phantun not running here yet?)";
  } else {
    context.tun_reason = absl::StrCat("several TUN interfaces (", absl::StrJoin(tuns, ", "), "): name one with --tun");
  }
  return context;
}

}  // namespace phantun_runtime::doctor
