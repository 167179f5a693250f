#ifndef PHANTUN_CMD_APPLET_H_
#define PHANTUN_CMD_APPLET_H_

#include <string_view>

namespace phantun_runtime {

// One applet of the multicall binary. `main` receives argv with argv[0] naming the applet as it
// was invoked (a path, a bare name, or the APPLET argument of `phantun-runtime APPLET ...`).
struct Applet {
  std::string_view name;
  std::string_view summary;
  int (*main)(int argc, char** argv);
};

}  // namespace phantun_runtime

#endif  // PHANTUN_CMD_APPLET_H_
