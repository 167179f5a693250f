#include "runtime/doctor/read_only_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/doctor/live_host.h"
#include "runtime/doctor/netlink/dump_request.h"
#include "runtime/doctor/netlink/socket.h"

namespace phantun_runtime::doctor {
namespace {

// ------------------------------------------------------------------------------------------------
// The filter program itself, run by a small classic-BPF interpreter: this part needs no kernel, so
// it checks every architecture's program (system call numbers, argument offsets on big-endian
// targets) under qemu-user too, which cannot install seccomp filters.

#if defined(__x86_64__)
constexpr uint32_t kArch = AUDIT_ARCH_X86_64;
#elif defined(__i386__)
constexpr uint32_t kArch = AUDIT_ARCH_I386;
#elif defined(__aarch64__)
constexpr uint32_t kArch = AUDIT_ARCH_AARCH64;
#elif defined(__arm__)
constexpr uint32_t kArch = AUDIT_ARCH_ARM;
#elif defined(__mips__) && _MIPS_SIM == _ABI64
constexpr uint32_t kArch = AUDIT_ARCH_MIPS64;
#elif defined(__mips__) && defined(__MIPSEL__)
constexpr uint32_t kArch = AUDIT_ARCH_MIPSEL;
#elif defined(__mips__)
constexpr uint32_t kArch = AUDIT_ARCH_MIPS;
#endif

constexpr uint32_t kAllow = SECCOMP_RET_ALLOW;
constexpr uint32_t kEperm = SECCOMP_RET_ERRNO | EPERM;

// The kernel's seccomp_run_filters for the instructions a seccomp filter may use and this one does.
uint32_t Run(const std::vector<sock_filter>& program, const seccomp_data& data) {
  uint32_t a = 0;
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const sock_filter& in = program[pc];
    switch (in.code) {
      case BPF_LD | BPF_W | BPF_ABS:
        if (in.k + 4 > sizeof data) return 0xdead;
        memcpy(&a, reinterpret_cast<const char*>(&data) + in.k, 4);
        break;
      case BPF_ALU | BPF_AND | BPF_K: a &= in.k; break;
      case BPF_JMP | BPF_JA: pc += in.k; break;
      case BPF_JMP | BPF_JEQ | BPF_K: pc += a == in.k ? in.jt : in.jf; break;
      case BPF_JMP | BPF_JGT | BPF_K: pc += a > in.k ? in.jt : in.jf; break;
      case BPF_JMP | BPF_JGE | BPF_K: pc += a >= in.k ? in.jt : in.jf; break;
      case BPF_JMP | BPF_JSET | BPF_K: pc += (a & in.k) != 0 ? in.jt : in.jf; break;
      case BPF_RET | BPF_K: return in.k;
      default: return 0xbad;
    }
  }
  return 0xfa11;  // fell off the end: the kernel refuses such a program
}

class Filter {
 public:
  explicit Filter(int tun_fd = -1) : program_(ReadOnlyFilter(tun_fd)) {}
  uint32_t operator()(long nr, std::initializer_list<uint64_t> args = {}, uint32_t arch = kArch) const {
    seccomp_data data{};
    data.nr = static_cast<int>(nr);
    data.arch = arch;
    int i = 0;
    for (uint64_t arg : args) data.args[i++] = arg;
    return Run(program_, data);
  }

 private:
  std::vector<sock_filter> program_;
};

TEST(ReadOnlyFilterProgram, FitsTheKernelsLimitsAndEndsInAReturn) {
  const std::vector<sock_filter> program = ReadOnlyFilter(7);
  ASSERT_FALSE(program.empty());
  EXPECT_LE(program.size(), 4096u);  // BPF_MAXINSNS
  EXPECT_EQ(program.back().code, BPF_RET | BPF_K);
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const sock_filter& in = program[pc];
    if (BPF_CLASS(in.code) == BPF_JMP) {
      EXPECT_LT(pc + 1 + std::max(in.jt, in.jf), program.size()) << "jump past the end at " << pc;
    }
  }
}

