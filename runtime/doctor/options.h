#ifndef PHANTUN_RUNTIME_DOCTOR_OPTIONS_H_
#define PHANTUN_RUNTIME_DOCTOR_OPTIONS_H_

#include <string>

#include "runtime/status.h"

namespace phantun_runtime::doctor {

enum class Mode { kUnknown, kClient, kServer };

// What the doctor checks against. It never reads phantun's arguments, so everything phantun was
// told on its command line that matters here is given again as the doctor's own flags; what is not
// given takes phantun 0.8.1's default.
struct Options {
  Mode mode = Mode::kUnknown;  // --mode, else MODE
  std::string tun;             // --tun; empty: the interface holding the TUN peer address, if any
  std::string tun_local;       // --tun-local; default 192.168.200.1 (client) / 192.168.201.1 (server)
  std::string tun_peer;        // --tun-peer; default 192.168.200.2 (client) / 192.168.201.2 (server)
  int port = 0;                // --port: the server's --local port; 0 = not given
  std::string wan;             // --wan; empty: the interface of the IPv4 default route
  bool ipv6 = false;           // --ipv6: also check IPv6 forwarding
  bool json = false;           // --json
  bool quiet = false;          // -q: failures only
  bool help = false;           // --help
};

// Parses the doctor's command line; `mode_env` is MODE's value (nullptr if unset). A usage error is
// kInvalidArgument with one line for the operator.
StatusOr<Options> ParseOptions(int argc, char** argv, const char* mode_env);

extern const char kDoctorHelp[];

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_OPTIONS_H_
