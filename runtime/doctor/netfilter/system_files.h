#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_SYSTEM_FILES_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_SYSTEM_FILES_H_

#include <string>

#include "runtime/status.h"

namespace phantun_runtime::netfilter {

// Reads a small file (procfs, sysfs) whole.
StatusOr<std::string> ReadSmallFile(const std::string& path);

bool PathExists(const std::string& path);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_SYSTEM_FILES_H_