TEST(ReadOnlyFilterProgram, AllowsTheCallsTheDoctorMakesWithItsArguments) {
  const Filter filter(5);
  // The open flags musl passes for LiveHost::ReadFile, opendir and stat's callers (O_LARGEFILE is
  // added by musl on 32-bit targets, 0 where it is the default).
  const uint64_t read_file = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_LARGEFILE;
  const uint64_t directory = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_LARGEFILE;
#ifdef SYS_open
  EXPECT_EQ(filter(SYS_open, {0, read_file}), kAllow);
  EXPECT_EQ(filter(SYS_open, {0, directory}), kAllow);
#endif
  EXPECT_EQ(filter(SYS_openat, {static_cast<uint32_t>(AT_FDCWD), 0, read_file}), kAllow);
  EXPECT_EQ(filter(SYS_openat, {static_cast<uint32_t>(AT_FDCWD), 0, directory}), kAllow);
  EXPECT_EQ(filter(SYS_read, {3, 0, 4096}), kAllow);
  EXPECT_EQ(filter(SYS_close, {3}), kAllow);
  EXPECT_EQ(filter(SYS_getdents64, {3, 0, 2048}), kAllow);
  EXPECT_EQ(filter(SYS_uname, {0}), kAllow);
  EXPECT_EQ(filter(SYS_write, {STDOUT_FILENO, 0, 10}), kAllow);
  EXPECT_EQ(filter(SYS_write, {STDERR_FILENO, 0, 10}), kAllow);
  EXPECT_EQ(filter(SYS_writev, {STDERR_FILENO, 0, 2}), kAllow);
  EXPECT_EQ(filter(SYS_ioctl, {STDOUT_FILENO, TIOCGWINSZ, 0}), kAllow);
  EXPECT_EQ(filter(SYS_ioctl, {5, TUNGETFEATURES, 0}), kAllow);
  EXPECT_EQ(filter(SYS_socket, {AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE}), kAllow);
  EXPECT_EQ(filter(SYS_socket, {AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER}), kAllow);
  EXPECT_EQ(filter(SYS_socket, {AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0}), kAllow);
  EXPECT_EQ(filter(SYS_socket, {AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0}), kAllow);
  // musl's retry without SOCK_CLOEXEC after EPROTONOSUPPORT (a kernel without nfnetlink).
  EXPECT_EQ(filter(SYS_socket, {AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER}), kAllow);
  EXPECT_EQ(filter(SYS_sendto, {3, 0, 20, 0, 0x1000, sizeof(sockaddr_nl)}), kAllow);
  EXPECT_EQ(filter(SYS_recvmsg, {3, 0, MSG_DONTWAIT | MSG_TRUNC}), kAllow);
  EXPECT_EQ(filter(SYS_getsockopt, {4, IPPROTO_IP, 64 /* IPT_SO_GET_INFO */, 0, 0}), kAllow);
  EXPECT_EQ(filter(SYS_getsockopt, {4, IPPROTO_IPV6, 65 /* IP6T_SO_GET_ENTRIES */, 0, 0}), kAllow);
#ifdef SYS_fcntl64
  EXPECT_EQ(filter(SYS_fcntl64, {3, F_SETFD, FD_CLOEXEC}), kAllow);
#else
  EXPECT_EQ(filter(SYS_fcntl, {3, F_SETFD, FD_CLOEXEC}), kAllow);
#endif
#ifdef SYS_access
  EXPECT_EQ(filter(SYS_access, {0, F_OK}), kAllow);
#else
  EXPECT_EQ(filter(SYS_faccessat, {static_cast<uint32_t>(AT_FDCWD), 0, F_OK, 0}), kAllow);
#endif
#ifdef SYS_poll
  EXPECT_EQ(filter(SYS_poll, {0, 1, 5000}), kAllow);
#else
  EXPECT_EQ(filter(SYS_ppoll, {0, 1, 0, 0, 8}), kAllow);
#endif
#ifdef SYS_mmap2
  EXPECT_EQ(filter(SYS_mmap2, {0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, ~0ull, 0}), kAllow);
#else
  EXPECT_EQ(filter(SYS_mmap, {0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, ~0ull, 0}), kAllow);
#endif
  EXPECT_EQ(filter(SYS_munmap, {0x1000, 4096}), kAllow);
  EXPECT_EQ(filter(SYS_mremap, {0x1000, 4096, 8192, 1}), kAllow);
  EXPECT_EQ(filter(SYS_brk, {0}), kAllow);
  EXPECT_EQ(filter(SYS_mprotect, {0x1000, 4096, PROT_READ | PROT_WRITE}), kAllow);
  EXPECT_EQ(filter(SYS_madvise, {0x1000, 4096, MADV_FREE}), kAllow);
  EXPECT_EQ(filter(SYS_exit_group, {1}), kAllow);
}

