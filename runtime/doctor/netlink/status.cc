#include "runtime/doctor/netlink/status.h"

#include <errno.h>
#include <string.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace phantun_runtime::netlink {

Status StatusFromErrno(int error_number, const char* what) {
  Status status;
  status.error_number = error_number;
  switch (error_number) {
    case EPERM:
    case EACCES:
      status.outcome = Outcome::kPermissionDenied;
      break;
    case EPROTONOSUPPORT:
    case EAFNOSUPPORT:
    case EOPNOTSUPP:
    case ENOPROTOOPT:
      status.outcome = Outcome::kUnsupported;
      break;
    default:
      status.outcome = Outcome::kFailed;
  }
  status.message = absl::StrCat(what, ": ", strerror(error_number));
  return status;
}

Status StatusOf(Outcome outcome, std::string message) {
  Status status;
  status.outcome = outcome;
  status.message = std::move(message);
  return status;
}

}  // namespace phantun_runtime::netlink
