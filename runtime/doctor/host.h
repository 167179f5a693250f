#ifndef PHANTUN_RUNTIME_DOCTOR_HOST_H_
#define PHANTUN_RUNTIME_DOCTOR_HOST_H_

#include <optional>
#include <string>
#include <vector>

namespace phantun_runtime::doctor {

// The doctor's read-only window on the host: /proc, /sys and /dev facts go through here, so every
// check can be unit-tested against a made-up host.
class Host {
 public:
  virtual ~Host() = default;
  // The content of a small file (a sysctl, a /proc status file), or nullopt when it cannot be read.
  virtual std::optional<std::string> ReadFile(const std::string& path) const = 0;
  virtual bool Exists(const std::string& path) const = 0;
  virtual const char* GetEnv(const char* name) const = 0;
  // The entries of a directory, without "." and ".."; empty when it cannot be read.
  virtual std::vector<std::string> ListDirectory(const std::string& path) const = 0;
};

// The real host, read with open(O_RDONLY) only.
class LiveHost : public Host {
 public:
  std::optional<std::string> ReadFile(const std::string& path) const override;
  bool Exists(const std::string& path) const override;
  const char* GetEnv(const char* name) const override;
  std::vector<std::string> ListDirectory(const std::string& path) const override;
};

// A file's content with trailing white space removed ("1\n" -> "1"); nullopt stays nullopt.
std::optional<std::string> ReadTrimmed(const Host& host, const std::string& path);

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_HOST_H_