TEST(ReadOnlyFilterProgram, RefusesEverythingElse) {
  const Filter filter(5);
  for (uint64_t flags : {O_WRONLY, O_RDWR, O_RDONLY | O_CREAT, O_RDONLY | O_TRUNC, O_RDONLY | O_APPEND,
                         O_WRONLY | O_CREAT | O_EXCL, O_RDWR | O_CLOEXEC | O_NONBLOCK}) {
#ifdef SYS_open
    EXPECT_EQ(filter(SYS_open, {0, flags, 0644}), kEperm) << flags;
#endif
    EXPECT_EQ(filter(SYS_openat, {static_cast<uint32_t>(AT_FDCWD), 0, flags, 0644}), kEperm) << flags;
  }
  EXPECT_EQ(filter(SYS_write, {3, 0, 1}), kEperm);
  EXPECT_EQ(filter(SYS_write, {0, 0, 1}), kEperm);
  EXPECT_EQ(filter(SYS_writev, {4, 0, 1}), kEperm);
  EXPECT_EQ(filter(SYS_ioctl, {6, TUNGETFEATURES, 0}), kEperm);         // not the TUN descriptor
  EXPECT_EQ(filter(SYS_ioctl, {5, TUNSETIFF, 0}), kEperm);              // would create an interface
  EXPECT_EQ(filter(SYS_ioctl, {STDIN_FILENO, TIOCGWINSZ, 0}), kEperm);
  EXPECT_EQ(filter(SYS_ioctl, {STDOUT_FILENO, TCGETS, 0}), kEperm);
  EXPECT_EQ(filter(SYS_ioctl, {3, SIOCSIFFLAGS, 0}), kEperm);
  EXPECT_EQ(filter(SYS_ioctl, {3, SIOCGIFFLAGS, 0}), kEperm);           // reads, but is not needed
  EXPECT_EQ(Filter(-1)(SYS_ioctl, {5, TUNGETFEATURES, 0}), kEperm);     // no TUN descriptor: none allowed
  EXPECT_EQ(filter(SYS_recvfrom, {3, 0, 0, MSG_PEEK | MSG_TRUNC, 0, 0}), kEperm);  // replies come by recvmsg
  EXPECT_EQ(filter(SYS_socket, {AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0}), kEperm);
  EXPECT_EQ(filter(SYS_socket, {AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW}), kEperm);
  EXPECT_EQ(filter(SYS_socket, {AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0}), kEperm);
  EXPECT_EQ(filter(SYS_socket, {AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0}), kEperm);
  EXPECT_EQ(filter(SYS_socket, {AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT}), kEperm);
  EXPECT_EQ(filter(SYS_socket, {AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE}), kEperm);
  EXPECT_EQ(filter(SYS_sendto, {3, 0, 20, 0, 0x1000, sizeof(sockaddr_in)}), kEperm);
  EXPECT_EQ(filter(SYS_sendto, {3, 0, 20, MSG_DONTWAIT, 0x1000, sizeof(sockaddr_nl)}), kEperm);
  EXPECT_EQ(filter(SYS_sendto, {STDIN_FILENO, 0, 20, 0, 0x1000, sizeof(sockaddr_nl)}), kEperm);
  EXPECT_EQ(filter(SYS_sendmsg, {3, 0, 0}), kEperm);
  EXPECT_EQ(filter(SYS_setsockopt, {4, IPPROTO_IP, 64 /* IPT_SO_SET_REPLACE */, 0, 0}), kEperm);
  EXPECT_EQ(filter(SYS_getsockopt, {4, IPPROTO_IP, 66 /* IPT_SO_GET_REVISION_MATCH */, 0, 0}), kEperm);
  EXPECT_EQ(filter(SYS_getsockopt, {4, SOL_SOCKET, SO_TYPE, 0, 0}), kEperm);
#ifdef SYS_fcntl64
  EXPECT_EQ(filter(SYS_fcntl64, {3, F_SETLK, 0}), kEperm);
#endif
  EXPECT_EQ(filter(SYS_fcntl, {3, F_SETOWN, 1}), kEperm);
#ifdef SYS_mmap2
  const long mmap_call = SYS_mmap2;
#else
  const long mmap_call = SYS_mmap;
#endif
  EXPECT_EQ(filter(mmap_call, {0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, 3, 0}), kEperm);
  EXPECT_EQ(filter(mmap_call, {0, 4096, PROT_READ, MAP_PRIVATE, 3, 0}), kEperm);  // a file: not needed
  EXPECT_EQ(filter(SYS_mprotect, {0x1000, 4096, PROT_READ | PROT_EXEC}), kEperm);
  EXPECT_EQ(filter(SYS_madvise, {0x1000, 4096, MADV_DONTNEED}), kEperm);
  const long refused[] = {
      SYS_io_uring_setup, SYS_pwritev2, SYS_pwritev, SYS_pwrite64, SYS_tgkill, SYS_tkill,
      SYS_pidfd_send_signal, SYS_kill, SYS_openat2, SYS_setsockopt, SYS_mount, SYS_umount2, SYS_unshare,
      SYS_setns, SYS_bpf, SYS_init_module, SYS_finit_module, SYS_delete_module, SYS_ptrace,
      SYS_process_vm_writev, SYS_ftruncate, SYS_truncate, SYS_unlinkat, SYS_renameat, SYS_mkdirat,
      SYS_fchmodat, SYS_fchownat, SYS_linkat, SYS_symlinkat, SYS_mknodat, SYS_sendmsg, SYS_sendmmsg,
      SYS_splice, SYS_vmsplice, SYS_sendfile, SYS_copy_file_range, SYS_fallocate, SYS_reboot,
      SYS_sethostname, SYS_setpriority, SYS_prctl, SYS_seccomp, SYS_execve, SYS_clone, SYS_connect,
      SYS_bind, SYS_rt_sigprocmask, SYS_rt_sigaction, SYS_futex, SYS_getrandom, SYS_readv, SYS_lseek,
      SYS_fstat, SYS_dup3, SYS_pipe2, SYS_memfd_create, SYS_perf_event_open, SYS_keyctl, SYS_add_key,
      SYS_userfaultfd, SYS_fanotify_init, SYS_inotify_init1, SYS_open_by_handle_at, SYS_name_to_handle_at,
#ifdef SYS_socketcall
      SYS_socketcall,  // its arguments are in memory, out of the filter's sight
#endif
#ifdef SYS_creat
      SYS_creat,
#endif
#if defined(SYS_mmap2) && defined(SYS_mmap)
      SYS_mmap,  // i386's old mmap takes its arguments in memory
#endif
  };
  for (long nr : refused) EXPECT_EQ(filter(nr, {3, 0, 0, 0, 0, 0}), kEperm) << "system call " << nr;
  EXPECT_EQ(filter(1000000), kEperm);
}

