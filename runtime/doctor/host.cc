#include "runtime/doctor/host.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "absl/strings/ascii.h"

namespace phantun_runtime::doctor {

std::optional<std::string> LiveHost::ReadFile(const std::string& path) const {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  std::string content;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0) {
      close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
    if (content.size() > (1 << 20)) break;  // nothing the doctor reads is that large
  }
  close(fd);
  return content;
}

bool LiveHost::Exists(const std::string& path) const { return access(path.c_str(), F_OK) == 0; }

const char* LiveHost::GetEnv(const char* name) const { return getenv(name); }

std::vector<std::string> LiveHost::ListDirectory(const std::string& path) const {
  std::vector<std::string> entries;
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return entries;
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") entries.push_back(name);
  }
  closedir(dir);
  return entries;
}

std::optional<std::string> ReadTrimmed(const Host& host, const std::string& path) {
  std::optional<std::string> content = host.ReadFile(path);
  if (content) absl::StripTrailingAsciiWhitespace(&*content);
  return content;
}

}  // namespace phantun_runtime::doctor
