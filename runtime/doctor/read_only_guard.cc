#include "runtime/doctor/read_only_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <vector>

#include "absl/strings/str_cat.h"

namespace phantun_runtime::doctor {
namespace {

// The architecture the filter is built for: a system call made through another ABI (i386 or x32
// entry points on x86_64) is refused whole, since its numbers mean other calls.
#if defined(__x86_64__)
constexpr unsigned kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__i386__)
constexpr unsigned kAuditArch = AUDIT_ARCH_I386;
#elif defined(__aarch64__)
constexpr unsigned kAuditArch = AUDIT_ARCH_AARCH64;
#elif defined(__arm__)
constexpr unsigned kAuditArch = AUDIT_ARCH_ARM;
#elif defined(__mips__) && defined(__MIPSEL__) && _MIPS_SIM == _ABI64
constexpr unsigned kAuditArch = AUDIT_ARCH_MIPSEL64;
#elif defined(__mips__) && _MIPS_SIM == _ABI64
constexpr unsigned kAuditArch = AUDIT_ARCH_MIPS64;
#elif defined(__mips__) && defined(__MIPSEL__)
constexpr unsigned kAuditArch = AUDIT_ARCH_MIPSEL;
#elif defined(__mips__)
constexpr unsigned kAuditArch = AUDIT_ARCH_MIPS;
#else
#error "phantun-doctor: no seccomp architecture for this target"
#endif

// Offset of the low 32 bits of system call argument `index` in struct seccomp_data.
constexpr unsigned ArgLow(int index) {
  return offsetof(seccomp_data, args) + 8 * index + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? 4 : 0);
}

constexpr unsigned kWriteFlags = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND;
constexpr unsigned kDeny = SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA);

// System calls refused whatever their arguments. Each exists on some architectures only.
constexpr long kAlwaysDenied[] = {
#ifdef SYS_creat
    SYS_creat,
#endif
#ifdef SYS_openat2
    SYS_openat2,
#endif
    SYS_open_by_handle_at, SYS_truncate, SYS_ftruncate,
#ifdef SYS_truncate64
    SYS_truncate64, SYS_ftruncate64,
#endif
#ifdef SYS_unlink
    SYS_unlink, SYS_rename, SYS_mkdir, SYS_rmdir, SYS_link, SYS_symlink, SYS_chmod, SYS_chown, SYS_lchown, SYS_mknod,
#endif
    SYS_unlinkat, SYS_renameat, SYS_mkdirat, SYS_linkat, SYS_symlinkat, SYS_fchmod, SYS_fchmodat, SYS_fchown,
    SYS_fchownat, SYS_mknodat,
#ifdef SYS_renameat2
    SYS_renameat2,
#endif
    SYS_setxattr, SYS_lsetxattr, SYS_fsetxattr, SYS_removexattr, SYS_lremovexattr, SYS_fremovexattr,
    SYS_fallocate, SYS_mount, SYS_umount2, SYS_init_module, SYS_finit_module, SYS_delete_module,
    SYS_ioctl, SYS_setsockopt, SYS_kill, SYS_reboot, SYS_swapon, SYS_swapoff, SYS_sethostname,
    SYS_setdomainname, SYS_acct, SYS_bpf, SYS_unshare, SYS_setns, SYS_ptrace, SYS_process_vm_writev,
    SYS_sendfile, SYS_splice, SYS_vmsplice, SYS_pwrite64, SYS_pwritev,
// Clock setters: 32-bit targets with a 64-bit time_t know only some of these names.
#ifdef SYS_settimeofday
    SYS_settimeofday,
#endif
#ifdef SYS_settimeofday_time32
    SYS_settimeofday_time32,
#endif
#ifdef SYS_clock_settime32
    SYS_clock_settime32,
#endif
#ifdef SYS_clock_adjtime32
    SYS_clock_adjtime32,
#endif
#ifdef SYS_clock_settime
    SYS_clock_settime,
#endif
#ifdef SYS_clock_settime64
    SYS_clock_settime64,
#endif
#ifdef SYS_adjtimex
    SYS_adjtimex,
#endif
#ifdef SYS_clock_adjtime
    SYS_clock_adjtime,
#endif
#ifdef SYS_clock_adjtime64
    SYS_clock_adjtime64,
#endif
#ifdef SYS_sendfile64
    SYS_sendfile64,
#endif
#ifdef SYS__sysctl
    SYS__sysctl,
#endif
#ifdef SYS_kexec_load
    SYS_kexec_load,
#endif
};