TEST(ReadOnlyFilterProgram, ChecksOnlyTheBitsTheKernelUses) {
  // The kernel takes a descriptor or a flag word from the low 32 bits; on a 64-bit big-endian
  // target those are the second word of the argument, where the filter must look.
  const Filter filter(5);
  EXPECT_EQ(filter(SYS_write, {0xffffffff00000001ull, 0, 1}), kAllow);
  EXPECT_EQ(filter(SYS_write, {0x0000000100000003ull, 0, 1}), kEperm);
  EXPECT_EQ(filter(SYS_openat, {static_cast<uint32_t>(AT_FDCWD), 0, 0x100000000ull | O_WRONLY}), kEperm);
}

TEST(ReadOnlyFilterProgram, RefusesEveryCallOfAnotherAbi) {
  const Filter filter;
  const uint32_t arches[] = {AUDIT_ARCH_X86_64, AUDIT_ARCH_I386,     AUDIT_ARCH_AARCH64,
                             AUDIT_ARCH_ARM,    AUDIT_ARCH_MIPS,     AUDIT_ARCH_MIPSEL,
                             AUDIT_ARCH_MIPS64, AUDIT_ARCH_MIPSEL64, AUDIT_ARCH_MIPS64N32};
  for (uint32_t arch : arches) {
    if (arch == kArch) continue;
    EXPECT_EQ(filter(SYS_read, {3, 0, 1}, arch), kEperm) << std::hex << arch;
    EXPECT_EQ(filter(SYS_exit_group, {0}, arch), kEperm) << std::hex << arch;
  }
#if defined(__x86_64__)
  EXPECT_EQ(filter(0x40000000 | SYS_read, {3, 0, 1}), kEperm);  // x32
#endif
}

// ------------------------------------------------------------------------------------------------
// The filter in the kernel: each probe runs in a forked child that installed the guard, and
// reports through its exit status. The test process itself stays unfiltered.

constexpr int kSucceeded = 0;
constexpr int kNoGuard = 9;
constexpr int kFailedWith = 10;  // + errno
constexpr int kRefused = kFailedWith + EPERM;

// The outcome of a system call's return value, as a child's exit status.
int Outcome(long result) { return result >= 0 ? kSucceeded : kFailedWith + errno; }

std::string Describe(int status) {
  if (status == kSucceeded) return "succeeded";
  if (status == kNoGuard) return "the guard was not installed";
  if (status >= 300) return std::string("killed by ") + strsignal(status - 300);
  if (status >= kFailedWith) return std::string("failed: ") + strerror(status - kFailedWith);
  return "exit " + std::to_string(status);
}

