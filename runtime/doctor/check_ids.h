#ifndef PHANTUN_RUNTIME_DOCTOR_CHECK_IDS_H_
#define PHANTUN_RUNTIME_DOCTOR_CHECK_IDS_H_

namespace phantun_runtime::doctor {

// Every check id the doctor can report, in report order. `phantun-doctor --list-checks` prints
// them, and the documentation test holds docs/troubleshooting to this list.
inline constexpr const char* kCheckIds[] = {
    "doctor.guard",    "tun.device",     "tun.multiqueue", "priv.net_admin", "priv.extra_caps",
    "priv.privileged", "priv.no_new_privs", "priv.seccomp", "netns.host",     "fwd.ipv4",
    "fwd.iface",       "fwd.ipv6",       "fwd.rp_filter",  "nat.masquerade", "nat.listener", "nat.dnat",
    "fwd.chains",      "route.path",      "instance.collision",      "tun.iface",      "tun.addr",       "tun.mtu",
};

}  // namespace phantun_runtime::doctor

#endif  // PHANTUN_RUNTIME_DOCTOR_CHECK_IDS_H_
