#include "runtime/run/exit_status.h"

#include <errno.h>
#include <signal.h>

#include "gtest/gtest.h"

namespace phantun_runtime {
namespace {

// Wait statuses as the kernel encodes them: exit code in bits 8-15, terminating signal in 0-6.
int Exited(int code) { return code << 8; }
int Killed(int signo) { return signo; }
int KilledWithCore(int signo) { return signo | 0x80; }

TEST(ExitCodeFromWaitStatus, EveryExitCodeIsPassedThrough) {
  for (int code = 0; code <= 255; ++code) EXPECT_EQ(ExitCodeFromWaitStatus(Exited(code)), code);
}

TEST(ExitCodeFromWaitStatus, DeathBySignalIs128PlusTheSignal) {
  EXPECT_EQ(ExitCodeFromWaitStatus(Killed(SIGTERM)), 143);
  EXPECT_EQ(ExitCodeFromWaitStatus(Killed(SIGKILL)), 137);
  EXPECT_EQ(ExitCodeFromWaitStatus(KilledWithCore(SIGSEGV)), 139);
  EXPECT_EQ(ExitCodeFromWaitStatus(Killed(64)), 192);
}

TEST(CodeForExecError, MissingProgramIsNotFound) {
  EXPECT_EQ(CodeForExecError(ENOENT, false), Status::Code::kNotFound);
  EXPECT_EQ(CodeForExecError(ENOTDIR, false), Status::Code::kNotFound);
}

TEST(CodeForExecError, ProgramThatCannotRunIsAFailedPrecondition) {
  for (int error : {EACCES, ENOEXEC, EISDIR, ETXTBSY, ELOOP, EPERM, ENOMEM, E2BIG}) {
    EXPECT_EQ(CodeForExecError(error, true), Status::Code::kFailedPrecondition) << error;
  }
}

// ENOENT from a program that is there: its interpreter or dynamic loader is what is missing.
TEST(CodeForExecError, ExistingProgramWithAMissingInterpreterIsAFailedPrecondition) {
  EXPECT_EQ(CodeForExecError(ENOENT, true), Status::Code::kFailedPrecondition);
}

}  // namespace
}  // namespace phantun_runtime
