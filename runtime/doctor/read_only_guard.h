#ifndef PHANTUN_RUNTIME_DOCTOR_READ_ONLY_GUARD_H_
#define PHANTUN_RUNTIME_DOCTOR_READ_ONLY_GUARD_H_

#include <string>

namespace phantun_runtime::doctor {

// Makes the doctor's read-only promise a property of the process rather than of its code: sets
// no_new_privs and installs a seccomp filter under which every system call that could change the
// system fails with EPERM. Refused from then on: opening a file for writing, creating or
// truncating one, writing to any descriptor but stdout/stderr, every ioctl, setsockopt (netfilter
// is *changed* through it), unlink/rename/mkdir/chmod/chown and their relatives, mount, module
// loading, kill, reboot, clock and host-name changes, unshare/setns and bpf. Reading files,
// netlink sockets (whose requests the code itself limits to GET/dump) and getsockopt stay allowed.
// Returns false with *error when the kernel refuses the filter.
bool InstallReadOnlyGuard(std::string* error);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_READ_ONLY_GUARD_H_
