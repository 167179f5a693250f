#include "runtime/doctor/options.h"

#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"

namespace phantun_runtime::doctor {
namespace {

StatusOr<Options> Parse(std::vector<std::string> args, const char* mode_env) {
  args.insert(args.begin(), "phantun-doctor");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  return ParseOptions(static_cast<int>(argv.size()), argv.data(), mode_env);
}

TEST(DoctorOptions, DefaultsArePhantunsForEachMode) {
  const StatusOr<Options> client = Parse({}, "client");
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(client->mode, Mode::kClient);
  EXPECT_EQ(client->tun_peer, "192.168.200.2");
  EXPECT_EQ(client->tun_local, "192.168.200.1");
  const StatusOr<Options> server = Parse({}, "server");
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(server->tun_peer, "192.168.201.2");
  EXPECT_EQ(server->tun_local, "192.168.201.1");
}

TEST(DoctorOptions, FlagsOverrideTheEnvironment) {
  const StatusOr<Options> options = Parse({"--mode", "server", "--tun", "ptun0", "--tun-peer", "198.19.201.2", "--port",
                                           "4567", "--wan", "eth1", "--ipv6", "--json", "-q"},
                                          "client");
  ASSERT_TRUE(options.ok()) << options.status().message();
  EXPECT_EQ(options->mode, Mode::kServer);
  EXPECT_EQ(options->tun, "ptun0");
  EXPECT_EQ(options->tun_peer, "198.19.201.2");
  EXPECT_EQ(options->tun_local, "192.168.201.1");
  EXPECT_EQ(options->port, 4567);
  EXPECT_EQ(options->wan, "eth1");
  EXPECT_TRUE(options->ipv6 && options->json && options->quiet);
}

TEST(DoctorOptions, UsageErrorsNameTheFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--port", "0"}, "--port '0' is not a port number (1-65535)"},
      {{"--port", "x"}, "--port 'x' is not a port number (1-65535)"},
      {{"--tun-peer", "fcc9::2"}, "--tun-peer 'fcc9::2' is not an IPv4 address"},
      {{"--tun", "a/b"}, "--tun 'a/b' is not a valid interface name: it must not contain '/', ':', white space or NUL"},
      {{"--mode", "Client"}, "--mode 'Client' is not valid: expected client or server"},
      {{"--wan"}, "--wan needs a value"},
      {{"--frob"}, "unknown argument '--frob' (see phantun-doctor --help)"},
      {{"--tun-peer6", "192.168.201.2"}, "--tun-peer6 '192.168.201.2' is not an IPv6 address"},
      {{"--remote", "server.example:4567"},
       "--remote 'server.example:4567': expected ADDR[:PORT] with an IP address (no host names)"},
      {{"--remote", "198.18.0.2:0"}, "--remote '198.18.0.2:0': '0' is not a port number (1-65535)"},
      {{"--remote", "[2001:db8::2"}, "--remote '[2001:db8::2' has no closing ']'"},
      {{"--remote", "[2001:db8::2]4567"}, "--remote '[2001:db8::2]4567': expected [IPv6]:PORT"},
      {{"--remote", "[198.18.0.2]:1"}, "--remote '[198.18.0.2]:1': '198.18.0.2' is not an IPv6 address"},
  };
  for (const auto& [args, expected] : cases) {
    const StatusOr<Options> options = Parse(args, nullptr);
    EXPECT_FALSE(options.ok());
    EXPECT_EQ(options.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(options.status().message(), expected);
  }
  const StatusOr<Options> options = Parse({}, "bogus");
  EXPECT_FALSE(options.ok());
  EXPECT_EQ(options.status().message(), "MODE 'bogus' is not valid: expected client or server");
}

// --remote takes phantun_client's --remote as given (an address, not a host name), with or without
// the port, IPv6 in brackets when a port follows.
TEST(DoctorOptions, RemoteTakesAnAddressAndAnOptionalPort) {
  const std::vector<std::tuple<std::string, std::string, int>> cases = {
      {"198.18.0.2:4567", "198.18.0.2", 4567},
      {"198.18.0.2", "198.18.0.2", 0},
      {"[2001:db8::2]:4567", "2001:db8::2", 4567},
      {"2001:db8::2", "2001:db8::2", 0},
      {"[2001:db8::2]", "2001:db8::2", 0},
  };
  for (const auto& [given, address, port] : cases) {
    const StatusOr<Options> options = Parse({"--remote", given, "--trace"}, "client");
    ASSERT_TRUE(options.ok()) << given << ": " << options.status().message();
    EXPECT_EQ(options->remote_address, address) << given;
    EXPECT_EQ(options->remote_port, port) << given;
    EXPECT_TRUE(options->trace);
  }
}

TEST(DoctorOptions, Ipv6TunAddressesDefaultToPhantuns) {
  const StatusOr<Options> client = Parse({}, "client");
  EXPECT_EQ(client->tun_local6, "fcc8::1");
  EXPECT_EQ(client->tun_peer6, "fcc8::2");
  const StatusOr<Options> server = Parse({"--tun-peer6", "fd00::2"}, "server");
  EXPECT_EQ(server->tun_local6, "fcc9::1");
  EXPECT_EQ(server->tun_peer6, "fd00::2");
}

TEST(DoctorOptions, NoModeIsAllowed) {
  const StatusOr<Options> options = Parse({}, nullptr);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->mode, Mode::kUnknown);
}

TEST(DoctorOptions, PrintSetupTakesAPartABackendAndIpv4Only) {
  const StatusOr<Options> options =
      Parse({"--print-setup", "--port", "4567", "--part", "undo", "--backend", "iptables-legacy", "--ipv4-only"}, "server");
  ASSERT_TRUE(options.ok()) << options.status().message();
  EXPECT_TRUE(options->print_setup);
  EXPECT_EQ(options->setup_part, "undo");
  EXPECT_EQ(options->setup_backend, "iptables-legacy");
  EXPECT_TRUE(options->ipv4_only);
}

TEST(DoctorOptions, PrintSetupRefusesWhatItCannotWriteARecipeFor) {
  const std::vector<std::tuple<std::vector<std::string>, const char*, std::string>> cases = {
      {{"--print-setup"}, nullptr, "--print-setup needs --mode client|server (or MODE)"},
      {{"--print-setup"}, "server", "--print-setup for a server needs --port (phantun_server's --local port)"},
      {{"--print-setup", "--json"}, "client", "--json does not go with --print-setup"},
      {{"--part", "apply"}, "client", "--part goes with --print-setup"},
      {{"--backend", "nft"}, "client", "--backend goes with --print-setup"},
      {{"--ipv4-only"}, "client", "--ipv4-only goes with --print-setup"},
      {{"--print-setup", "--part", "all"}, "client",
       "--part 'all' is not valid: expected apply, persist, undo or unpersist"},
      {{"--print-setup", "--backend", "ufw"}, "client",
       "--backend 'ufw' is not valid: expected nft, iptables, iptables-nft, iptables-legacy, fw4 or firewalld"},
  };
  for (const auto& [args, mode, message] : cases) {
    const StatusOr<Options> options = Parse(args, mode);
    ASSERT_FALSE(options.ok()) << message;
    EXPECT_EQ(options.status().message(), message);
  }
}

}  // namespace
}  // namespace phantun_runtime::doctor
