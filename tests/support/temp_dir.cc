#include "tests/support/temp_dir.h"

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/support/fatal.h"

namespace phantun_test {
namespace {

int RemoveEntry(const char* path, const struct stat*, int, FTW*) {
  remove(path);
  return 0;  // keep going: remove as much as possible
}

}  // namespace

TempDir::TempDir() {
  const char* base = getenv("TEST_TMPDIR");
  std::string pattern = std::string(base != nullptr && base[0] != '\0' ? base : "/tmp") + "/phantun-test.XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) FatalSystemError("mkdtemp " + pattern);
  char canonical[PATH_MAX];
  if (realpath(pattern.c_str(), canonical) == nullptr) FatalSystemError("realpath " + pattern);
  path_ = canonical;
}

TempDir::~TempDir() { nftw(path_.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS); }

}  // namespace phantun_test
