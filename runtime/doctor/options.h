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
  // --remote: the far end. Client: the server's ADDR:PORT, phantun_client's --remote (an address,
  // not a host name: the doctor resolves nothing). Server: ADDR[:PORT] of a client to trace the
  // SYN from. Empty address: unknown, so the tracer leaves what depends on it open.
  std::string remote_address;  // as given, without brackets
  int remote_port = 0;         // 0: not given
  std::string tun_local6;      // --tun-local6; default fcc8::1 (client) / fcc9::1 (server)
  std::string tun_peer6;       // --tun-peer6; default fcc8::2 (client) / fcc9::2 (server)
  bool ipv6 = false;           // --ipv6: also check IPv6 (forwarding, and the IPv6 traces)
  bool trace = false;          // --trace: every traced packet's path, hop by hop
  // --print-setup: print the host set-up phantun needs here (setup_recipe.h) instead of checking.
  bool print_setup = false;
  std::string setup_part;      // --part: apply, persist, undo or unpersist; "": all of them
  std::string setup_backend;   // --backend: nft, iptables, iptables-nft, iptables-legacy, fw4,
                               // firewalld; "": the one this host uses
  bool ipv4_only = false;      // --ipv4-only: phantun runs with --ipv4-only, the recipe has no IPv6
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
