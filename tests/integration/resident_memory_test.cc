// phantun-run gives back the memory start-up used once phantun has run for a while
// (runtime/run/resident_memory.h): its executable's read-only segments are split into one-page
// pieces and dropped from its page tables, so that the loop it then spends phantun's life in keeps
// only the few pages it touches resident.
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "tests/support/install_dir.h"
#include "tests/support/runtime_run.h"

namespace phantun_test {
namespace {

struct ExecutableMappings {
  int pieces = 0;     // mappings of the executable that nobody writes (code, constants)
  long rss_kib = 0;   // their resident size
};

// The read-only mappings of the process's own executable, from /proc/PID/smaps.
ExecutableMappings ReadOnlyMappingsOf(pid_t pid) {
  const std::string exe = [&] {
    char path[4096];
    const ssize_t n = readlink(("/proc/" + std::to_string(pid) + "/exe").c_str(), path, sizeof path - 1);
    return std::string(path, n > 0 ? static_cast<size_t>(n) : 0);
  }();
  std::ifstream smaps("/proc/" + std::to_string(pid) + "/smaps");
  ExecutableMappings found;
  bool counting = false;
  for (std::string line; std::getline(smaps, line);) {
    std::istringstream words(line);
    std::string range, perms, offset, device, inode, path;
    if (line.find('-') < line.find(' ') && (words >> range >> perms >> offset >> device >> inode)) {
      std::getline(words >> std::ws, path);
      counting = path == exe && perms.find('w') == std::string::npos;
      if (counting) ++found.pieces;
    } else if (counting && line.rfind("Rss:", 0) == 0) {
      found.rss_kib += std::strtol(line.c_str() + 4, nullptr, 10);
    }
  }
  return found;
}

std::string ReadWhole(pid_t pid, const char* name) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/" + name);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The system call the process is blocked in, -1 when it runs or cannot be read.
long BlockedSyscall(pid_t pid) {
  const int fd = open(("/proc/" + std::to_string(pid) + "/syscall").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char text[128];
  const ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return -1;
  text[n] = '\0';
  char* end = nullptr;
  const long number = std::strtol(text, &end, 10);
  return end == text ? -1 : number;
}

TEST(ResidentMemoryTest, StartupPagesAreGivenBackOncePhantunRuns) {
  InstallDir dir;
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=client", "FAKE_EXIT_ON=15"}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  const ExecutableMappings at_start = ReadOnlyMappingsOf(run.pid());
  // The runtime's final wait is a read of its signalfd, which it enters after 100 ms of poll() and
  // the shedding; the deadline is only a bound on a state change, checked every 10 ms.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (BlockedSyscall(run.pid()) != SYS_read) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << "phantun-run never reached its final read; /proc/PID/syscall: " << ReadWhole(run.pid(), "syscall");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const ExecutableMappings settled = ReadOnlyMappingsOf(run.pid());
  EXPECT_GT(settled.pieces, 4 * at_start.pieces) << "the read-only segments were not split";
  EXPECT_LT(settled.rss_kib * 2, at_start.rss_kib)
      << "resident before: " << at_start.rss_kib << " KiB, after: " << settled.rss_kib << " KiB";
  // Still phantun's launcher: a signal is forwarded from the settled loop.
  run.Signal(SIGTERM);
  EXPECT_EQ(run.NextEvent(), "signal 15");
  EXPECT_EQ(run.NextEvent(), "exit 0");
  EXPECT_EQ(run.Finish(), Exited(0));
}

}  // namespace
}  // namespace phantun_test
