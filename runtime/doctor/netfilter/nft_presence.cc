#include "runtime/doctor/netfilter/nft_presence.h"

#include <sys/utsname.h>

#include <string_view>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/doctor/netfilter/system_files.h"

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

ModuleEvidence GatherModuleEvidence(const std::string& root, const std::string& release) {
  ModuleEvidence evidence;
  const StatusOr<std::string> modules_file = ReadSmallFile(root + "/proc/modules");
  const std::string modules = modules_file.ok() ? *modules_file : "";
  if (modules_file.ok()) {
    // modules_disabled is a one-way switch: once 1, nothing is ever loaded again.
    const StatusOr<std::string> disabled = ReadSmallFile(root + "/proc/sys/kernel/modules_disabled");
    evidence.modules_supported = !disabled.ok() || !absl::StartsWith(*disabled, "1");
  } else {
    // procfs without /proc/modules: a kernel built without module support. No procfs at all: we
    // cannot tell, so assume the kernel can load modules.
    evidence.modules_supported = !PathExists(root + "/proc/self");
  }
  const StatusOr<std::string> builtin_file = ReadSmallFile(absl::StrCat(root, "/lib/modules/", release, "/modules.builtin"));
  const std::string builtin = builtin_file.ok() ? *builtin_file : "";
  // /sys/module/<name> exists for every loaded module, and for built-in ones that have parameters.
  auto present = [&](std::string_view name) {
    return PathExists(absl::StrCat(root, "/sys/module/", name)) || ListedInProcModules(modules, name) ||
           ListedAsBuiltin(builtin, name);
  };
  evidence.nfnetlink = present("nfnetlink");
  evidence.nf_tables = present("nf_tables");
  return evidence;
}

ModuleEvidence GatherHostModuleEvidence() {
  struct utsname names;
  const std::string release = uname(&names) == 0 ? names.release : "";
  return GatherModuleEvidence("", release);
}

bool NftablesSafeToAsk(const ModuleEvidence& evidence) {
  if (!evidence.modules_supported) return true;
  return evidence.nfnetlink && evidence.nf_tables;
}

}  // namespace phantun_runtime::netfilter