// Runs `before` (no guard yet), installs the guard with `tun_fd`, runs `probe` and exits with its
// value. Returns the exit status, or 300 + the signal that ended the child.
int InGuardedChild(const std::function<int()>& probe, int tun_fd = -1,
                   const std::function<void()>& before = nullptr) {
  const pid_t pid = fork();
  if (pid == 0) {
    if (before) before();
    if (!InstallReadOnlyGuard(tun_fd).ok()) _exit(kNoGuard);
    _exit(probe());
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 300 + WTERMSIG(status);
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#ifdef UNDER_ASAN
// AddressSanitizer's runtime makes calls of its own in the guarded child (sigaltstack, gettid,
// futex...), which the guard refuses, and then aborts: the kernel half runs in the default build.
#define SKIP_WITHOUT_GUARD() GTEST_SKIP() << "under AddressSanitizer, whose own system calls the guard refuses"
#else
bool GuardAvailable() {
  static const bool available = InGuardedChild([] { return kSucceeded; }) == kSucceeded;
  return available;
}

#define SKIP_WITHOUT_GUARD()                                                                          \
  if (!GuardAvailable()) GTEST_SKIP() << "this kernel refuses seccomp filters (qemu-user does): only " \
                                         "the filter program is checked here"
#endif

#if defined(__GLIBC__)
// The allowlist holds the calls musl makes, the doctor's C library; glibc makes others for the same
// functions (opendir's fstat, for one), so what still works is checked in the musl build only.
#define SKIP_UNLESS_MUSL() GTEST_SKIP() << "built against glibc: the allowlist is musl's"
#else
#define SKIP_UNLESS_MUSL() (void)0
#endif

class ReadOnlyGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_GUARD();
    const char* tmp = getenv("TEST_TMPDIR");
    dir_ = std::string(tmp != nullptr ? tmp : "/tmp");
    existing_ = dir_ + "/existing";
    const int fd = open(existing_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, "keep", 4), 4);
    close(fd);
  }

  // The file must still hold exactly what SetUp wrote, with its mode.
  void ExpectUnchanged() {
    struct stat st;
    ASSERT_EQ(stat(existing_.c_str(), &st), 0);
    EXPECT_EQ(st.st_size, 4);
    EXPECT_EQ(st.st_mode & 0777, 0644u);
  }

  std::string dir_;
  std::string existing_;
};

// Asserts that `call`, made under the guard, fails with EPERM.
#define EXPECT_REFUSED(call, ...)                                                   \
  do {                                                                             \
    const int status = InGuardedChild([&] { return Outcome(call); }, ##__VA_ARGS__); \
    EXPECT_EQ(status, kRefused) << #call << ": " << Describe(status);              \
  } while (0)

TEST_F(ReadOnlyGuardTest, OpeningForWritingCreatingOrTruncatingIsRefused) {
  const std::string created = dir_ + "/created";
  for (int flags : {O_WRONLY, O_RDWR, O_RDWR | O_CREAT, O_WRONLY | O_TRUNC, O_RDONLY | O_TRUNC,
                    O_RDONLY | O_APPEND, O_WRONLY | O_CREAT | O_EXCL}) {
    const char* path = (flags & O_EXCL) != 0 ? created.c_str() : existing_.c_str();
    SCOPED_TRACE(flags);
    EXPECT_REFUSED(syscall(SYS_openat, AT_FDCWD, path, flags, 0644));
#ifdef SYS_open
    EXPECT_REFUSED(syscall(SYS_open, path, flags, 0644));
#endif
  }
  EXPECT_REFUSED(syscall(SYS_openat, AT_FDCWD, created.c_str(), O_RDONLY | O_CREAT, 0644));
#ifdef SYS_creat
  EXPECT_REFUSED(syscall(SYS_creat, created.c_str(), 0644));
#endif
  // openat2 even read-only: its flags are in memory the filter cannot read.
  struct {
    uint64_t flags, mode, resolve;
  } how = {O_RDONLY, 0, 0};
  EXPECT_REFUSED(syscall(SYS_openat2, AT_FDCWD, existing_.c_str(), &how, sizeof how));
  struct stat st;
  EXPECT_NE(stat(created.c_str(), &st), 0) << "the guard let a file be created";
  ExpectUnchanged();
}

TEST_F(ReadOnlyGuardTest, WritingAnywhereButStdoutAndStderrIsRefused) {
  const int file = open(existing_.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(file, 0);
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK), 0);
  char byte = 'x';
  struct iovec vector = {&byte, 1};
  EXPECT_REFUSED(write(pipe_fds[1], "x", 1));
  EXPECT_REFUSED(write(file, "x", 1));
  EXPECT_REFUSED(writev(file, &vector, 1));
  EXPECT_REFUSED(syscall(SYS_pwrite64, file, "x", 1, 0));
  EXPECT_REFUSED(syscall(SYS_pwritev, file, &vector, 1, 0, 0));
  EXPECT_REFUSED(syscall(SYS_pwritev2, file, &vector, 1, 0, 0, 0));
  EXPECT_REFUSED(syscall(SYS_ftruncate, file, 0));
  EXPECT_REFUSED(truncate(existing_.c_str(), 0));
  EXPECT_REFUSED(fchmod(file, 0600));
  EXPECT_REFUSED(syscall(SYS_fallocate, file, 0, 0, 4096));
  EXPECT_REFUSED(syscall(SYS_unlinkat, AT_FDCWD, existing_.c_str(), 0));
  EXPECT_REFUSED(syscall(SYS_renameat, AT_FDCWD, existing_.c_str(), AT_FDCWD, (dir_ + "/moved").c_str()));
  EXPECT_REFUSED(syscall(SYS_mkdirat, AT_FDCWD, (dir_ + "/d").c_str(), 0755));
  // A shared writable mapping would write the file through memory.
  EXPECT_REFUSED(reinterpret_cast<intptr_t>(mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0)));
  char got = 0;
  EXPECT_EQ(read(pipe_fds[0], &got, 1), -1) << "a byte reached the pipe";
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  close(file);
  ExpectUnchanged();
}

