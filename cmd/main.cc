// The phantun-runtime multicall binary: argv[0] (or the first argument) selects the applet.
#include "cmd/applet.h"
#include "cmd/applets.h"
#include "cmd/multicall.h"
#include "runtime/standard_descriptors.h"

namespace {

// Every applet of the binary. An applet is listed here only once it works; adding one is a file in
// cmd/ with its entry point, a line here, and the library it uses in runtime/.
constexpr phantun_runtime::Applet kApplets[] = {
    {"phantun-run", "run phantun_client or phantun_server (MODE=client|server) as PID 1", phantun_runtime::RunMain},
    {"phantun-iface-write", "write IFACE_NAME into IFACE_FILE, or clear it (--clear)", phantun_runtime::IfaceWriteMain},
    {"phantun-doctor", "read-only checks of what phantun needs from the host", phantun_runtime::DoctorMain},
};

}  // namespace

int main(int argc, char** argv) {
  phantun_runtime::OpenClosedStandardDescriptors();  // before any applet opens a file
  return phantun_runtime::MulticallMain(kApplets, argc, argv);
}
