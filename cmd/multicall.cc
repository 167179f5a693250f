#include "cmd/multicall.h"

#include <unistd.h>

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "runtime/diagnostics.h"
#include "runtime/exit_codes.h"
#include "cmd/install_links.h"
#include "runtime/version.h"

namespace phantun_runtime {
namespace {

std::string HelpText(absl::Span<const Applet> applets) {
  std::string text = absl::StrCat(
      "phantun-runtime ", kVersion,
      ": a minimal launcher for the official phantun binaries.\n"
      "\n"
      "Usage: APPLET [ARGS...]                 (through a link named after the applet)\n"
      "       phantun-runtime APPLET [ARGS...]\n"
      "       phantun-runtime --list | --install DIR | --version | --help\n"
      "\n"
      "Applets:\n");
  for (const Applet& applet : applets) {
    constexpr size_t kSummaryColumn = 22;
    const size_t pad = applet.name.size() + 3 < kSummaryColumn ? kSummaryColumn - 2 - applet.name.size() : 1;
    absl::StrAppend(&text, "  ", applet.name, std::string(pad, ' '), applet.summary, "\n");
  }
  absl::StrAppend(
      &text,
      "\n"
      "Options:\n"
      "  --list         print the applet names, one a line\n"
      "  --install DIR  create a symbolic link DIR/APPLET to this binary for every applet\n"
      "  --version      print the runtime's version\n"
      "  --help         print this text\n"
      "\n"
      "Exit status of phantun-run (the container entrypoint):\n"
      "  N        phantun exited with status N\n"
      "  128+N    phantun was killed by signal N (143 after SIGTERM)\n"
      "  64       MODE is unset, empty or not client/server; phantun not started\n"
      "  70       internal error: phantun's exit status could not be collected (should not happen)\n"
      "  71       the runtime could not start phantun (signal setup, fork or start directory)\n"
      "  73       IFACE_FILE could not be written; phantun not started\n"
      "  74       phantun exited 0 but IFACE_FILE could not be cleared\n"
      "  78       IFACE_NAME/IFACE_FILE: only one set, or the name is invalid\n"
      "  126      phantun_client/phantun_server exists but cannot run (or lacks its loader)\n"
      "  127      phantun_client/phantun_server is missing, or the applet is unknown\n");
  return text;
}

int UsageError(std::string_view message) {
  PrintError(kMulticallName, absl::StrCat(message, " (see phantun-runtime --help)"));
  return kExitUsage;
}

int UnknownApplet(absl::Span<const Applet> applets, std::string_view name) {
  std::string known;
  for (const Applet& applet : applets) absl::StrAppend(&known, known.empty() ? "" : ", ", applet.name);
  PrintError(kMulticallName, absl::StrCat("unknown applet '", absl::CHexEscape(name), "' (known: ", known, ")"));
  return kExitNotFound;
}

// `phantun-runtime ...`: options of the multicall binary itself, or an applet named by argv[1].
int DispatchOwnCommandLine(absl::Span<const Applet> applets, int argc, char** argv) {
  if (argc < 2) return UsageError("no applet given");
  const std::string_view first = argv[1];
  if (first == "--help" || first == "-h") {
    PrintText(STDOUT_FILENO, HelpText(applets));
    return 0;
  }
  if (first == "--version") {
    PrintText(STDOUT_FILENO, absl::StrCat(kMulticallName, " ", kVersion, "\n"));
    return 0;
  }
  if (first == "--list") {
    std::string names;
    for (const Applet& applet : applets) absl::StrAppend(&names, applet.name, "\n");
    PrintText(STDOUT_FILENO, names);
    return 0;
  }
  if (first == "--install") {
    if (argc != 3) return UsageError("--install takes exactly one directory");
    return InstallAppletLinks(applets, argv[2]);
  }
  if (!first.empty() && first[0] == '-') return UsageError(absl::StrCat("unknown option '", absl::CHexEscape(first), "'"));
  const Applet* applet = FindApplet(applets, first);
  if (applet == nullptr) return UnknownApplet(applets, first);
  return applet->main(argc - 1, argv + 1);
}

}  // namespace

std::string_view InvokedName(const char* argv0) {
  if (argv0 == nullptr) return {};
  std::string_view name = argv0;
  const size_t slash = name.rfind('/');
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

const Applet* FindApplet(absl::Span<const Applet> applets, std::string_view name) {
  for (const Applet& applet : applets) {
    if (applet.name == name) return &applet;
  }
  return nullptr;
}

int MulticallMain(absl::Span<const Applet> applets, int argc, char** argv) {
  const std::string_view name = InvokedName(argc > 0 ? argv[0] : nullptr);
  if (name == kMulticallName) return DispatchOwnCommandLine(applets, argc, argv);
  const Applet* applet = FindApplet(applets, name);
  if (applet == nullptr) return UnknownApplet(applets, name);
  return applet->main(argc, argv);
}

}  // namespace phantun_runtime
