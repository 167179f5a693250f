#include "runtime/doctor/options.h"

#include <string>
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

TEST(DoctorOptions, NoModeIsAllowed) {
  const StatusOr<Options> options = Parse({}, nullptr);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->mode, Mode::kUnknown);
}

}  // namespace
}  // namespace phantun_runtime::doctor
