#ifndef PHANTUN_RUNTIME_VERSION_H_
#define PHANTUN_RUNTIME_VERSION_H_

namespace phantun_runtime {

// The version of the runtime wrapper only; phantun's own version is upstream's.
inline constexpr char kVersion[] = "0.1.0";

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_VERSION_H_
