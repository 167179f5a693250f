#ifndef PHANTUN_TESTS_SUPPORT_TEMP_DIR_H_
#define PHANTUN_TESTS_SUPPORT_TEMP_DIR_H_

#include <string>
#include <string_view>

namespace phantun_test {

// A fresh directory under $TEST_TMPDIR (else /tmp), removed with everything in it on destruction.
// Its path is canonical (no symbolic links), so it compares equal to what the kernel reports in
// /proc/<pid>/exe and /proc/<pid>/cwd.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::string& path() const { return path_; }
  std::string Join(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

}  // namespace phantun_test

#endif  // PHANTUN_TESTS_SUPPORT_TEMP_DIR_H_
