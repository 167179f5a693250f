#ifndef PHANTUN_RUNTIME_RUN_LAUNCH_ENVIRONMENT_H_
#define PHANTUN_RUNTIME_RUN_LAUNCH_ENVIRONMENT_H_

namespace phantun_runtime {

// The variables phantun-run itself reads (phantun gets the whole environment unchanged).
struct LaunchEnvironment {
  const char* mode = nullptr;
  const char* iface_name = nullptr;
  const char* iface_file = nullptr;
};

// One pass over `envp` instead of a getenv() per variable: the launch path runs on every container
// start. Like getenv(), the first definition of a name wins.
LaunchEnvironment ReadLaunchEnvironment(char* const* envp);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_RUN_LAUNCH_ENVIRONMENT_H_
