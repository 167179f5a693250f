// Contract point 5: the runtime exits with phantun's status (N, or 128+N after signal N), with 127
// when phantun is missing and 126 when it cannot be executed, with one "phantun-run: " line on
// stderr and nothing on stdout for its own failures.
#include <elf.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/expectations.h"
#include "tests/support/files.h"
#include "tests/support/install_dir.h"
#include "tests/support/runfiles.h"
#include "tests/support/runtime_run.h"
#include "tests/support/signal_names.h"
#include "tests/support/temp_dir.h"

namespace phantun_test {
namespace {

// 256 runs share one install directory: they only read it.
class ExitCodeTest : public ::testing::TestWithParam<int> {
 protected:
  static void SetUpTestSuite() { dir_ = new InstallDir(); }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static InstallDir* dir_;
};

InstallDir* ExitCodeTest::dir_ = nullptr;

TEST_P(ExitCodeTest, IsPhantunsOwn) {
  RuntimeRun run(PhantunRunSpec(*dir_, {"MODE=client", "FAKE_EXIT=" + std::to_string(GetParam())}));
  EXPECT_EQ(run.Finish(), Exited(GetParam()));
  EXPECT_EQ(run.out(), "");
  EXPECT_EQ(run.err(), "");
}

INSTANTIATE_TEST_SUITE_P(EveryCode, ExitCodeTest, ::testing::Range(0, 256));

TEST(KilledBySignalTest, SigkillToPhantunGives137) {
  InstallDir dir;
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=client", "FAKE_EXIT_ON=never"}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  ASSERT_EQ(kill(record.pid, SIGKILL), 0);  // no PID namespace here: the fake's pid is ours too
  EXPECT_EQ(run.Finish(), Exited(137));
}

TEST(KilledBySignalTest, RealSegmentationFaultGives139) {
  InstallDir dir;
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=client", "FAKE_CRASH=segv"}));
  EXPECT_EQ(run.Finish(), Exited(128 + SIGSEGV));
}

// The fake leaves one signal at its default action (FAKE_DEFAULT), like upstream phantun, which
// installs no handlers; the runtime forwards it and reports the death.
class DefaultActionDeathTest : public ::testing::TestWithParam<int> {};

TEST_P(DefaultActionDeathTest, Gives128PlusTheSignal) {
  const int signo = GetParam();
  InstallDir dir;
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=client", "FAKE_DEFAULT=" + std::to_string(signo), "FAKE_EXIT_ON=never"}));
  FakeRecord record;
  ASSERT_TRUE(run.AwaitReady(&record));
  run.Signal(signo);
  EXPECT_EQ(run.Finish(), Exited(128 + signo));
  EXPECT_EQ(run.out(), "");
}

INSTANTIATE_TEST_SUITE_P(Several, DefaultActionDeathTest,
                         ::testing::Values(SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGALRM, SIGQUIT),
                         [](const ::testing::TestParamInfo<int>& info) { return SignalName(info.param); });

// phantun_client replaced by something that cannot run, the status expected for it, and what the
// message must say besides the program's path ("" for nothing more).
struct BrokenProgram {
  std::string name;
  void (*prepare)(const std::string& path);
  int expected_status;
  std::string also_named = "";
};

void Remove(const std::string& path) { ASSERT_EQ(unlink(path.c_str()), 0); }
void NotExecutable(const std::string& path) { ASSERT_EQ(chmod(path.c_str(), 0644), 0); }
void Directory(const std::string& path) {
  Remove(path);
  MakeDirectory(path);
}
void Garbage(const std::string& path) { WriteFile(path, "\x01\x02 not an executable format\n", 0755); }
void DanglingLink(const std::string& path) {
  Remove(path);
  MakeSymlink(path + ".missing", path);
}

// phantun_client exists, but execve() fails with ENOENT because a file it needs is missing: the
// interpreter of a script, or the dynamic loader of an ELF program (a glibc-linked phantun in a
// FROM scratch image). That is 126, "there but cannot run", and the message names the missing file.
void ScriptWithMissingInterpreter(const std::string& path) {
  WriteFile(path, "#!/nonexistent/interpreter -x\nexit 0\n", 0755);
}

// The smallest ELF executable the kernel reads as far as its program interpreter: a header and one
// PT_INTERP program header naming a loader that does not exist.
void DynamicProgramWithMissingLoader(const std::string& path) {
  static constexpr char kLoader[] = "/nonexistent/ld-phantun.so.1";
  Elf64_Ehdr header{};
  memcpy(header.e_ident, ELFMAG, SELFMAG);
  header.e_ident[EI_CLASS] = ELFCLASS64;
  header.e_ident[EI_DATA] = ELFDATA2LSB;
  header.e_ident[EI_VERSION] = EV_CURRENT;
  header.e_type = ET_DYN;
#if defined(__x86_64__)
  header.e_machine = EM_X86_64;
#elif defined(__aarch64__)
  header.e_machine = EM_AARCH64;
#endif
  header.e_version = EV_CURRENT;
  header.e_phoff = sizeof header;
  header.e_ehsize = sizeof header;
  header.e_phentsize = sizeof(Elf64_Phdr);
  header.e_phnum = 1;
  Elf64_Phdr interp{};
  interp.p_type = PT_INTERP;
  interp.p_offset = sizeof header + sizeof interp;
  interp.p_filesz = sizeof kLoader;
  std::string image(reinterpret_cast<const char*>(&header), sizeof header);
  image.append(reinterpret_cast<const char*>(&interp), sizeof interp);
  image.append(kLoader, sizeof kLoader);
  WriteFile(path, image, 0755);
}

class ExecFailureTest : public ::testing::TestWithParam<BrokenProgram> {};

TEST_P(ExecFailureTest, GivesItsStatusAndOneLineOnStderr) {
  InstallDir dir;
  GetParam().prepare(dir.client());
  RuntimeRun run(PhantunRunSpec(dir, {"MODE=client"}));
  EXPECT_EQ(run.RemainingEvents(), std::vector<std::string>{});
  EXPECT_EQ(run.Finish(), Exited(GetParam().expected_status));
  EXPECT_TRUE(IsOneLineStartingWith(run.err(), "phantun-run: "));
  EXPECT_NE(run.err().find(dir.client()), std::string::npos) << "the message names the program: " << run.err();
  EXPECT_NE(run.err().find(GetParam().also_named), std::string::npos) << run.err();
  EXPECT_EQ(run.out(), "");
}

INSTANTIATE_TEST_SUITE_P(MissingOrNotExecutable, ExecFailureTest,
                         ::testing::Values(BrokenProgram{"Missing", Remove, 127},
                                           BrokenProgram{"DanglingSymlink", DanglingLink, 127},
                                           BrokenProgram{"Mode0644", NotExecutable, 126},
                                           BrokenProgram{"Directory", Directory, 126},
                                           BrokenProgram{"GarbageWithMode0755", Garbage, 126},
                                           BrokenProgram{"ScriptWithMissingInterpreter", ScriptWithMissingInterpreter,
                                                         126, "'/nonexistent/interpreter' was not found"},
                                           BrokenProgram{"DynamicElfWithMissingLoader", DynamicProgramWithMissingLoader,
                                                         126, "'/nonexistent/ld-phantun.so.1' was not found"}),
                         [](const ::testing::TestParamInfo<BrokenProgram>& info) { return info.param.name; });

// The message names the program's path; a path with a newline in it must not split the message
// into two lines (MODE and IFACE_NAME values are escaped for the same reason).
TEST(ExecFailureMessageTest, StaysOneLineWhenTheInstallPathHasANewline) {
  TempDir parent;
  const std::string odd = parent.Join("install\ndir");
  MakeDirectory(odd);
  CopyFile(RuntimeBinary(), odd + "/phantun-runtime", 0755);
  MakeSymlink("phantun-runtime", odd + "/phantun-run");
  LaunchSpec spec;
  spec.path = odd + "/phantun-run";
  spec.argv = {spec.path};
  spec.env = {"MODE=client"};
  RuntimeRun run(spec);
  EXPECT_EQ(run.Finish(), Exited(127));
  EXPECT_TRUE(IsOneLineStartingWith(run.err(), "phantun-run: "));
}

}  // namespace
}  // namespace phantun_test
