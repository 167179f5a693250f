#include "runtime/doctor/read_only_guard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>


namespace phantun_runtime::doctor {
namespace {

// The architecture the filter is built for: a system call made through another ABI (the i386 or
// x32 entry points on x86_64, o32 or n32 on mips64) is refused whole, since its numbers mean other
// calls.
#if defined(__x86_64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__i386__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_I386;
#elif defined(__aarch64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_AARCH64;
#elif defined(__arm__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_ARM;
#elif defined(__mips__) && defined(__MIPSEL__) && _MIPS_SIM == _ABI64
constexpr uint32_t kAuditArch = AUDIT_ARCH_MIPSEL64;
#elif defined(__mips__) && _MIPS_SIM == _ABI64
constexpr uint32_t kAuditArch = AUDIT_ARCH_MIPS64;
#elif defined(__mips__) && defined(__MIPSEL__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_MIPSEL;
#elif defined(__mips__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_MIPS;
#else
#error "phantun-doctor: no seccomp architecture for this target"
#endif

// EPERM, not ENOSYS, for everything refused: it is the truth (the call exists and policy refused
// it), so a refusal reads "Operation not permitted" wherever the doctor reports an errno. ENOSYS
// would send the C library down its fallbacks for old kernels instead, which only work if the
// allowlist holds the fallback as well. Where musl has a fallback on a call the doctor makes, the
// list below holds it (stat64 after statx, socket without SOCK_CLOEXEC), except i386's socketcall
// for kernels before 4.3, whose arguments the filter cannot see.
constexpr uint32_t kDeny = SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA);

// Offset of the low 32 bits of system call argument `index` in struct seccomp_data. Every argument
// checked here is an int or unsigned int to the kernel, which uses only those bits.
constexpr uint32_t ArgLow(int index) {
  return offsetof(seccomp_data, args) + 8 * index + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? 4 : 0);
}

// One condition on an argument: (low 32 bits & mask) == value, or, with `above`, > value.
struct Check {
  int arg;
  uint32_t mask;
  uint32_t value;
  bool above;
};
Check Equals(int arg, uint32_t value) { return Check{arg, ~0u, value, false}; }
Check Masked(int arg, uint32_t mask, uint32_t value) { return Check{arg, mask, value, false}; }
Check NoBitOf(int arg, uint32_t bits) { return Check{arg, bits, 0, false}; }
Check Above(int arg, uint32_t value) { return Check{arg, ~0u, value, true}; }

// A system call, allowed when all the checks of any one alternative hold (always, with none).
struct Rule {
  long number;
  std::vector<std::vector<Check>> any_of;
};

// Flags that open a file for writing or create, truncate or append to one.
constexpr uint32_t kWriteFlags = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND;

constexpr uint32_t kNotCloexec = ~static_cast<uint32_t>(SOCK_CLOEXEC);

#ifdef MAP_TYPE
constexpr uint32_t kMapType = MAP_TYPE;
#else
constexpr uint32_t kMapType = 0x0f;  // the kernel's MAP_TYPE, the same on every architecture
#endif

// The x_tables requests of runtime/doctor/netfilter/xt_reader.cc: IPT_SO_GET_INFO and
// IPT_SO_GET_ENTRIES, and the same numbers for IP6T_. Other getsockopt requests of these levels,
// IPT_SO_GET_REVISION_MATCH for one, can make the kernel load a module.
constexpr uint32_t kXtGetInfo = 64;
constexpr uint32_t kXtGetEntries = 65;

