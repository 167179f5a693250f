#include "runtime/doctor/priv_checks.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace phantun_runtime::doctor {
namespace {

constexpr uint64_t kNetAdmin = uint64_t{1} << kCapNetAdmin;
constexpr int kCapSysAdmin = 21;
constexpr int kCapSysModule = 16;

constexpr char kLeastPrivilegeFlags[] = "--cap-drop ALL --cap-add NET_ADMIN --device /dev/net/tun";

}  // namespace

void CheckPrivileges(const ProcessFacts& facts, Report* report) {
  if (!facts.status_readable) {
    report->Add("priv.net_admin", Verdict::kSkip, "/proc/self/status is not readable: is /proc mounted?");
    return;
  }
  if (!facts.cap_effective) {
    constexpr char kNoCapEff[] = "/proc/self/status has no readable CapEff line: capabilities not checked";
    report->Add("priv.net_admin", Verdict::kSkip, kNoCapEff);
    report->Add("priv.extra_caps", Verdict::kSkip, kNoCapEff);
  } else {
    const uint64_t effective = *facts.cap_effective;
    if ((effective & kNetAdmin) && facts.caps_cover_network == false) {
      // phantun then cannot create its TUN (TUNSETIFF: EPERM) and panics (exit 101).
      report->Add("priv.net_admin", Verdict::kFail,
                  "CAP_NET_ADMIN is held, but in a user namespace that does not own this network namespace: it "
                  "gives no power over the interfaces here",
                  "run phantun in a network namespace created from its own user namespace (rootless Podman: its own "
                  "--network; unshare: --user and --net together), or with CAP_NET_ADMIN in the namespace that owns "
                  "this network (e.g. root on the host)");
    } else if (effective & kNetAdmin) {
      report->Add("priv.net_admin", Verdict::kPass,
                  facts.caps_cover_network == true
                      ? "CAP_NET_ADMIN is in the effective set, in the user namespace that owns this network namespace"
                      : "CAP_NET_ADMIN is in the effective set");
    } else {
      report->Add("priv.net_admin", Verdict::kFail,
                  absl::StrCat("CAP_NET_ADMIN is not in the effective set (CapEff ", absl::Hex(effective, absl::kZeroPad16), ")"),
                  facts.in_container ? "run the container with --cap-add NET_ADMIN (Kubernetes: securityContext.capabilities.add: [NET_ADMIN])"
                                     : "run phantun as root, or under systemd with AmbientCapabilities=CAP_NET_ADMIN");
    }

    const uint64_t extra = effective & ~kNetAdmin;
    if (extra == 0) {
      report->Add("priv.extra_caps", Verdict::kPass, "no capability beyond CAP_NET_ADMIN");
    } else {
      report->Add("priv.extra_caps", Verdict::kWarn,
                  absl::StrCat("capabilities beyond CAP_NET_ADMIN: ", CapabilityNames(extra)),
                  facts.in_container ? absl::StrCat("run the container with ", kLeastPrivilegeFlags)
                                     : "under systemd: CapabilityBoundingSet=CAP_NET_ADMIN and AmbientCapabilities=CAP_NET_ADMIN with a non-root User=");
    }
  }

  // "Privileged" is judged from three lines together; one that cannot be read leaves it open.
  std::vector<std::string_view> unreadable;
  if (!facts.cap_effective) unreadable.push_back("CapEff");
  if (!facts.cap_bounding) unreadable.push_back("CapBnd");
  if (!facts.seccomp_mode) unreadable.push_back("Seccomp");
  if (!facts.in_container) {
    report->Add("priv.privileged", Verdict::kInfo, "not in a container, as far as this process can tell");
  } else if (!unreadable.empty()) {
    report->Add("priv.privileged", Verdict::kSkip,
                absl::StrCat("container (", facts.container_hint, "): cannot tell whether it is privileged, /proc/self/status has no readable ",
                             absl::StrJoin(unreadable, ", "), " line"));
  } else if ((*facts.cap_bounding >> kCapSysAdmin & 1) && (*facts.cap_bounding >> kCapSysModule & 1) &&
             (*facts.cap_effective >> kCapSysAdmin & 1) && *facts.seccomp_mode == 0) {
    report->Add("priv.privileged", Verdict::kWarn,
                absl::StrCat("looks like a privileged container (", facts.container_hint,
                             "; CAP_SYS_ADMIN and CAP_SYS_MODULE held, no seccomp filter)"),
                absl::StrCat("drop --privileged (privileged: true); phantun needs only ", kLeastPrivilegeFlags));
  } else {
    report->Add("priv.privileged", Verdict::kPass, absl::StrCat("container (", facts.container_hint, ") is not privileged"));
  }

  report->Add("priv.no_new_privs", Verdict::kInfo,
              facts.no_new_privs ? "no_new_privs is set (--security-opt no-new-privileges)" : "no_new_privs is not set");
  std::string seccomp;
  if (!facts.seccomp_mode) {
    seccomp = "seccomp mode unknown: /proc/self/status has no readable Seccomp line";
  } else if (*facts.seccomp_mode == 2) {
    seccomp = facts.seccomp_filters ? absl::StrCat("seccomp filter mode, ", *facts.seccomp_filters, " filter(s)")
                                    : std::string("seccomp filter mode");
  } else if (*facts.seccomp_mode == 1) {
    seccomp = "seccomp strict mode";
  } else {
    seccomp = "no seccomp filter";
  }
  report->Add("priv.seccomp", Verdict::kInfo, seccomp);
}

}  // namespace phantun_runtime::doctor
