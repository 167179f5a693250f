#ifndef PHANTUN_RUNTIME_DOCTOR_READ_ONLY_GUARD_H_
#define PHANTUN_RUNTIME_DOCTOR_READ_ONLY_GUARD_H_

#include <linux/filter.h>

#include <string>
#include <vector>

#include "runtime/status.h"

namespace phantun_runtime::doctor {

// Makes the doctor's read-only promise a property of the process rather than of its code: sets
// no_new_privs and installs a seccomp filter that denies by default. Only the system calls the
// doctor makes after it are allowed, each with the arguments it uses where a call could also
// change something; every other call, of any ABI, fails with EPERM. The list and the reason for
// each check are in read_only_guard.cc.
//
// `tun_fd` is the /dev/net/tun descriptor opened before the guard (-1 if none): TUNGETFEATURES
// is the one ioctl allowed on it. The caller must have closed every descriptor above 2 it did not
// open itself (CloseInheritedDescriptors), because the filter can only tell descriptors apart by
// number: sendto is allowed on any descriptor above 2, with a netlink-sized address.
//
// Fails when the kernel refuses the filter (nothing is enforced then).
Status InstallReadOnlyGuard(int tun_fd);

// Closes every descriptor above 2, so that each one the doctor holds under the guard is one it
// opened itself. Returns false when neither close_range(2) nor /proc/self/fd was available.
bool CloseInheritedDescriptors();

// The filter program InstallReadOnlyGuard installs, for tests that run it without the kernel
// (qemu-user cannot install seccomp filters, but can run this architecture's program).
std::vector<sock_filter> ReadOnlyFilter(int tun_fd);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_READ_ONLY_GUARD_H_
