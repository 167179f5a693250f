#ifndef PHANTUN_RUNTIME_EXIT_CODES_H_
#define PHANTUN_RUNTIME_EXIT_CODES_H_

namespace phantun_runtime {

// The runtime's own exit statuses. Values follow sysexits.h where one fits, and the shell's
// conventions (126, 127, 128+N) for the program it runs, so that operators and orchestrators can
// tell a runtime refusal from phantun's own exit status.
inline constexpr int kExitUsage = 64;          // EX_USAGE: bad MODE, bad command line
inline constexpr int kExitSoftware = 70;       // EX_SOFTWARE: internal error in the runtime
inline constexpr int kExitOsError = 71;        // EX_OSERR: fork, signalfd, ... failed
inline constexpr int kExitCantCreate = 73;     // EX_CANTCREAT: a file could not be written
inline constexpr int kExitIoError = 74;        // EX_IOERR: a file could not be cleared afterwards
inline constexpr int kExitConfig = 78;         // EX_CONFIG: bad IFACE_NAME / IFACE_FILE pair
inline constexpr int kExitCannotExecute = 126; // program exists but cannot be executed
inline constexpr int kExitNotFound = 127;      // program (or applet) not found
inline constexpr int kExitSignalBase = 128;    // 128+N: the program was killed by signal N

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_EXIT_CODES_H_
