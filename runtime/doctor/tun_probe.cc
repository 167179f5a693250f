#include "runtime/doctor/tun_probe.h"

#include <linux/if_tun.h>
#include <string.h>

#include "absl/strings/str_cat.h"

namespace phantun_runtime::doctor {
namespace {

constexpr unsigned kTunMajor = 10;
constexpr unsigned kTunMinor = 200;

}  // namespace

void CheckTun(const TunProbe& probe, bool in_container, Report* report) {
  const std::string give_device =
      in_container ? "run the container with --device /dev/net/tun (Kubernetes: a hostPath volume of type CharDevice)"
                   : "modprobe tun   (OpenWrt: opkg install kmod-tun)";
  if (!probe.found.ok()) {
    report->Add("tun.device", Verdict::kFail, absl::StrCat("/dev/net/tun: ", strerror(probe.found.system_error())),
                give_device);
  } else if (!probe.is_char || probe.major != kTunMajor || probe.minor != kTunMinor) {
    report->Add("tun.device", Verdict::kFail,
                probe.is_char ? absl::StrCat("/dev/net/tun is char device ", probe.major, ":", probe.minor, ", expected 10:200")
                              : "/dev/net/tun is not a character device",
                "mknod /dev/net/tun c 10 200 && chmod 0666 /dev/net/tun   (or pass the host's device in)");
  } else if (!probe.opened.ok()) {
    report->Add("tun.device", Verdict::kFail,
                absl::StrCat("/dev/net/tun (char 10:200) does not open read-write: ", strerror(probe.opened.system_error())),
                in_container ? "run the container with --device /dev/net/tun (a bind mount alone is refused by the device cgroup)"
                             : "run phantun as root or with CAP_NET_ADMIN, and check the device's permissions");
  } else {
    report->Add("tun.device", Verdict::kPass, "/dev/net/tun is char 10:200 and opens read-write");
  }

  if (!probe.features) {
    report->Add("tun.multiqueue", Verdict::kSkip, "TUN features unknown: /dev/net/tun could not be opened");
  } else if (*probe.features & IFF_MULTI_QUEUE) {
    report->Add("tun.multiqueue", Verdict::kPass, "the kernel supports multi-queue TUN (IFF_MULTI_QUEUE)");
  } else {
    report->Add("tun.multiqueue", Verdict::kWarn,
                absl::StrCat("the kernel's TUN lacks IFF_MULTI_QUEUE (features 0x", absl::Hex(*probe.features), ")"),
                "use a kernel built with multi-queue TUN (Linux >= 3.8); phantun opens one queue per core");
  }
}

}  // namespace phantun_runtime::doctor
