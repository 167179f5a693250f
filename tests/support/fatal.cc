#include "tests/support/fatal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

namespace phantun_test {

void FatalSystemError(const std::string& what) {
  fprintf(stderr, "test support: %s: %s\n", what.c_str(), strerror(errno));
  abort();
}

}  // namespace phantun_test