// open-like calls: allowed only without any write or create flag. {number, index of the flags}.
struct OpenCall {
  long number;
  int flags_arg;
};
constexpr OpenCall kOpenCalls[] = {
#ifdef SYS_open
    {SYS_open, 1},
#endif
    {SYS_openat, 2},
};

// write-like calls: allowed only on stdout and stderr.
constexpr long kWriteCalls[] = {SYS_write, SYS_writev};

class FilterBuilder {
 public:
  void Statement(unsigned short code, unsigned k) { program_.push_back(BPF_STMT(code, k)); }
  void Jump(unsigned short code, unsigned k, unsigned char jt, unsigned char jf) {
    program_.push_back(BPF_JUMP(code, k, jt, jf));
  }
  std::vector<sock_filter>& program() { return program_; }

 private:
  std::vector<sock_filter> program_;
};

std::vector<sock_filter> BuildFilter() {
  FilterBuilder f;
  f.Statement(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch));
  f.Jump(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0);
  f.Statement(BPF_RET | BPF_K, kDeny);
  f.Statement(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr));
#if defined(__x86_64__)
  f.Jump(BPF_JMP | BPF_JGE | BPF_K, 0x40000000 /* __X32_SYSCALL_BIT */, 0, 1);
  f.Statement(BPF_RET | BPF_K, kDeny);
#endif
  for (const long number : kAlwaysDenied) {
    f.Jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(number), 0, 1);
    f.Statement(BPF_RET | BPF_K, kDeny);
  }
  for (const OpenCall& call : kOpenCalls) {
    // nr == call ? (flags & kWriteFlags ? deny : allow) : next (four instructions on)
    f.Jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(call.number), 0, 4);
    f.Statement(BPF_LD | BPF_W | BPF_ABS, ArgLow(call.flags_arg));
    f.Jump(BPF_JMP | BPF_JSET | BPF_K, kWriteFlags, 0, 1);
    f.Statement(BPF_RET | BPF_K, kDeny);
    f.Statement(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  }
  for (const long number : kWriteCalls) {
    // nr == call ? (fd > 2 ? deny : allow) : next (four instructions on)
    f.Jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(number), 0, 4);
    f.Statement(BPF_LD | BPF_W | BPF_ABS, ArgLow(0));
    f.Jump(BPF_JMP | BPF_JGT | BPF_K, 2, 0, 1);
    f.Statement(BPF_RET | BPF_K, kDeny);
    f.Statement(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  }
#if defined(__i386__)
  // i386 may reach setsockopt through the socketcall multiplexer (call 14).
  f.Jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_socketcall, 0, 3);
  f.Statement(BPF_LD | BPF_W | BPF_ABS, ArgLow(0));
  f.Jump(BPF_JMP | BPF_JEQ | BPF_K, 14, 0, 1);
  f.Statement(BPF_RET | BPF_K, kDeny);
#endif
  f.Statement(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  return std::move(f.program());
}

}  // namespace

bool InstallReadOnlyGuard(std::string* error) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    *error = absl::StrCat("cannot set no_new_privs: ", strerror(errno));
    return false;
  }
  std::vector<sock_filter> program = BuildFilter();
  sock_fprog fprog{};
  fprog.len = static_cast<unsigned short>(program.size());
  fprog.filter = program.data();
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) != 0) {
    *error = absl::StrCat("cannot install the seccomp filter: ", strerror(errno));
    return false;
  }
  return true;
}

}  // namespace phantun_runtime::doctor