// Every system call the doctor makes once the guard is up, found by running it under strace (x86_64)
// and qemu-user -strace (the six other architectures) in namespaces with and without TUN, nftables
// rules and iptables-legacy tables, as text, JSON and on a terminal, and by reading the musl sources
// behind each libc function it calls. The number each architecture uses is picked as musl picks it.
std::vector<Rule> AllowedCalls(int tun_fd) {
  // ioctl: isatty(1) for colour (TIOCGWINSZ on stdout), and TUNGETFEATURES on the descriptor opened
  // before the guard. TUNSETIFF, SIOCSIF*, FIONREAD... are refused.
  std::vector<std::vector<Check>> ioctls = {{Equals(0, STDOUT_FILENO), Equals(1, TIOCGWINSZ)}};
  if (tun_fd >= 0) ioctls.push_back({Equals(0, static_cast<uint32_t>(tun_fd)), Equals(1, TUNGETFEATURES)});
  return {
      // Reading files: open and openat only without a write, create, truncate or append flag.
      // (openat2 carries its flags in memory the filter cannot read, and is refused.)
#ifdef SYS_open
      {SYS_open, {{NoBitOf(1, kWriteFlags)}}},
#endif
      {SYS_openat, {{NoBitOf(2, kWriteFlags)}}},
      {SYS_read, {}},
      {SYS_close, {}},
      // F_SETFD only: musl's open() sets FD_CLOEXEC again after opening with O_CLOEXEC (for
      // kernels that ignored the flag), and socket() after its retry without SOCK_CLOEXEC. No
      // locks, owners, leases or pipe sizes.
#ifdef SYS_fcntl64
      {SYS_fcntl64, {{Equals(1, F_SETFD)}}},
#else
      {SYS_fcntl, {{Equals(1, F_SETFD)}}},
#endif
#ifdef SYS_access
      {SYS_access, {}},
#else
      {SYS_faccessat, {}},
#endif
      // stat(): musl calls stat on x86_64 and newfstatat on aarch64; where the kernel's struct stat
      // has 32-bit times (the 32-bit targets, mips64) it calls statx, and stat64/stat when a kernel
      // before 4.11 answers ENOSYS.
#if defined(__x86_64__)
      {SYS_stat, {}},
#elif defined(__aarch64__)
      {SYS_newfstatat, {}},
#elif defined(SYS_stat64)
      {SYS_statx, {}},
      {SYS_stat64, {}},
#else
      {SYS_statx, {}},
      {SYS_stat, {}},
#endif
      {SYS_getdents64, {}},  // readdir
      {SYS_uname, {}},
      // Output only to stdout and stderr: write (the report, errors) and writev (musl's stdio, which
      // libc++ prints its abort message with).
      {SYS_write, {{Equals(0, STDOUT_FILENO)}, {Equals(0, STDERR_FILENO)}}},
      {SYS_writev, {{Equals(0, STDOUT_FILENO)}, {Equals(0, STDERR_FILENO)}}},
      {SYS_ioctl, ioctls},
      // Sockets: netlink (routes, links, addresses; nf_tables) and the IPv4/IPv6 datagram sockets
      // that legacy x_tables are read through, with exactly the doctor's type and protocol. The
      // type may lack SOCK_CLOEXEC: when the kernel answers EPROTONOSUPPORT, musl asks again
      // without it, and the kernel's answer, not the filter's, must reach the checks.
      {SYS_socket,
       {{Equals(0, AF_NETLINK), Masked(1, kNotCloexec, SOCK_RAW), Equals(2, NETLINK_ROUTE)},
        {Equals(0, AF_NETLINK), Masked(1, kNotCloexec, SOCK_RAW), Equals(2, NETLINK_NETFILTER)},
        {Equals(0, AF_INET), Masked(1, kNotCloexec, SOCK_DGRAM), Equals(2, 0)},
        {Equals(0, AF_INET6), Masked(1, kNotCloexec, SOCK_DGRAM), Equals(2, 0)}}},
      // sendto: the netlink dump requests. The filter cannot see which socket a descriptor is, nor
      // the message: it allows no flags, a descriptor above 2 (the doctor's own, see
      // CloseInheritedDescriptors) and an address of exactly sizeof(sockaddr_nl), which the
      // doctor's IPv4/IPv6 sockets refuse (EINVAL) as too short. That the message is a GET dump is
      // checked by the code (runtime/doctor/netlink/dump_request.*), twice. sendmsg is refused.
      {SYS_sendto, {{Above(0, STDERR_FILENO), Equals(3, 0), Equals(5, sizeof(sockaddr_nl))}}},
      // The replies: one recvmsg per datagram (recvfrom, which musl's recv uses, is not needed).
      {SYS_recvmsg, {}},
      {SYS_getsockopt,
       {{Equals(1, IPPROTO_IP), Equals(2, kXtGetInfo)},
        {Equals(1, IPPROTO_IP), Equals(2, kXtGetEntries)},
        {Equals(1, IPPROTO_IPV6), Equals(2, kXtGetInfo)},
        {Equals(1, IPPROTO_IPV6), Equals(2, kXtGetEntries)}}},
#ifdef SYS_poll
      {SYS_poll, {}},
#else
      {SYS_ppoll, {}},
#endif
      // musl's malloc: private anonymous mappings only (a shared mapping of a file could write it),
      // read-write protection for its metadata pages, MADV_FREE for freed pages (other advice, such
      // as MADV_HWPOISON, acts on the machine).
#ifdef SYS_mmap2
      {SYS_mmap2, {{Masked(3, kMapType | MAP_ANONYMOUS, MAP_PRIVATE | MAP_ANONYMOUS)}}},
#else
      {SYS_mmap, {{Masked(3, kMapType | MAP_ANONYMOUS, MAP_PRIVATE | MAP_ANONYMOUS)}}},
#endif
      {SYS_munmap, {}},
      {SYS_mremap, {}},
      {SYS_brk, {}},
      {SYS_mprotect, {{NoBitOf(2, ~static_cast<uint32_t>(PROT_READ | PROT_WRITE))}}},
      {SYS_madvise, {{Equals(2, MADV_FREE)}}},
      // The kernel resumes a poll interrupted by a stop and continue through restart_syscall.
      {SYS_restart_syscall, {}},
      {SYS_exit_group, {}},
      {SYS_exit, {}},
  };
}

