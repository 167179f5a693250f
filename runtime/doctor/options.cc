#include "runtime/doctor/options.h"

#include <arpa/inet.h>

#include <string_view>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "runtime/handoff/iface_name.h"

namespace phantun_runtime::doctor {

const char kDoctorHelp[] =
    "Usage: phantun-doctor [--mode client|server] [--tun NAME] [--tun-local IP] [--tun-peer IP]\n"
    "                      [--port PORT] [--wan IFACE] [--remote ADDR[:PORT]] [--ipv6]\n"
    "                      [--tun-local6 IP] [--tun-peer6 IP] [--trace] [--json] [-q]\n"
    "       phantun-doctor --print-setup [--part PART] [--backend BACKEND] [--ipv4-only] [the same options]\n"
    "\n"
    "Read-only checks of what phantun needs from the host: /dev/net/tun, CAP_NET_ADMIN, the network\n"
    "namespace, IP forwarding, rp_filter, the NAT and forward rules (nftables and iptables), the\n"
    "TUN interface and its MTU. It changes nothing: it opens no file for writing (only /dev/net/tun\n"
    "for reading and writing, which creates nothing), sends only netlink GET requests, and a seccomp\n"
    "filter it installs on itself refuses anything that would modify the system.\n"
    "\n"
    "It never reads phantun's arguments; give it the values phantun was started with:\n"
    "  --mode client|server  which side this host is (default: $MODE)\n"
    "  --tun NAME            phantun's --tun (default: the interface holding the TUN peer address)\n"
    "  --tun-local IP        phantun's --tun-local (default 192.168.200.1 client, 192.168.201.1 server)\n"
    "  --tun-peer IP         phantun's --tun-peer (default 192.168.200.2 client, 192.168.201.2 server)\n"
    "  --port PORT           the server's --local port, for the DNAT check\n"
    "  --wan IFACE           the Internet-facing interface (default: that of the IPv4 default route)\n"
    "  --remote ADDR[:PORT]  client: phantun's --remote, the server (an address; [v6]:PORT for IPv6);\n"
    "                        server: a client's address to trace the tunnel's SYN from\n"
    "  --ipv6                also check IPv6: forwarding, and the IPv6 packets' paths\n"
    "  --tun-local6 IP       phantun's --tun-local6 (default fcc8::1 client, fcc9::1 server)\n"
    "  --tun-peer6 IP        phantun's --tun-peer6 (default fcc8::2 client, fcc9::2 server)\n"
    "\n"
    "Host set-up (printed, never applied; see the README's host set-up section):\n"
    "  --print-setup         print the forwarding, NAT and accept rules phantun needs on this host,\n"
    "                        as commands, checked by tracing phantun's packets through this host's\n"
    "                        rules with them added; with how to make them persistent and to undo them\n"
    "  --part PART           only one part, as a script: apply, persist, undo or unpersist\n"
    "  --backend BACKEND     nft, iptables (the variant this host uses), iptables-nft, iptables-legacy,\n"
    "                        fw4 (OpenWrt UCI) or firewalld (default: the one this host uses)\n"
    "  --ipv4-only           phantun runs with --ipv4-only: no IPv6 rules\n"
    "\n"
    "Output:\n"
    "  --json                machine-readable report (schema \"phantun-doctor/1\", see docs)\n"
    "  -q, --quiet           only the checks that failed\n"
    "  --trace               also print each traced packet's path through the host's rules and\n"
    "                        routes, hop by hop (with --json: the \"traces\" member)\n"
    "  --list-checks         print every check id the doctor can report, one a line\n"
    "  NO_COLOR              set and non-empty: no colour even on a terminal\n"
    "\n"
    "Exit status: 0 nothing failed, 1 at least one check failed, 64 usage error.\n";

namespace {

bool IsIpv4(const std::string& text) {
  in_addr address;
  return inet_pton(AF_INET, text.c_str(), &address) == 1;
}

bool IsIpv6(const std::string& text) {
  in6_addr address;
  return inet_pton(AF_INET6, text.c_str(), &address) == 1;
}

Status Usage(std::string message) { return Status(Status::Code::kInvalidArgument, std::move(message)); }

// --remote's value: 203.0.113.7, 203.0.113.7:4567, 2001:db8::7, [2001:db8::7]:4567. A host name is
// refused: the doctor makes no DNS query, and the rules it checks match addresses.
Status ParseRemote(const std::string& value, Options* options) {
  std::string address = value;
  std::string port;
  if (!value.empty() && value[0] == '[') {
    const size_t close = value.find(']');
    if (close == std::string::npos) return Usage(absl::StrCat("--remote '", value, "' has no closing ']'"));
    address = value.substr(1, close - 1);
    const std::string rest = value.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return Usage(absl::StrCat("--remote '", value, "': expected [IPv6]:PORT"));
      port = rest.substr(1);
    }
    if (!IsIpv6(address)) return Usage(absl::StrCat("--remote '", value, "': '", address, "' is not an IPv6 address"));
  } else if (!IsIpv6(value)) {
    const size_t colon = value.rfind(':');
    if (colon != std::string::npos) {
      address = value.substr(0, colon);
      port = value.substr(colon + 1);
    }
    if (!IsIpv4(address)) {
      return Usage(absl::StrCat("--remote '", value, "': expected ADDR[:PORT] with an IP address (no host names)"));
    }
  }
  if (!port.empty() && (!absl::SimpleAtoi(port, &options->remote_port) || options->remote_port < 1 ||
                        options->remote_port > 65535)) {
    return Usage(absl::StrCat("--remote '", value, "': '", port, "' is not a port number (1-65535)"));
  }
  options->remote_address = address;
  return Status();
}

}  // namespace

