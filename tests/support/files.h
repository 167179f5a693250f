#ifndef PHANTUN_TESTS_SUPPORT_FILES_H_
#define PHANTUN_TESTS_SUPPORT_FILES_H_

#include <sys/types.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace phantun_test {

// File set-up for the tests. Each aborts the test binary when the system refuses (see fatal.h).

// A byte-for-byte copy of `from` at `to`, with `mode`.
void CopyFile(const std::string& from, const std::string& to, mode_t mode);

// Creates or replaces `path` with `content` and `mode`.
void WriteFile(const std::string& path, std::string_view content, mode_t mode);

// The content of `path`; nullopt when it cannot be read.
std::optional<std::string> ReadFile(const std::string& path);

// A symbolic link `link` -> `target`.
void MakeSymlink(const std::string& target, const std::string& link);

void MakeDirectory(const std::string& path);

// The names in a directory, "." and ".." left out.
std::set<std::string> DirectoryEntries(const std::string& path);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_SUPPORT_FILES_H_
