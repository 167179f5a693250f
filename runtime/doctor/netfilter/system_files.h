#ifndef PHANTUN_RUNTIME_DOCTOR_NETFILTER_SYSTEM_FILES_H_
#define PHANTUN_RUNTIME_DOCTOR_NETFILTER_SYSTEM_FILES_H_

#include <string>

namespace phantun_runtime::netfilter {

// Reads a small file (procfs, sysfs) whole. Returns 0, or the errno of the failure.
int ReadSmallFile(const std::string& path, std::string* content);

bool PathExists(const std::string& path);

}  // namespace phantun_runtime::netfilter

#endif  // PHANTUN_RUNTIME_DOCTOR_NETFILTER_SYSTEM_FILES_H_