StatusOr<Options> ParseOptions(int argc, char** argv, const char* mode_env) {
  Options options;
  std::string mode = mode_env != nullptr ? mode_env : "";
  bool mode_from_flag = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      options.help = true;
      return options;
    }
    if (flag == "--json") { options.json = true; continue; }
    if (flag == "-q" || flag == "--quiet") { options.quiet = true; continue; }
    if (flag == "--ipv6") { options.ipv6 = true; continue; }
    if (flag == "--trace") { options.trace = true; continue; }
    if (flag == "--print-setup") { options.print_setup = true; continue; }
    if (flag == "--ipv4-only") { options.ipv4_only = true; continue; }
    const bool takes_value = flag == "--mode" || flag == "--tun" || flag == "--tun-local" ||
                             flag == "--tun-peer" || flag == "--port" || flag == "--wan" ||
                             flag == "--remote" || flag == "--tun-local6" || flag == "--tun-peer6" ||
                             flag == "--part" || flag == "--backend";
    if (!takes_value) {
      return Usage(absl::StrCat("unknown argument '", flag, "' (see phantun-doctor --help)"));
    }
    if (i + 1 >= argc) {
      return Usage(absl::StrCat(flag, " needs a value"));
    }
    const std::string value = argv[++i];
    if (flag == "--mode") {
      mode = value;
      mode_from_flag = true;
    } else if (flag == "--tun" || flag == "--wan") {
      if (!InterfaceNameProblem(value).empty()) {
        return Usage(absl::StrCat(flag, " '", value, "' is not a valid interface name: it ", InterfaceNameProblem(value)));
      }
      (flag == "--tun" ? options.tun : options.wan) = value;
    } else if (flag == "--tun-local" || flag == "--tun-peer") {
      if (!IsIpv4(value)) {
        return Usage(absl::StrCat(flag, " '", value, "' is not an IPv4 address"));
      }
      (flag == "--tun-local" ? options.tun_local : options.tun_peer) = value;
    } else if (flag == "--tun-local6" || flag == "--tun-peer6") {
      if (!IsIpv6(value)) {
        return Usage(absl::StrCat(flag, " '", value, "' is not an IPv6 address"));
      }
      (flag == "--tun-local6" ? options.tun_local6 : options.tun_peer6) = value;
    } else if (flag == "--part") {
      if (value != "apply" && value != "persist" && value != "undo" && value != "unpersist") {
        return Usage(absl::StrCat("--part '", value, "' is not valid: expected apply, persist, undo or unpersist"));
      }
      options.setup_part = value;
    } else if (flag == "--backend") {
      if (value != "nft" && value != "iptables" && value != "iptables-nft" && value != "iptables-legacy" &&
          value != "fw4" && value != "firewalld") {
        return Usage(absl::StrCat("--backend '", value,
                                  "' is not valid: expected nft, iptables, iptables-nft, iptables-legacy, fw4 or firewalld"));
      }
      options.setup_backend = value;
    } else if (flag == "--remote") {
      Status parsed = ParseRemote(value, &options);
      if (!parsed.ok()) return parsed;
    } else {  // --port
      if (!absl::SimpleAtoi(value, &options.port) || options.port < 1 || options.port > 65535) {
        return Usage(absl::StrCat("--port '", value, "' is not a port number (1-65535)"));
      }
    }
  }
  if (mode == "client") {
    options.mode = Mode::kClient;
  } else if (mode == "server") {
    options.mode = Mode::kServer;
  } else if (!mode.empty() || mode_from_flag) {
    return Usage(absl::StrCat(mode_from_flag ? "--mode" : "MODE", " '", mode, "' is not valid: expected client or server"));
  }
  const bool server = options.mode == Mode::kServer;
  if (!options.print_setup) {
    const char* setup_only = !options.setup_part.empty() ? "--part" : !options.setup_backend.empty() ? "--backend"
                             : options.ipv4_only                      ? "--ipv4-only"
                                                                      : nullptr;
    if (setup_only != nullptr) return Usage(absl::StrCat(setup_only, " goes with --print-setup"));
  } else if (options.mode == Mode::kUnknown) {
    return Usage("--print-setup needs --mode client|server (or MODE)");
  } else if (server && options.port == 0) {
    return Usage("--print-setup for a server needs --port (phantun_server's --local port)");
  } else if (options.json || options.trace) {
    return Usage(absl::StrCat(options.json ? "--json" : "--trace", " does not go with --print-setup"));
  }
  if (options.tun_local.empty()) options.tun_local = server ? "192.168.201.1" : "192.168.200.1";
  if (options.tun_peer.empty()) options.tun_peer = server ? "192.168.201.2" : "192.168.200.2";
  if (options.tun_local6.empty()) options.tun_local6 = server ? "fcc9::1" : "fcc8::1";
  if (options.tun_peer6.empty()) options.tun_peer6 = server ? "fcc9::2" : "fcc8::2";
  return options;
}

}  // namespace phantun_runtime::doctor
