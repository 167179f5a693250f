#include "runtime/status.h"

#include <errno.h>
#include <string.h>

#include "absl/strings/str_cat.h"

namespace phantun_runtime {
namespace {

Status::Code CodeOf(int error) {
  switch (error) {
    case ENOENT:
      return Status::Code::kNotFound;
    case EIO:
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      return Status::Code::kIoError;
    case EMFILE:
    case ENFILE:
    case ENOMEM:
    case EAGAIN:
      return Status::Code::kUnavailable;
    case EPROTONOSUPPORT:
    case EAFNOSUPPORT:
    case EOPNOTSUPP:
    case ENOPROTOOPT:
      return Status::Code::kUnimplemented;
    default:
      return Status::Code::kFailedPrecondition;
  }
}

}  // namespace

Status SystemError(std::string_view what, int error) {
  return Status(CodeOf(error), absl::StrCat(what, ": ", strerror(error)), error);
}

}  // namespace phantun_runtime
