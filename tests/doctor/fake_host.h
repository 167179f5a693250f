#ifndef PHANTUN_RUNTIME_TESTS_DOCTOR_FAKE_HOST_H_
#define PHANTUN_RUNTIME_TESTS_DOCTOR_FAKE_HOST_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "runtime/doctor/host.h"

namespace phantun_runtime::doctor {

// A made-up host: files, directories and environment variables the test sets.
class FakeHost : public Host {
 public:
  std::map<std::string, std::string> files;
  std::map<std::string, std::string> env;

  std::optional<std::string> ReadFile(const std::string& path) const override {
    auto it = files.find(path);
    if (it == files.end()) return std::nullopt;
    return it->second;
  }
  bool Exists(const std::string& path) const override {
    if (files.count(path) != 0) return true;
    const std::string prefix = path + "/";
    for (const auto& [name, content] : files) {
      if (name.compare(0, prefix.size(), prefix) == 0) return true;
    }
    return false;
  }
  const char* GetEnv(const char* name) const override {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  }
  std::vector<std::string> ListDirectory(const std::string& path) const override {
    std::set<std::string> entries;
    const std::string prefix = path + "/";
    for (const auto& [name, content] : files) {
      if (name.compare(0, prefix.size(), prefix) != 0) continue;
      const std::string rest = name.substr(prefix.size());
      entries.insert(rest.substr(0, rest.find('/')));
    }
    return {entries.begin(), entries.end()};
  }

  // A network interface as /sys/class/net shows it.
  void AddLink(const std::string& name, int ifindex, int iflink, int mtu, unsigned flags, bool tun = false,
               bool hardware = false) {
    const std::string base = "/sys/class/net/" + name + "/";
    files[base + "ifindex"] = std::to_string(ifindex) + "\n";
    files[base + "iflink"] = std::to_string(iflink) + "\n";
    files[base + "mtu"] = std::to_string(mtu) + "\n";
    files[base + "type"] = tun ? "65534\n" : "1\n";
    char hex[16];
    snprintf(hex, sizeof hex, "0x%x\n", flags);
    files[base + "flags"] = hex;
    if (tun) files[base + "tun_flags"] = "0x1001\n";
    if (hardware) files[base + "device/uevent"] = "";
  }

  void AddDefaultRoute(const std::string& iface, int metric = 0) {
    std::string& table = files["/proc/net/route"];
    if (table.empty()) table = "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n";
    table += iface + "\t00000000\t010012AC\t0003\t0\t0\t" + std::to_string(metric) + "\t00000000\t0\t0\t0\n";
  }

  void SetSysctl(const std::string& path_under_proc_sys, int value) {
    files["/proc/sys/" + path_under_proc_sys] = std::to_string(value) + "\n";
  }
};

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_TESTS_DOCTOR_FAKE_HOST_H_
