#ifndef PHANTUN_CMD_APPLETS_H_
#define PHANTUN_CMD_APPLETS_H_

namespace phantun_runtime {

// The entry point of each applet, one file each in cmd/: the applet's usage text, its options, and
// the mapping of the libraries' errors to one stderr line and an exit status. argv[0] names the
// applet as invoked.
int RunMain(int argc, char** argv);         // phantun_run.cc: the container entrypoint and PID 1
int IfaceWriteMain(int argc, char** argv);  // phantun_iface_write.cc: the interface-name handoff
int DoctorMain(int argc, char** argv);      // phantun_doctor.cc: read-only host diagnostics

}  // namespace phantun_runtime

#endif  // PHANTUN_CMD_APPLETS_H_
