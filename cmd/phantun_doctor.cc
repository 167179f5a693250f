#include "cmd/applets.h"

#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "runtime/diagnostics.h"
#include "runtime/doctor/check_ids.h"
#include "runtime/doctor/context.h"
#include "runtime/doctor/finding.h"
#include "runtime/doctor/fwd_checks.h"
#include "runtime/doctor/instance_checks.h"
#include "runtime/doctor/live_host.h"
#include "runtime/doctor/nat_checks.h"
#include "runtime/doctor/route_checks.h"
#include "runtime/doctor/netns_checks.h"
#include "runtime/doctor/options.h"
#include "runtime/doctor/priv_checks.h"
#include "runtime/doctor/process_facts.h"
#include "runtime/doctor/read_only_guard.h"
#include "runtime/doctor/render.h"
#include "runtime/doctor/setup_recipe.h"
#include "runtime/doctor/tun_checks.h"
#include "runtime/exit_codes.h"
#include "runtime/status.h"

namespace phantun_runtime {

using doctor::Verdict;

int DoctorMain(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == "--list-checks") {
    std::string ids;
    for (const char* id : doctor::kCheckIds) absl::StrAppend(&ids, id, "\n");
    PrintText(STDOUT_FILENO, ids);
    return 0;
  }
  const StatusOr<doctor::Options> parsed = doctor::ParseOptions(argc, argv, getenv("MODE"));
  if (!parsed.ok()) {
    PrintError("phantun-doctor", parsed.status().message());
    return kExitUsage;
  }
  const doctor::Options& options = *parsed;
  if (options.help) {
    PrintText(STDOUT_FILENO, doctor::kDoctorHelp);
    return 0;
  }

  // Before the guard goes up, only what cannot happen under it, and no check:
  //  - descriptors above 2 that the doctor was given are closed, so that every descriptor the
  //    filter lets it use (sendto's, the TUN's) is one it opened itself;
  //  - the process facts are read, because the guard changes two of them (no_new_privs and the
  //    seccomp mode) and the checks must judge the process as it was started, as phantun would be;
  //  - /dev/net/tun is opened read-write: the filter cannot allow that open for this one path
  //    without allowing it for every file. It creates nothing (only TUNSETIFF would); what the
  //    device can do is asked under the guard.
  doctor::LiveHost host;
  doctor::CloseInheritedDescriptors();
  const doctor::ProcessFacts started_as = doctor::ReadProcessFacts(host);
  const int tun_fd = host.OpenTunDevice();

  doctor::Report report;
  if (const Status guard = doctor::InstallReadOnlyGuard(tun_fd); guard.ok()) {
    report.Add("doctor.guard", Verdict::kPass, "read-only guard active: seccomp allows only the calls the doctor needs to read");
  } else {
    report.Add("doctor.guard", Verdict::kWarn, absl::StrCat("read-only guard unavailable (", guard.message(),
                                                            "); the checks below only read anyway"),
               "use a kernel with CONFIG_SECCOMP_FILTER to have the promise enforced");
  }

  // Under the guard from here on: the facts, all of them, then the checks, which only judge them.
  const doctor::TunProbe tun = host.ProbeTun();
  const char* no_color = getenv("NO_COLOR");
  const bool colour = !options.json && isatty(STDOUT_FILENO) && (no_color == nullptr || *no_color == '\0');
  doctor::Context context = doctor::ResolveContext(options, host, started_as);
  if (options.print_setup) {
    // The names go into shell commands: only what needs no quoting there.
    for (const auto& [flag, name] : {std::pair{"--tun", &context.tun}, std::pair{"--wan", &context.wan}}) {
      if (name->empty() || name->find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@") !=
                               std::string::npos) {
        PrintError("phantun-doctor", name->empty() ? absl::StrCat("--print-setup: no ", flag + 2, " interface here (",
                                                                  flag == std::string_view("--tun") ? context.tun_reason
                                                                                                    : "no IPv4 default route",
                                                                  "): name it with ", flag)
                                                   : absl::StrCat("--print-setup: ", flag, " '", *name,
                                                                  "': expected letters, digits and . _ - @ only"));
        _exit(kExitUsage);
      }
    }
    PrintText(STDOUT_FILENO, doctor::RenderSetup(context, doctor::PlanSetup(&context, host), options.setup_part));
    _exit(0);
  }
  doctor::CheckTunDevice(tun, context.process.in_container, &report);
  doctor::CheckPrivileges(context.process, &report);
  doctor::CheckNamespace(context, &report);
  doctor::CheckForwarding(context, &report);
  doctor::CheckNat(context, &report);
  doctor::CheckForwardChains(context, &report);
  doctor::CheckRoutes(context, &report);
  doctor::CheckInstances(context, &report);
  doctor::CheckTunInterface(context, &report);
  doctor::CheckTunAddresses(context, &report);

  PrintText(STDOUT_FILENO, options.json ? doctor::RenderJson(context, report, options.quiet)
                                        : doctor::RenderText(context, report, options.quiet, colour));
  // The report is written (PrintText writes it whole, unbuffered); freeing a model of 100k rules
  // on the way out would only cost time (~35 ms there), so the process ends here.
  _exit(report.HasFailure() ? 1 : 0);
}

}  // namespace phantun_runtime