// Not allowed, and worth naming because it looks as if it might be: tkill/tgkill (musl's abort()
// raises SIGABRT with tkill; refused, abort falls through to a crashing instruction, and the
// process still ends), rt_sigprocmask and rt_sigaction (the doctor installs no handlers and blocks
// nothing), clock_gettime, getrandom and futex (not called by a single-threaded doctor that never
// reads the clock), and on i386 socketcall (its arguments are in memory: musl uses the direct
// socket calls, which kernels have had since 4.3).

class Program {
 public:
  void Add(uint16_t code, uint32_t k, uint8_t jt = 0, uint8_t jf = 0) { code_.push_back(sock_filter{code, jt, jf, k}); }
  void Append(const Program& other) { code_.insert(code_.end(), other.code_.begin(), other.code_.end()); }
  size_t size() const { return code_.size(); }
  sock_filter& at(size_t i) { return code_[i]; }
  std::vector<sock_filter> Take() { return std::move(code_); }

 private:
  std::vector<sock_filter> code_;
};

uint8_t Offset(size_t distance) {
  // Classic BPF jumps are at most 255 instructions; the blocks here are a few dozen at most.
  if (distance > 255) abort();
  return static_cast<uint8_t>(distance);
}

// The block run when the call's number matched: each alternative's checks in turn, the first that
// all hold allows; when none does, deny.
Program RuleBlock(const Rule& rule) {
  Program block;
  if (rule.any_of.empty()) {
    block.Add(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    return block;
  }
  for (const std::vector<Check>& alternative : rule.any_of) {
    Program code;
    std::vector<size_t> failures;  // jumps to the next alternative
    for (const Check& check : alternative) {
      code.Add(BPF_LD | BPF_W | BPF_ABS, ArgLow(check.arg));
      if (check.mask != ~0u) code.Add(BPF_ALU | BPF_AND | BPF_K, check.mask);
      failures.push_back(code.size());
      code.Add(BPF_JMP | (check.above ? BPF_JGT : BPF_JEQ) | BPF_K, check.value);
    }
    code.Add(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    for (size_t at : failures) code.at(at).jf = Offset(code.size() - at - 1);
    block.Append(code);
  }
  block.Add(BPF_RET | BPF_K, kDeny);
  return block;
}

}  // namespace

std::vector<sock_filter> ReadOnlyFilter(int tun_fd) {
  Program program;
  program.Add(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch));
  program.Add(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0);
  program.Add(BPF_RET | BPF_K, kDeny);
  program.Add(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr));
#if defined(__x86_64__)
  // x32 calls share AUDIT_ARCH_X86_64 and are told apart by this bit of the number.
  program.Add(BPF_JMP | BPF_JGE | BPF_K, 0x40000000 /* __X32_SYSCALL_BIT */, 0, 1);
  program.Add(BPF_RET | BPF_K, kDeny);
#endif
  // A block is entered only when the number matched and always ends in a return, so the
  // accumulator still holds the number at every comparison.
  for (const Rule& rule : AllowedCalls(tun_fd)) {
    Program block = RuleBlock(rule);
    program.Add(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(rule.number), 0, Offset(block.size()));
    program.Append(block);
  }
  program.Add(BPF_RET | BPF_K, kDeny);
  return program.Take();
}

bool CloseInheritedDescriptors() {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0) return true;
#endif
  // Kernels before 5.9: the descriptors /proc lists, except the one listing them.
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return false;
  std::vector<int> open_fds;
  while (const dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long fd = strtol(entry->d_name, &end, 10);
    if (*end == '\0' && end != entry->d_name && fd > STDERR_FILENO && fd != dirfd(dir)) {
      open_fds.push_back(static_cast<int>(fd));
    }
  }
  closedir(dir);
  for (int fd : open_fds) close(fd);
  return true;
}

Status InstallReadOnlyGuard(int tun_fd) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return SystemError("cannot set no_new_privs", errno);
  std::vector<sock_filter> program = ReadOnlyFilter(tun_fd);
  sock_fprog fprog{};
  fprog.len = static_cast<unsigned short>(program.size());
  fprog.filter = program.data();
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) != 0) {
    return SystemError("cannot install the seccomp filter", errno);
  }
  return Status();
}

}  // namespace phantun_runtime::doctor
