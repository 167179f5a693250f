#ifndef PHANTUN_RUNTIME_DOCTOR_NETLINK_STATUS_H_
#define PHANTUN_RUNTIME_DOCTOR_NETLINK_STATUS_H_

#include <string>

namespace phantun_runtime::netlink {

// What became of a request to the kernel, sorted by what the doctor reports: a check whose data
// could not be read for lack of privilege is a `skip`, never a `pass` and never a `fail`.
enum class Outcome {
  kOk,
  kPermissionDenied,  // EPERM/EACCES: run with CAP_NET_ADMIN (in the network namespace's user ns)
  kUnsupported,       // the kernel lacks the protocol or subsystem (not built, not loaded)
  kInterrupted,       // the state changed during a dump (NLM_F_DUMP_INTR); reading again may work
  kRefused,           // our own guard refused to send the request (not an allow-listed dump)
  kMalformed,         // the reply did not parse
  kFailed,            // any other error
};

struct Status {
  Outcome outcome = Outcome::kOk;
  int error_number = 0;  // errno behind the outcome, when there is one
  std::string message;   // one line for the operator: what was attempted and what the kernel said

  bool ok() const { return outcome == Outcome::kOk; }
  bool permission_denied() const { return outcome == Outcome::kPermissionDenied; }
};

// Sorts an errno into an Outcome and words the message as "<what>: <strerror>".
Status StatusFromErrno(int error_number, const char* what);

Status StatusOf(Outcome outcome, std::string message);

}  // namespace phantun_runtime::netlink

#endif  // PHANTUN_RUNTIME_DOCTOR_NETLINK_STATUS_H_
