#ifndef PHANTUN_RUNTIME_STANDARD_DESCRIPTORS_H_
#define PHANTUN_RUNTIME_STANDARD_DESCRIPTORS_H_

namespace phantun_runtime {

// Makes sure descriptors 0, 1 and 2 are open, putting /dev/null on each one that is closed. Called
// first thing in main(): a process started with one of them closed would otherwise get it back from
// the next open() (IFACE_FILE, a signalfd, a netlink socket) and then write its error messages into
// that file, or hand it to phantun as stdout. phantun inherits the placeholders too, so its own TUN
// descriptor cannot land on 0-2 either.
void OpenClosedStandardDescriptors();

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_STANDARD_DESCRIPTORS_H_
