#include "tests/support/install_dir.h"

#include "tests/support/files.h"
#include "tests/support/runfiles.h"

namespace phantun_test {

InstallDir::InstallDir() {
  CopyFile(RuntimeBinary(), runtime(), 0755);
  MakeSymlink("phantun-runtime", run_link());
  MakeSymlink("phantun-runtime", iface_write_link());
  CopyFile(FakePhantunBinary(), client(), 0755);
  CopyFile(FakePhantunBinary(), server(), 0755);
}

}  // namespace phantun_test
