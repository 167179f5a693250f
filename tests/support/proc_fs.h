#ifndef PHANTUN_TESTS_SUPPORT_PROC_FS_H_
#define PHANTUN_TESTS_SUPPORT_PROC_FS_H_

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace phantun_test {

// Process state as /proc shows it to the test (pids of the test's own PID namespace).

// Whether /proc/<pid> exists: running, stopped or a zombie not yet reaped.
bool ProcessExists(pid_t pid);

// The PPid: field of /proc/<pid>/status.
std::optional<pid_t> ParentOf(pid_t pid);

// The State: letter of /proc/<pid>/status ('Z' for a zombie); '\0' when gone.
char StateOf(pid_t pid);

// Every process whose parent is `pid`, zombies included.
std::vector<pid_t> ChildrenOf(pid_t pid);

// Children, grandchildren and so on.
std::vector<pid_t> DescendantsOf(pid_t pid);

// The target of a symbolic link such as /proc/<pid>/cwd; "" when it cannot be read.
std::string LinkTarget(const std::string& path);

// /proc/<pid>/fd: descriptor -> link target.
std::map<int, std::string> OpenFdsOf(pid_t pid);

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_SUPPORT_PROC_FS_H_
