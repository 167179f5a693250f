#ifndef PHANTUN_TESTS_SUPPORT_INSTALL_DIR_H_
#define PHANTUN_TESTS_SUPPORT_INSTALL_DIR_H_

#include <string>
#include <string_view>

#include "tests/support/temp_dir.h"

namespace phantun_test {

// A directory laid out like an installation: a copy of phantun-runtime (a copy, not the runfiles
// symbolic link, because the runtime looks for phantun beside the real path of its executable),
// the phantun-run and phantun-iface-write links to it, and the fake as phantun_client and
// phantun_server. Each instance is a fresh directory, so a test may remove or replace any of these
// files.
class InstallDir {
 public:
  InstallDir();

  const std::string& path() const { return dir_.path(); }
  std::string Join(std::string_view name) const { return dir_.Join(name); }
  std::string runtime() const { return Join("phantun-runtime"); }
  std::string run_link() const { return Join("phantun-run"); }
  std::string iface_write_link() const { return Join("phantun-iface-write"); }
  std::string client() const { return Join("phantun_client"); }
  std::string server() const { return Join("phantun_server"); }

 private:
  TempDir dir_;
};

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_SUPPORT_INSTALL_DIR_H_
