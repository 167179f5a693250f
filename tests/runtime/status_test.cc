#include "runtime/status.h"

#include <errno.h>

#include <string>

#include "gtest/gtest.h"

namespace phantun_runtime {
namespace {

TEST(Status, DefaultIsOk) {
  const Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.code(), Status::Code::kOk);
  EXPECT_EQ(ok.message(), "");
  EXPECT_EQ(ok.system_error(), 0);
}

TEST(SystemError, KeepsTheErrnoAndSaysWhatFailedAndWhy) {
  const Status error = SystemError("cannot open 'x'", EACCES);
  EXPECT_FALSE(error.ok());
  EXPECT_EQ(error.message(), "cannot open 'x': Permission denied");
  EXPECT_EQ(error.system_error(), EACCES);
}

TEST(SystemError, DerivesTheCodeFromTheErrno) {
  EXPECT_EQ(SystemError("a", ENOENT).code(), Status::Code::kNotFound);
  for (int error : {EIO, ENOSPC, EDQUOT, EFBIG}) EXPECT_EQ(SystemError("a", error).code(), Status::Code::kIoError);
  for (int error : {EMFILE, ENFILE, ENOMEM, EAGAIN}) {
    EXPECT_EQ(SystemError("a", error).code(), Status::Code::kUnavailable);
  }
  for (int error : {EPROTONOSUPPORT, EAFNOSUPPORT, EOPNOTSUPP, ENOPROTOOPT}) {
    EXPECT_EQ(SystemError("a", error).code(), Status::Code::kUnimplemented);
  }
  for (int error : {EACCES, EPERM, ENOTDIR, EISDIR, ELOOP}) {
    EXPECT_EQ(SystemError("a", error).code(), Status::Code::kFailedPrecondition);
  }
}

TEST(StatusOr, HoldsAValueOrTheStatus) {
  const StatusOr<std::string> value = std::string("ptun0");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, "ptun0");
  EXPECT_EQ(value->size(), 5u);
  const StatusOr<std::string> none = Status(Status::Code::kInvalidArgument, "bad");
  EXPECT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(), "bad");
  EXPECT_EQ(value.value_or("none"), "ptun0");
  EXPECT_EQ(none.value_or("none"), "none");
}

}  // namespace
}  // namespace phantun_runtime