TEST_F(ReadOnlyGuardTest, IoUringSignalsAndProcessChangesAreRefused) {
  const pid_t parent = getpid();
  struct {
    uint32_t values[30];
  } uring_params = {};
  EXPECT_REFUSED(syscall(SYS_io_uring_setup, 1, &uring_params));
  EXPECT_REFUSED(kill(parent, 0));
  EXPECT_REFUSED(syscall(SYS_tkill, parent, 0));
  EXPECT_REFUSED(syscall(SYS_tgkill, parent, parent, 0));
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, parent, 0));
  if (pidfd >= 0) {
    EXPECT_REFUSED(syscall(SYS_pidfd_send_signal, pidfd, 0, nullptr, 0));
    close(pidfd);
  } else {
    EXPECT_REFUSED(syscall(SYS_pidfd_send_signal, 0, 0, nullptr, 0));  // a kernel before 5.3
  }
  // Arguments the kernel would refuse with another errno, so that a broken filter changes nothing.
  EXPECT_REFUSED(syscall(SYS_mount, "none", dir_.c_str(), "phantun-no-such-fs", 0, nullptr));
  EXPECT_REFUSED(syscall(SYS_umount2, dir_.c_str(), MNT_DETACH));
  EXPECT_REFUSED(syscall(SYS_unshare, CLONE_NEWNET));
  EXPECT_REFUSED(syscall(SYS_setns, 0, CLONE_NEWNET));
  union {
    char bytes[128];
  } bpf_attr = {};
  EXPECT_REFUSED(syscall(SYS_bpf, 5 /* BPF_PROG_LOAD */, &bpf_attr, sizeof bpf_attr));
  EXPECT_REFUSED(syscall(SYS_finit_module, -1, "", 0));
  EXPECT_REFUSED(syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0));
  EXPECT_REFUSED(syscall(SYS_prctl, PR_SET_NAME, "renamed", 0, 0, 0));
}

