#ifndef PHANTUN_RUNTIME_RUN_RUN_MAIN_H_
#define PHANTUN_RUNTIME_RUN_RUN_MAIN_H_

namespace phantun_runtime {

// The phantun-run applet: the container entrypoint and PID 1. See README.md, "phantun-run".
int RunMain(int argc, char** argv);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_RUN_RUN_MAIN_H_
