#include "runtime/doctor/netfilter/nft_presence.h"

#include <string_view>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace phantun_runtime::netfilter {
namespace {

// "nf_tables 344064 ..." in /proc/modules.
bool ListedInProcModules(const std::string& modules, std::string_view name) {
  for (std::string_view line : absl::StrSplit(modules, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, name) && line.size() > name.size() && line[name.size()] == ' ') return true;
  }
  return false;
}

// "kernel/net/netfilter/nf_tables.ko" in modules.builtin.
bool ListedAsBuiltin(const std::string& builtin, std::string_view name) {
  const std::string suffix = absl::StrCat("/", name, ".ko");
  for (std::string_view line : absl::StrSplit(builtin, '\n', absl::SkipEmpty())) {
    if (absl::EndsWith(line, suffix)) return true;
  }
  return false;
}

}  // namespace

ModuleEvidence GatherModuleEvidence(const doctor::Host& host) {
  ModuleEvidence evidence;
  const StatusOr<std::string> modules_file = host.ReadFile("/proc/modules");
  const std::string modules = modules_file.value_or("");
  if (modules_file.ok()) {
    // modules_disabled is a one-way switch: once 1, nothing is ever loaded again.
    const StatusOr<std::string> disabled = host.ReadFile("/proc/sys/kernel/modules_disabled");
    evidence.modules_supported = !disabled.ok() || !absl::StartsWith(*disabled, "1");
  } else {
    // procfs without /proc/modules: a kernel built without module support. No procfs at all: we
    // cannot tell, so assume the kernel can load modules.
    evidence.modules_supported = !host.Exists("/proc/self");
  }
  // The release names the modules' folder (what uname -r prints).
  const std::string release = doctor::ReadTrimmed(host, "/proc/sys/kernel/osrelease").value_or("");
  const std::string builtin = host.ReadFile(absl::StrCat("/lib/modules/", release, "/modules.builtin")).value_or("");
  // /sys/module/<name> exists for every loaded module, and for built-in ones that have parameters.
  auto present = [&](std::string_view name) {
    return host.Exists(absl::StrCat("/sys/module/", name)) || ListedInProcModules(modules, name) ||
           ListedAsBuiltin(builtin, name);
  };
  evidence.nfnetlink = present("nfnetlink");
  evidence.nf_tables = present("nf_tables");
  return evidence;
}

bool NftablesSafeToAsk(const ModuleEvidence& evidence) {
  if (!evidence.modules_supported) return true;
  return evidence.nfnetlink && evidence.nf_tables;
}

}  // namespace phantun_runtime::netfilter
