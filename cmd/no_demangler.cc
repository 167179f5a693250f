// libc++abi links its C++ name demangler (about 84 KB, a third of the binary) only for the message
// std::terminate prints about an uncaught exception, and nothing in phantun-runtime lets an
// exception escape. Defining the entry point here keeps libc++abi's object out of the static link;
// such a message, if it ever appeared, would show the mangled name instead.
#include <cstddef>

extern "C" char* __cxa_demangle(const char* /*mangled*/, char* /*buffer*/, std::size_t* /*length*/, int* status) {
  if (status != nullptr) *status = -2;  // "not a valid mangled name": callers then print it as is
  return nullptr;
}
