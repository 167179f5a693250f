// InterfaceNameProblem() against the kernel itself: every name a TUN device can be given is tried
// with TUNSETIFF (the request phantun makes) in a network namespace of the test's own, and the
// runtime's rule must accept exactly the names the kernel accepts.
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/handoff/iface_name.h"

namespace phantun_runtime {
namespace {

// Whether the kernel lets a TUN device be created under `name`. The device lives as long as the
// descriptor, so nothing is left behind.
bool KernelAccepts(const std::string& name) {
  const int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) ADD_FAILURE() << "/dev/net/tun: " << strerror(errno);
  ifreq request{};
  request.ifr_flags = IFF_TUN | IFF_NO_PI;
  memcpy(request.ifr_name, name.data(), name.size());  // at most 15 bytes: the rest stays NUL
  const bool accepted = ioctl(fd, TUNSETIFF, &request) == 0;
  const int error = errno;
  close(fd);
  if (!accepted && error != EINVAL) ADD_FAILURE() << "TUNSETIFF: " << strerror(error);
  return accepted;
}

class KernelNameRuleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A namespace of our own: no name can clash with the host's interfaces, and none leaks out.
    ASSERT_EQ(unshare(CLONE_NEWNET), 0) << "unshare(CLONE_NEWNET) needs root: " << strerror(errno);
  }
};

TEST_F(KernelNameRuleTest, EveryByteIsJudgedAsTheKernelJudgesIt) {
  for (int byte = 1; byte <= 255; ++byte) {
    // '%' is not a name byte but a pattern the kernel expands ("tun%d" becomes "tun0"), or refuses
    // when it is not followed by 'd': a different question from the one dev_valid_name answers.
    if (byte == '%') continue;
    const std::string name = std::string("a") + static_cast<char>(byte) + "b";
    EXPECT_EQ(InterfaceNameProblem(name).empty(), KernelAccepts(name)) << "byte 0x" << std::hex << byte;
  }
}

TEST_F(KernelNameRuleTest, LengthsAndDotNamesAreJudgedAsTheKernelJudgesThem) {
  for (const std::string& name : std::vector<std::string>{".", "..", "...", std::string(15, 'x'), "\xa0", " "}) {
    EXPECT_EQ(InterfaceNameProblem(name).empty(), KernelAccepts(name)) << name;
  }
  // 16 bytes cannot even be handed to TUNSETIFF (ifr_name holds 15 and a NUL); the rule refuses it.
  EXPECT_FALSE(InterfaceNameProblem(std::string(16, 'x')).empty());
}

}  // namespace
}  // namespace phantun_runtime
