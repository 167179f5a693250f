#ifndef PHANTUN_RUNTIME_HANDOFF_IFACE_WRITE_MAIN_H_
#define PHANTUN_RUNTIME_HANDOFF_IFACE_WRITE_MAIN_H_

namespace phantun_runtime {

// The phantun-iface-write applet: phantun-run's interface-name handoff on its own, for init systems
// (systemd ExecStartPre/ExecStopPost, procd, Kubernetes init containers). See --help.
int IfaceWriteMain(int argc, char** argv);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_HANDOFF_IFACE_WRITE_MAIN_H_
