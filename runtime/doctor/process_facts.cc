#include "runtime/doctor/process_facts.h"

#include <optional>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace phantun_runtime::doctor {
namespace {

// Capability numbers from linux/capability.h, in order.
constexpr const char* kCapabilityNames[] = {
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
    "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
    "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
    "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
    "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

// absl's parsers leave whatever they read before the first bad character in their output ("1000zz"
// gives 0x1000, CAP_NET_ADMIN), so their result decides whether that output is a value at all.
std::optional<uint64_t> ParseHex(std::string_view text) {
  uint64_t value;
  if (!absl::SimpleHexAtoi(text, &value)) return std::nullopt;
  return value;
}

std::optional<int> ParseDecimal(std::string_view text) {
  int value;
  if (!absl::SimpleAtoi(text, &value)) return std::nullopt;
  return value;
}

void ParseStatus(std::string_view status, ProcessFacts* facts) {
  for (std::string_view line : absl::StrSplit(status, '\n')) {
    std::string_view value;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, colon);
    value = absl::StripAsciiWhitespace(line.substr(colon + 1));
    if (key == "CapEff") {
      facts->cap_effective = ParseHex(value);
    } else if (key == "CapBnd") {
      facts->cap_bounding = ParseHex(value);
    } else if (key == "NoNewPrivs") {
      facts->no_new_privs = value == "1";
    } else if (key == "Seccomp") {
      facts->seccomp_mode = ParseDecimal(value);
    } else if (key == "Seccomp_filters") {
      facts->seccomp_filters = ParseDecimal(value);
    }
  }
}

// Container engines leave marks a process can see without any privilege.
void DetectContainer(const Host& host, ProcessFacts* facts) {
  if (const char* engine = host.GetEnv("container"); engine != nullptr && *engine != '\0') {
    facts->in_container = true;
    facts->container_hint = absl::StrCat("container=", engine);
  } else if (host.Exists("/run/.containerenv")) {
    facts->in_container = true;
    facts->container_hint = "/run/.containerenv";
  } else if (host.Exists("/.dockerenv")) {
    facts->in_container = true;
    facts->container_hint = "/.dockerenv";
  } else if (host.GetEnv("KUBERNETES_SERVICE_HOST") != nullptr) {
    facts->in_container = true;
    facts->container_hint = "KUBERNETES_SERVICE_HOST";
  } else if (const StatusOr<std::string> cgroup = host.ReadFile("/proc/1/cgroup"); cgroup.ok()) {
    for (const char* mark : {"docker", "kubepods", "containerd", "libpod", "lxc"}) {
      if (cgroup->find(mark) != std::string::npos) {
        facts->in_container = true;
        facts->container_hint = absl::StrCat("/proc/1/cgroup mentions ", mark);
        break;
      }
    }
  }
}

}  // namespace

ProcessFacts ReadProcessFacts(const Host& host) {
  ProcessFacts facts;
  if (const StatusOr<std::string> status = host.ReadFile("/proc/self/status"); status.ok()) {
    facts.status_readable = true;
    ParseStatus(*status, &facts);
  }
  DetectContainer(host, &facts);
  facts.caps_cover_network = host.UserNamespaceGovernsNetwork();
  return facts;
}

std::string CapabilityNames(uint64_t caps) {
  std::string names;
  for (int bit = 0; bit < 64; ++bit) {
    if ((caps & (uint64_t{1} << bit)) == 0) continue;
    const size_t known = sizeof kCapabilityNames / sizeof kCapabilityNames[0];
    absl::StrAppend(&names, names.empty() ? "" : ",",
                    static_cast<size_t>(bit) < known ? kCapabilityNames[bit] : absl::StrCat("cap_", bit));
  }
  return names;
}

}  // namespace phantun_runtime::doctor
