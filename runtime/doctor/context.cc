#include "runtime/doctor/context.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace phantun_runtime::doctor {

Context ResolveContext(const Options& options, const Host& host) {
  Context context{options, host, ReadProcessFacts(host), {}, Status(), options.wan, options.tun, ""};
  StatusOr<std::vector<Link>> links = ReadLinks(host);
  if (links.ok()) {
    context.links = std::move(*links);
  } else {
    context.links_read = links.status();
  }
  if (context.wan.empty()) context.wan = DefaultRouteInterface(host);
  if (!context.tun.empty()) {
    context.tun_reason = "--tun";
    return context;
  }
  std::vector<std::string> tuns;
  for (const Link& link : context.links) {
    if (link.is_tun()) tuns.push_back(link.name);
  }
  if (!context.links_read.ok()) {
    context.tun_reason = absl::StrCat("interfaces not readable: ", context.links_read.message());
  } else if (tuns.size() == 1) {
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
