#include "tests/support/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/fatal.h"

namespace phantun_test {

void CopyFile(const std::string& from, const std::string& to, mode_t mode) {
  const std::optional<std::string> content = ReadFile(from);
  if (!content) FatalSystemError("read " + from);
  WriteFile(to, *content, mode);
}

void WriteFile(const std::string& path, std::string_view content, mode_t mode) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) FatalSystemError("create " + path);
  while (!content.empty()) {
    const ssize_t n = write(fd, content.data(), content.size());
    if (n <= 0) FatalSystemError("write " + path);
    content.remove_prefix(static_cast<size_t>(n));
  }
  // fchmod: the umask must not narrow the mode a test asked for. close() before any execve of
  // the file, or execve fails with ETXTBSY.
  if (fchmod(fd, mode) != 0 || close(fd) != 0) FatalSystemError("finish " + path);
}

std::optional<std::string> ReadFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string content;
  char chunk[65536];
  ssize_t n;
  while ((n = read(fd, chunk, sizeof chunk)) > 0) content.append(chunk, static_cast<size_t>(n));
  close(fd);
  if (n < 0) return std::nullopt;
  return content;
}

void MakeSymlink(const std::string& target, const std::string& link) {
  if (symlink(target.c_str(), link.c_str()) != 0) FatalSystemError("symlink " + link);
}

void MakeDirectory(const std::string& path) {
  if (mkdir(path.c_str(), 0755) != 0) FatalSystemError("mkdir " + path);
}

std::set<std::string> DirectoryEntries(const std::string& path) {
  std::set<std::string> names;
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) FatalSystemError("opendir " + path);
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.insert(name);
  }
  closedir(dir);
  return names;
}

}  // namespace phantun_test
