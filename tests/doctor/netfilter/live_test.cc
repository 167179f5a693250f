// The netfilter reader against the running kernel: each test gets a fresh network namespace,
// configures it the way an administrator would (nft, iptables-legacy, iptables-nft), reads it with
// ReadNetfilter() through a LiveHost from inside (setns), and traces phantun's packets through what
// it read (TracePacket, on the test host of trace_host.h: no packet is sent). The
// namespace is deleted in TearDown, so also when an assertion fails; namespaces left by a crashed
// earlier run (their pid is gone) are deleted first. Needs root: tagged "local" and "doctor".
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/doctor/live_host.h"
#include "runtime/doctor/netfilter/host_netfilter.h"
#include "runtime/doctor/netfilter/trace.h"
#include "tests/doctor/netfilter/render_ruleset.h"
#include "tests/doctor/netfilter/trace_host.h"

namespace phantun_runtime::netfilter {
namespace {

constexpr char kPrefix[] = "phdoc-nf-live-";

// Bazel's strict test environment has no /usr/sbin in PATH.
std::string Tool(const std::string& name) {
  for (const char* directory : {"/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"}) {
    const std::string path = directory + name;
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

// Runs a command, its output going to the test log. Returns its exit status (-1 if it could not run).
int RunCommand(std::vector<std::string> command) {
  std::vector<char*> argv;
  for (std::string& word : command) argv.push_back(word.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

using phantun_test::ClientSyn;
using phantun_test::Describe;
using phantun_test::Forwarded;
using phantun_test::Ip;
using phantun_test::ServerSyn;
using phantun_test::TraceOn;

// Deletes namespaces an earlier, crashed run of this test left behind (their pid is gone).
void DeleteStaleNamespaces() {
  DIR* directory = opendir("/run/netns");  // where iproute2 keeps named namespaces
  if (directory == nullptr) return;
  std::vector<std::string> stale;
  while (const struct dirent* entry = readdir(directory)) {
    const std::string name = entry->d_name;
    if (name.rfind(kPrefix, 0) != 0) continue;
    const pid_t owner = static_cast<pid_t>(atoi(name.c_str() + sizeof(kPrefix) - 1));
    if (owner > 0 && kill(owner, 0) != 0 && errno == ESRCH) stale.push_back(name);
  }
  closedir(directory);
  for (const std::string& name : stale) RunCommand({Tool("ip"), "netns", "del", name});
}

class LiveNetfilter : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, setns)";
    for (const char* tool : {"ip", "nft", "iptables-legacy", "iptables-nft", "ip6tables-legacy", "ip6tables-nft"}) {
      if (Tool(tool).empty()) GTEST_SKIP() << tool << " is not installed";
    }
    DeleteStaleNamespaces();
    static int counter = 0;
    namespace_ = std::string(kPrefix) + std::to_string(getpid()) + "-" + std::to_string(++counter);
    ASSERT_EQ(RunCommand({Tool("ip"), "netns", "add", namespace_}), 0);
    created_ = true;
  }

  void TearDown() override {
    // Braced: EXPECT_EQ is an if/else inside, and gcc warns of the dangling else without them.
    if (created_) {
      EXPECT_EQ(RunCommand({Tool("ip"), "netns", "del", namespace_}), 0) << namespace_;
    }
  }

  // Runs `tool args...` inside the namespace; the test fails if it does.
  void In(const std::string& tool, std::vector<std::string> arguments) {
    std::vector<std::string> command = {Tool("ip"), "netns", "exec", namespace_, Tool(tool)};
    command.insert(command.end(), arguments.begin(), arguments.end());
    ASSERT_EQ(RunCommand(command), 0) << tool << " " << arguments.front();
  }

  // Reads the namespace's netfilter state from inside it, with the doctor's code.
  HostNetfilter ReadInside() {
    HostNetfilter host;
    const int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    const int target = open(("/run/netns/" + namespace_).c_str(), O_RDONLY | O_CLOEXEC);
    EXPECT_GE(home, 0);
    EXPECT_GE(target, 0);
    if (home >= 0 && target >= 0 && setns(target, CLONE_NEWNET) == 0) {
      host = ReadNetfilter(doctor::LiveHost());
      EXPECT_EQ(setns(home, CLONE_NEWNET), 0) << "could not return to the test's namespace";
    } else {
      ADD_FAILURE() << "setns into " << namespace_ << ": " << strerror(errno);
    }
    if (home >= 0) close(home);
    if (target >= 0) close(target);
    return host;
  }

  // The same without one capability, in a child process (a dropped capability cannot be
  // regained): returns the three backend states as decimal digits, nftables first.
  std::string ReadInsideWithout(int capability) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) return "";
    const pid_t pid = fork();
    if (pid == 0) {
      const int target = open(("/run/netns/" + namespace_).c_str(), O_RDONLY | O_CLOEXEC);
      if (target < 0 || setns(target, CLONE_NEWNET) != 0) _exit(1);
      struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
      struct __user_cap_data_struct data[2] = {};
      if (syscall(SYS_capget, &header, data) != 0) _exit(1);
      data[0].effective &= ~(1u << capability);
      if (syscall(SYS_capset, &header, data) != 0) _exit(1);
      const HostNetfilter host = ReadNetfilter(doctor::LiveHost());
      const char states[3] = {static_cast<char>('0' + static_cast<int>(host.nftables.state)),
                              static_cast<char>('0' + static_cast<int>(host.iptables_legacy.state)),
                              static_cast<char>('0' + static_cast<int>(host.ip6tables_legacy.state))};
      _exit(write(pipe_fds[1], states, 3) == 3 ? 0 : 1);
    }
    close(pipe_fds[1]);
    char states[4] = {};
    const ssize_t got = read(pipe_fds[0], states, 3);
    close(pipe_fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return got == 3 ? std::string(states, 3) : "";
  }

  // What `tool arguments...` prints inside the namespace (the arguments are plain words).
  std::string Listing(const std::string& tool, std::vector<std::string> arguments) {
    std::string command = Tool("ip") + " netns exec " + namespace_ + " " + Tool(tool);
    for (const std::string& argument : arguments) command += " " + argument;
    std::string output;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return output;
    char buffer[4096];
    size_t got;
    while ((got = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, got);
    pclose(pipe);
    return output;
  }

  // Phantun's client SYN is masqueraded out eth0 (not out eth1), the server's SYN to tcp/4567
  // on eth0 is DNATed to the TUN peer (not another port's), and the filter forwards what comes
  // from tun0 but drops what goes to it.
  void ExpectPhantunTraces(const HostNetfilter& host) {
    const Ruleset& rules = host.ruleset;
    const Trace client = TraceOn(rules, ClientSyn("tun0", "192.168.200.2", "203.0.113.9", 4567), "eth0");
    ASSERT_EQ(client.paths.size(), 1u) << Describe(client) << RenderRuleset(rules);
    EXPECT_EQ(client.paths[0].fate, Fate::kLeft) << Describe(client);
    EXPECT_TRUE(client.paths[0].snat_bound) << Describe(client);
    EXPECT_EQ(client.paths[0].packet.saddr, Ip("198.18.0.2")) << "eth0's address";

    const Trace other_wan = TraceOn(rules, ClientSyn("tun0", "192.168.200.2", "203.0.113.9", 4567), "eth1");
    ASSERT_EQ(other_wan.paths.size(), 1u) << Describe(other_wan);
    EXPECT_FALSE(other_wan.paths[0].snat_bound) << Describe(other_wan);

    const Trace server = TraceOn(rules, ServerSyn("eth0", "203.0.113.7", "198.18.0.2", 4567), "eth0");
    ASSERT_EQ(server.paths.size(), 1u) << Describe(server);
    EXPECT_TRUE(server.paths[0].dnat_bound) << Describe(server);
    EXPECT_EQ(server.paths[0].packet.daddr, Ip("192.168.201.2"));
    EXPECT_NE(server.paths[0].packet.daddr, Ip("192.168.201.9")) << "not to another peer";
    EXPECT_EQ(server.paths[0].packet.oifname, "tun0");

    const Trace other_port = TraceOn(rules, ServerSyn("eth0", "203.0.113.7", "198.18.0.2", 4568), "eth0");
    ASSERT_EQ(other_port.paths.size(), 1u) << Describe(other_port);
    EXPECT_FALSE(other_port.paths[0].dnat_bound) << Describe(other_port);
    EXPECT_EQ(other_port.paths[0].fate, Fate::kLocal);

    const Trace out = TraceOn(rules, Forwarded("tun0"), "eth0");
    ASSERT_EQ(out.paths.size(), 1u) << Describe(out);
    EXPECT_EQ(out.paths[0].fate, Fate::kLeft) << Describe(out);
    const Trace back = TraceOn(rules, Forwarded("eth0"), "tun0");
    ASSERT_EQ(back.paths.size(), 1u) << Describe(back);
    EXPECT_EQ(back.paths[0].fate, Fate::kDropped) << Describe(back);
    EXPECT_EQ(phantun_test::DecisiveHop(back.paths[0]).what, "no rule decides: policy drop");
  }

  std::string namespace_;
  bool created_ = false;
};

TEST_F(LiveNetfilter, Nftables) {
  In("nft", {"add", "table", "inet", "nat"});
  In("nft", {"add chain inet nat postrouting { type nat hook postrouting priority srcnat; policy accept; }"});
  In("nft", {"add", "rule", "inet", "nat", "postrouting", "iifname", "tun0", "oifname", "eth0", "masquerade"});
  In("nft", {"add chain inet nat prerouting { type nat hook prerouting priority dstnat; policy accept; }"});
  In("nft", {"add", "rule", "inet", "nat", "prerouting", "iifname", "eth0", "tcp", "dport", "4567", "dnat", "ip", "to",
             "192.168.201.2"});
  In("nft", {"add", "table", "inet", "filter"});
  In("nft", {"add chain inet filter forward { type filter hook forward priority filter; policy drop; }"});
  In("nft", {"add", "rule", "inet", "filter", "forward", "iifname", "tun0", "accept"});
  const std::string before = Listing("nft", {"list", "ruleset"});
  const HostNetfilter host = ReadInside();
  EXPECT_EQ(host.nftables.state, BackendState::kRead) << host.nftables.detail;
  ExpectPhantunTraces(host);
  EXPECT_EQ(Listing("nft", {"list", "ruleset"}), before) << "reading changed the ruleset";
}

TEST_F(LiveNetfilter, IptablesLegacy) {
  In("iptables-legacy", {"-t", "nat", "-A", "POSTROUTING", "-o", "eth0", "-j", "MASQUERADE"});
  In("iptables-legacy", {"-t", "nat", "-A", "PREROUTING", "-p", "tcp", "-i", "eth0", "--dport", "4567", "-j", "DNAT",
                         "--to-destination", "192.168.201.2"});
  In("iptables-legacy", {"-P", "FORWARD", "DROP"});
  In("iptables-legacy", {"-A", "FORWARD", "-i", "tun0", "-j", "ACCEPT"});
  const std::string before = Listing("iptables-legacy-save", {});
  const HostNetfilter host = ReadInside();
  EXPECT_EQ(host.iptables_legacy.state, BackendState::kRead) << host.iptables_legacy.detail;
  ExpectPhantunTraces(host);
  // Reading asked only for the tables that exist: ip6tables was never touched, so no ip6 table
  // came into being in this namespace.
  EXPECT_EQ(Listing("cat", {"/proc/net/ip6_tables_names"}), "");
  EXPECT_EQ(Listing("iptables-legacy-save", {}).size(), before.size());
}

TEST_F(LiveNetfilter, IptablesNft) {
  In("iptables-nft", {"-t", "nat", "-A", "POSTROUTING", "-o", "eth0", "-j", "MASQUERADE"});
  In("iptables-nft", {"-t", "nat", "-A", "PREROUTING", "-p", "tcp", "-i", "eth0", "--dport", "4567", "-j", "DNAT",
                      "--to-destination", "192.168.201.2"});
  In("iptables-nft", {"-P", "FORWARD", "DROP"});
  In("iptables-nft", {"-A", "FORWARD", "-i", "tun0", "-j", "ACCEPT"});
  const HostNetfilter host = ReadInside();
  EXPECT_EQ(host.nftables.state, BackendState::kRead) << host.nftables.detail;
  for (const Table& table : host.ruleset.tables) EXPECT_EQ(table.source, Source::kIptablesNft) << table.name;
  ExpectPhantunTraces(host);
}

TEST_F(LiveNetfilter, AnEmptyNamespaceStaysEmpty) {
  const HostNetfilter host = ReadInside();
  EXPECT_NE(host.nftables.state, BackendState::kFailed) << host.nftables.detail;
  EXPECT_EQ(host.iptables_legacy.state, BackendState::kRead) << host.iptables_legacy.detail;
  EXPECT_TRUE(host.ruleset.tables.empty()) << RenderRuleset(host.ruleset);
  // Asking created no legacy table (which would register hooks) and no nftables table.
  EXPECT_EQ(Listing("cat", {"/proc/net/ip_tables_names"}), "");
  EXPECT_EQ(Listing("nft", {"list", "ruleset"}), "");
}

TEST_F(LiveNetfilter, WithoutCapNetAdminEveryBackendIsPermissionDenied) {
  In("nft", {"add", "table", "inet", "nat"});
  In("iptables-legacy", {"-P", "FORWARD", "DROP"});
  In("ip6tables-legacy", {"-P", "FORWARD", "DROP"});
  const std::string states = ReadInsideWithout(CAP_NET_ADMIN);
  const char denied = static_cast<char>('0' + static_cast<int>(BackendState::kPermissionDenied));
  EXPECT_EQ(states, std::string(3, denied)) << "nftables, iptables-legacy, ip6tables-legacy";
}

// iptables-legacy itself fails without CAP_NET_RAW (it opens a raw socket); the doctor's ordinary
// UDP socket needs only CAP_NET_ADMIN.
TEST_F(LiveNetfilter, WithoutCapNetRawLegacyTablesStillRead) {
  In("iptables-legacy", {"-P", "FORWARD", "DROP"});
  const char read = static_cast<char>('0' + static_cast<int>(BackendState::kRead));
  EXPECT_EQ(ReadInsideWithout(CAP_NET_RAW).substr(1, 1), std::string(1, read));
}

}  // namespace
}  // namespace phantun_runtime::netfilter
