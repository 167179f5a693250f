#include "runtime/doctor/options.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace phantun_runtime::doctor {
namespace {

bool Parse(std::vector<std::string> args, const char* mode_env, Options* options, std::string* error) {
  args.insert(args.begin(), "phantun-doctor");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  return ParseOptions(static_cast<int>(argv.size()), argv.data(), mode_env, options, error);
}

TEST(DoctorOptions, DefaultsArePhantunsForEachMode) {
  Options client, server;
  std::string error;
  ASSERT_TRUE(Parse({}, "client", &client, &error));
  EXPECT_EQ(client.mode, Mode::kClient);
  EXPECT_EQ(client.tun_peer, "192.168.200.2");
  EXPECT_EQ(client.tun_local, "192.168.200.1");
  ASSERT_TRUE(Parse({}, "server", &server, &error));
  EXPECT_EQ(server.tun_peer, "192.168.201.2");
  EXPECT_EQ(server.tun_local, "192.168.201.1");
}

TEST(DoctorOptions, FlagsOverrideTheEnvironment) {
  Options options;
  std::string error;
  ASSERT_TRUE(Parse({"--mode", "server", "--tun", "ptun0", "--tun-peer", "198.19.201.2", "--port", "4567", "--wan",
                     "eth1", "--ipv6", "--json", "-q"},
                    "client", &options, &error))
      << error;
  EXPECT_EQ(options.mode, Mode::kServer);
  EXPECT_EQ(options.tun, "ptun0");
  EXPECT_EQ(options.tun_peer, "198.19.201.2");
  EXPECT_EQ(options.tun_local, "192.168.201.1");
  EXPECT_EQ(options.port, 4567);
  EXPECT_EQ(options.wan, "eth1");
  EXPECT_TRUE(options.ipv6 && options.json && options.quiet);
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
    Options options;
    std::string error;
    EXPECT_FALSE(Parse(args, nullptr, &options, &error));
    EXPECT_EQ(error, expected);
  }
  Options options;
  std::string error;
  EXPECT_FALSE(Parse({}, "bogus", &options, &error));
  EXPECT_EQ(error, "MODE 'bogus' is not valid: expected client or server");
}

TEST(DoctorOptions, NoModeIsAllowed) {
  Options options;
  std::string error;
  ASSERT_TRUE(Parse({}, nullptr, &options, &error));
  EXPECT_EQ(options.mode, Mode::kUnknown);
}

}  // namespace
}  // namespace phantun_runtime::doctor