TEST_F(ReadOnlyGuardTest, SocketsOptionsAndIoctlsBeyondTheDoctorsAreRefused) {
  const int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(udp, 0);
  int one = 1;
  EXPECT_REFUSED(setsockopt(udp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
  EXPECT_REFUSED(setsockopt(udp, IPPROTO_IP, 64 /* IPT_SO_SET_REPLACE */, &one, sizeof one));
  int type = 0;
  socklen_t length = sizeof type;
  EXPECT_REFUSED(getsockopt(udp, SOL_SOCKET, SO_TYPE, &type, &length));
  // A UDP datagram to a test address: refused by its address size (only sockaddr_nl's passes).
  struct sockaddr_in to = {};
  to.sin_family = AF_INET;
  to.sin_port = htons(9);
  to.sin_addr.s_addr = htonl(0xc6120001);  // 198.18.0.1
  EXPECT_REFUSED(sendto(udp, "x", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to));
  struct iovec vector = {const_cast<char*>("x"), 1};
  struct msghdr message = {};
  message.msg_name = &to;
  message.msg_namelen = sizeof to;
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  EXPECT_REFUSED(sendmsg(udp, &message, 0));
  EXPECT_REFUSED(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  EXPECT_REFUSED(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  EXPECT_REFUSED(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT));
  EXPECT_REFUSED(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));

  // ioctl: changing an interface's flags (lo's own flags: a no-op were it allowed), reading them
  // (not needed), and terminal requests other than isatty's.
  struct ifreq request = {};
  strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  ASSERT_EQ(ioctl(udp, SIOCGIFFLAGS, &request), 0);
  EXPECT_REFUSED(ioctl(udp, SIOCSIFFLAGS, &request));
  EXPECT_REFUSED(ioctl(udp, SIOCGIFFLAGS, &request));
  int pending = 0;
  EXPECT_REFUSED(ioctl(STDIN_FILENO, FIONREAD, &pending));
  struct winsize size;
  EXPECT_REFUSED(ioctl(STDIN_FILENO, TIOCGWINSZ, &size));
  close(udp);
}

TEST_F(ReadOnlyGuardTest, OnTheTunDescriptorOnlyTunGetFeatures) {
  const int tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (tun < 0) GTEST_SKIP() << "/dev/net/tun: " << strerror(errno);
  const int other = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
  ASSERT_GE(other, 0);
  unsigned int features = 0;
  EXPECT_EQ(InGuardedChild([&] { return Outcome(ioctl(tun, TUNGETFEATURES, &features)); }, tun), kSucceeded);
  EXPECT_REFUSED(ioctl(other, TUNGETFEATURES, &features), tun);
  EXPECT_REFUSED(ioctl(tun, TUNGETFEATURES, &features));  // no descriptor named: none allowed
  // TUNSETIFF would create an interface (for as long as the child lived).
  struct ifreq request = {};
  strncpy(request.ifr_name, "ptguard0", IFNAMSIZ - 1);
  request.ifr_flags = IFF_TUN | IFF_NO_PI;
  EXPECT_REFUSED(ioctl(tun, TUNSETIFF, &request), tun);
  EXPECT_REFUSED(ioctl(tun, TUNSETPERSIST, 1), tun);
  close(other);
  close(tun);
}

// The kernel replies to every request it receives (an error at the least, ACK flag or not), so a
// netlink socket that got no reply with a request's sequence number never sent that request.
// What seccomp cannot see: a netlink message's body. A request that changes something (a new or
// deleted link, a new nf_tables table) must be refused by the doctor's netlink code before it is
// sent, and nothing may reach the kernel; a GET dump on the same socket still works. The kernel
// answers every request it receives (an error at least) before sendto returns, so a refused request
// that had gone out would have left a reply waiting on the socket.
int ModifyingRequestsThenAGet(int protocol, std::initializer_list<uint16_t> refused_types, uint16_t get_type) {
  // The socket takes the lowest free descriptor, which is known here: Socket keeps its own.
  const int lowest = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (lowest < 0) return 1;
  close(lowest);
  netlink::Socket socket;
  if (!socket.Open(protocol).ok()) return 1;
  for (uint16_t type : refused_types) {
    if (socket.Dump(type, AF_UNSPEC, [](const netlink::Message&) {}).ok()) return 2;
  }
  char waiting;
  struct iovec vector = {&waiting, sizeof waiting};
  struct msghdr header = {};
  header.msg_iov = &vector;
  header.msg_iovlen = 1;
  if (recvmsg(lowest, &header, MSG_DONTWAIT | MSG_PEEK) >= 0 || errno != EAGAIN) return 4;
  // The dump may be empty (no nf_tables table here); that it completes is what counts.
  if (!socket.Dump(get_type, AF_UNSPEC, [](const netlink::Message&) {}).ok()) return 3;
  return kSucceeded;
}

TEST_F(ReadOnlyGuardTest, NetlinkRequestsThatChangeStateAreRefusedByTheCodeAndNeverSent) {
  const int route = InGuardedChild([] {
    return ModifyingRequestsThenAGet(NETLINK_ROUTE, {RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR, RTM_DELROUTE},
                                     RTM_GETLINK);
  });
  EXPECT_EQ(route, kSucceeded) << "1: no socket, 2: a modifying request was accepted, 3: the GET failed, 4: a reply "
                                  "to a refused request arrived";
  // nf_tables only where it is built in or loaded: like the doctor, the test loads no module.
  const bool modules = access("/proc/modules", F_OK) == 0;
  if (modules && access("/sys/module/nf_tables", F_OK) != 0) return;
  const int probe = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (probe < 0) return;  // a kernel without nfnetlink
  close(probe);
  const int nft = InGuardedChild([] {
    return ModifyingRequestsThenAGet(
        NETLINK_NETFILTER, {netlink::NftablesType(NFT_MSG_NEWTABLE), netlink::NftablesType(NFT_MSG_DELTABLE)},
        netlink::NftablesType(NFT_MSG_GETTABLE));
  });
  EXPECT_EQ(nft, kSucceeded);
}

TEST_F(ReadOnlyGuardTest, WhatTheDoctorDoesStillWorks) {
  SKIP_UNLESS_MUSL();
  const LiveHost host;
  EXPECT_EQ(InGuardedChild([&] {
              const StatusOr<std::string> status = host.ReadFile("/proc/self/status");
              if (!status.ok() || status->find("Seccomp:\t2") == std::string::npos) return 1;
              if (!host.Exists("/proc/self/status") || host.Exists("/nonexistent")) return 2;
              const std::vector<std::string> links =
                  host.ListDirectory("/sys/class/net").value_or(std::vector<std::string>());
              if (std::find(links.begin(), links.end(), "lo") == links.end()) return 3;
              struct stat st;
              if (stat("/dev/null", &st) != 0 || !S_ISCHR(st.st_mode)) return 4;
              struct utsname name;
              if (uname(&name) != 0) return 5;
              // The doctor's allocations: many small ones (brk) and large ones (mmap, mremap).
              std::vector<std::string> many(20000, std::string(100, 'x'));
              std::string large(8 << 20, 'y');
              large.resize(32 << 20, 'z');
              void* grown = realloc(malloc(1 << 20), 4 << 20);
              if (grown == nullptr) return 6;
              free(grown);
              int lo_seen = 0;
              netlink::Socket socket;
              if (!socket.Open(NETLINK_ROUTE).ok()) return 7;
              if (!socket.Dump(RTM_GETLINK, AF_UNSPEC, [&](const netlink::Message&) { ++lo_seen; }).ok()) return 8;
              if (lo_seen == 0) return 9;
              // isatty on a non-terminal: ENOTTY from the kernel, not EPERM from the filter.
              if (isatty(STDOUT_FILENO) == 0 && errno == EPERM) return 10;
              return kSucceeded;
            }),
            kSucceeded);
}

TEST_F(ReadOnlyGuardTest, LegacyIptablesAreReadable) {
  SKIP_UNLESS_MUSL();
  if (geteuid() != 0) GTEST_SKIP() << "IPT_SO_GET_INFO needs CAP_NET_ADMIN, and answers EPERM without it";
  // A request of the wrong size: the kernel answers EINVAL (or ENOPROTOOPT without ip_tables)
  // before it looks for a table, so no module is loaded either way; only the filter says EPERM.
  const int status = InGuardedChild([] {
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 1;
    char reply[4] = {};
    socklen_t length = sizeof reply;
    return Outcome(getsockopt(fd, IPPROTO_IP, 64 /* IPT_SO_GET_INFO */, reply, &length));
  });
  EXPECT_NE(status, kRefused);
  EXPECT_NE(status, 1);
}

TEST_F(ReadOnlyGuardTest, StdoutAndStderrAreWritten) {
  SKIP_UNLESS_MUSL();
  int out[2];
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  const int status = InGuardedChild(
      [] {
        struct iovec vector = {const_cast<char*>("-err"), 4};
        return write(STDOUT_FILENO, "out", 3) == 3 && writev(STDERR_FILENO, &vector, 1) == 4 ? kSucceeded : 1;
      },
      -1,
      [&] {
        dup2(out[1], STDOUT_FILENO);
        dup2(out[1], STDERR_FILENO);
      });
  close(out[1]);
  char buffer[16] = {};
  const ssize_t n = read(out[0], buffer, sizeof buffer - 1);
  close(out[0]);
  EXPECT_EQ(status, kSucceeded);
  EXPECT_EQ(std::string(buffer, n > 0 ? static_cast<size_t>(n) : 0), "out-err");
}

TEST_F(ReadOnlyGuardTest, AbortStillEndsTheProcess) {
  SKIP_UNLESS_MUSL();
  // musl's abort() raises SIGABRT with tkill, which the guard refuses; it then falls through to a
  // crashing instruction, so the process still ends by a signal instead of carrying on.
  const int status = InGuardedChild([] {
    abort();
    return kSucceeded;
  });
  EXPECT_GE(status, 300) << Describe(status);
}

TEST(CloseInheritedDescriptors, LeavesOnlyZeroToTwo) {
  const pid_t pid = fork();
  if (pid == 0) {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0 || dup2(pipe_fds[0], 40) != 40) _exit(1);
    if (!CloseInheritedDescriptors()) _exit(2);
    for (int fd = 3; fd < 1024; ++fd) {
      if (fcntl(fd, F_GETFD) >= 0) _exit(3);
    }
    _exit(fcntl(STDERR_FILENO, F_GETFD) >= 0 ? 0 : 4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace phantun_runtime::doctor
