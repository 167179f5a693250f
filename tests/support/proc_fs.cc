#include "tests/support/proc_fs.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>

namespace phantun_test {
namespace {

std::string ProcPath(pid_t pid, const char* leaf) { return "/proc/" + std::to_string(pid) + "/" + leaf; }

// The value of "Field:\tvalue" in /proc/<pid>/status; "" when absent.
std::string StatusField(pid_t pid, const std::string& field) {
  std::ifstream status(ProcPath(pid, "status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.compare(0, field.size() + 1, field + ":") == 0) {
      const size_t value = line.find_first_not_of(" \t", field.size() + 1);
      return value == std::string::npos ? "" : line.substr(value);
    }
  }
  return "";
}

// The numeric entries of a /proc directory.
std::vector<int> NumericEntries(const std::string& path) {
  std::vector<int> numbers;
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return numbers;
  while (const dirent* entry = readdir(dir)) {
    char* end;
    const long n = strtol(entry->d_name, &end, 10);
    if (end != entry->d_name && *end == '\0') numbers.push_back(static_cast<int>(n));
  }
  closedir(dir);
  return numbers;
}

// Every process in /proc with its parent.
std::map<pid_t, pid_t> ParentMap() {
  std::map<pid_t, pid_t> parents;
  for (int pid : NumericEntries("/proc")) {
    const std::string value = StatusField(pid, "PPid");
    if (!value.empty()) parents[pid] = static_cast<pid_t>(atoi(value.c_str()));
  }
  return parents;
}

}  // namespace

bool ProcessExists(pid_t pid) { return access(ProcPath(pid, "").c_str(), F_OK) == 0; }

std::optional<pid_t> ParentOf(pid_t pid) {
  const std::string value = StatusField(pid, "PPid");
  if (value.empty()) return std::nullopt;
  return static_cast<pid_t>(atoi(value.c_str()));
}

char StateOf(pid_t pid) {
  const std::string value = StatusField(pid, "State");
  return value.empty() ? '\0' : value[0];
}

std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::vector<pid_t> children;
  for (const auto& [child, parent] : ParentMap()) {
    if (parent == pid) children.push_back(child);
  }
  return children;
}

std::vector<pid_t> DescendantsOf(pid_t pid) {
  const std::map<pid_t, pid_t> parents = ParentMap();  // one snapshot for the whole tree
  std::vector<pid_t> found = {pid};
  for (size_t i = 0; i < found.size(); ++i) {
    for (const auto& [child, parent] : parents) {
      if (parent == found[i]) found.push_back(child);
    }
  }
  found.erase(found.begin());
  return found;
}

std::string LinkTarget(const std::string& path) {
  char target[PATH_MAX];
  const ssize_t n = readlink(path.c_str(), target, sizeof target);
  return n < 0 ? "" : std::string(target, static_cast<size_t>(n));
}

std::map<int, std::string> OpenFdsOf(pid_t pid) {
  std::map<int, std::string> fds;
  const std::string dir = ProcPath(pid, "fd");
  for (int fd : NumericEntries(dir)) fds[fd] = LinkTarget(dir + "/" + std::to_string(fd));
  return fds;
}

}  // namespace phantun_test
