#ifndef PHANTUN_RUNTIME_RUN_INTERPRETER_H_
#define PHANTUN_RUNTIME_RUN_INTERPRETER_H_

#include <string_view>

namespace phantun_runtime {

// The file that execve() must open besides `head`'s own file: the interpreter of a "#!" script, or
// the program interpreter (dynamic loader, PT_INTERP) of an ELF executable, from the first bytes of
// the file. execve() fails with ENOENT when that one is missing, although the program exists, which
// is how a glibc-linked phantun in a FROM scratch image fails. Empty when the head names none or is
// too short to tell. The result points into `head`.
std::string_view InterpreterNamedIn(std::string_view head);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_RUN_INTERPRETER_H_
