#include "tests/support/fake_record.h"

#include <stdlib.h>

#include "tests/support/hex.h"

namespace phantun_test {
namespace {

// Splits "key rest" at the first space (rest may be empty).
void SplitKey(const std::string& line, std::string* key, std::string* rest) {
  const size_t space = line.find(' ');
  *key = line.substr(0, space);
  *rest = space == std::string::npos ? "" : line.substr(space + 1);
}

std::vector<int> Numbers(const std::string& text) {
  std::vector<int> numbers;
  const char* p = text.c_str();
  char* end;
  for (long n = strtol(p, &end, 10); end != p; n = strtol(p, &end, 10)) {
    numbers.push_back(static_cast<int>(n));
    p = end;
  }
  return numbers;
}

// Applies one record line; false for a line that does not belong to a record.
bool Apply(const std::string& key, const std::string& rest, FakeRecord* record) {
  std::string bytes;
  if (key == "arg" || key == "env" || key == "cwd" || key == "exe" || key == "iface" || key == "parent-cwd") {
    if (!HexDecode(rest, &bytes)) return false;
    if (key == "iface") record->iface = bytes;
    if (key == "arg") record->argv.push_back(bytes);
    if (key == "env") record->env.push_back(bytes);
    if (key == "cwd") record->cwd = bytes;
    if (key == "exe") record->exe = bytes;
    if (key == "parent-cwd") record->parent_cwd = bytes;
    return true;
  }
  if (key == "fd") {
    const size_t space = rest.find(' ');
    if (space == std::string::npos || !HexDecode(rest.substr(space + 1), &bytes)) return false;
    record->fds[atoi(rest.c_str())] = bytes;
    return true;
  }
  if (key == "mask") {
    record->mask = strtoull(rest.c_str(), nullptr, 16);
    return true;
  }
  if (key == "ignored") {
    for (int signo : Numbers(rest)) record->ignored.insert(signo);
    return true;
  }
  if (key == "iface-error") {
    record->iface_error = atoi(rest.c_str());
    return true;
  }
  if (key == "pid" || key == "ppid" || key == "pgid" || key == "orphan") {
    const pid_t value = static_cast<pid_t>(atoi(rest.c_str()));
    if (key == "pid") record->pid = value;
    if (key == "ppid") record->ppid = value;
    if (key == "pgid") record->pgid = value;
    if (key == "orphan") record->orphans.push_back(value);
    return true;
  }
  return key == "orphans-ready";
}

}  // namespace

bool ReadFakeRecord(LineReader& events, Deadline deadline, FakeRecord* record, std::string* error) {
  *record = FakeRecord();
  for (;;) {
    const std::optional<std::string> line = events.Next(deadline);
    if (!line) {
      *error = events.at_end() ? "the fake's events ended before \"ready\" (did it run at all?)"
                               : "no \"ready\" from the fake before the deadline";
      return false;
    }
    if (*line == "ready") return true;
    std::string key, rest;
    SplitKey(*line, &key, &rest);
    if (!Apply(key, rest, record)) {
      *error = "unexpected event before \"ready\": " + line->substr(0, 200);
      return false;
    }
  }
}

}  // namespace phantun_test
