#ifndef PHANTUN_RUNTIME_DOCTOR_DOCTOR_MAIN_H_
#define PHANTUN_RUNTIME_DOCTOR_DOCTOR_MAIN_H_

namespace phantun_runtime {

// The phantun-doctor applet: read-only host diagnostics. See --help.
int DoctorMain(int argc, char** argv);

}  // namespace phantun_runtime

#endif  // PHANTUN_RUNTIME_DOCTOR_DOCTOR_MAIN_H_
