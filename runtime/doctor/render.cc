#include "runtime/doctor/render.h"

#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "runtime/version.h"

namespace phantun_runtime::doctor {
namespace {

std::string_view ModeName(Mode mode) {
  switch (mode) {
    case Mode::kClient: return "client";
    case Mode::kServer: return "server";
    case Mode::kUnknown: break;
  }
  return "unknown";
}

std::string_view Colour(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass: return "\033[32m";
    case Verdict::kWarn: return "\033[33m";
    case Verdict::kFail: return "\033[1;31m";
    case Verdict::kSkip: return "\033[2m";
    case Verdict::kInfo: return "\033[36m";
  }
  return "";
}

bool Shown(const Finding& finding, bool quiet) { return !quiet || finding.verdict == Verdict::kFail; }

std::string Json(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppend(&out, "\\u00", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string_view FateName(netfilter::Fate fate) {
  switch (fate) {
    case netfilter::Fate::kLeft: return "leaves";
    case netfilter::Fate::kLocal: return "local";
    case netfilter::Fate::kDropped: return "dropped";
    case netfilter::Fate::kUnknown: return "unknown";
  }
  return "unknown";
}

// --trace, for people: each packet, each of its paths, hop by hop.
std::string TraceText(const Context& context) {
  std::string out = "\nTraces (what this host's rules and routes do with phantun's packets; nothing was sent):\n";
  for (const PhantunTrace& traced : context.traces) {
    absl::StrAppend(&out, "\n", traced.trace.name, "\n");
    int number = 0;
    for (const netfilter::Path& path : traced.trace.paths) {
      ++number;
      if (traced.trace.paths.size() > 1) absl::StrAppend(&out, "  path ", number, ":\n");
      for (const std::string& assumption : path.assumptions) absl::StrAppend(&out, "    ", assumption, "\n");
      for (const netfilter::Hop& hop : path.hops) {
        absl::StrAppend(&out, "    ", hop.stage, std::string(hop.stage.size() < 12 ? 12 - hop.stage.size() : 1, ' '),
                        hop.where.empty() ? "" : absl::StrCat(hop.where, ": "), hop.what, "\n");
        if (!hop.rule.empty()) absl::StrAppend(&out, "                  ", hop.at, ": ", hop.rule, "\n");
      }
      for (const netfilter::NearMiss& miss : path.near_misses) {
        absl::StrAppend(&out, "    not applying: ", miss.where, ": ", miss.rule, " (", miss.why, ")\n");
      }
      absl::StrAppend(&out, "    => ", FateName(path.fate), path.fate == netfilter::Fate::kLeft ? absl::StrCat(" by ", path.packet.oifname) : "",
                      "\n");
    }
  }
  return out;
}

std::string TraceJson(const Context& context) {
  std::string out = ",\"traces\":[";
  bool first_trace = true;
  for (const PhantunTrace& traced : context.traces) {
    absl::StrAppend(&out, first_trace ? "" : ",", "{\"packet\":", Json(traced.trace.name), ",\"paths\":[");
    first_trace = false;
    bool first_path = true;
    for (const netfilter::Path& path : traced.trace.paths) {
      absl::StrAppend(&out, first_path ? "" : ",", "{\"fate\":", Json(FateName(path.fate)), ",\"assumptions\":[");
      first_path = false;
      for (size_t i = 0; i < path.assumptions.size(); ++i) absl::StrAppend(&out, i == 0 ? "" : ",", Json(path.assumptions[i]));
      absl::StrAppend(&out, "],\"hops\":[");
      for (size_t i = 0; i < path.hops.size(); ++i) {
        const netfilter::Hop& hop = path.hops[i];
        absl::StrAppend(&out, i == 0 ? "" : ",", "{\"stage\":", Json(hop.stage), ",\"where\":", Json(hop.where),
                        ",\"what\":", Json(hop.what), ",\"rule\":", Json(hop.rule), ",\"at\":", Json(hop.at), "}");
      }
      absl::StrAppend(&out, "],\"near_misses\":[");
      for (size_t i = 0; i < path.near_misses.size(); ++i) {
        const netfilter::NearMiss& miss = path.near_misses[i];
        absl::StrAppend(&out, i == 0 ? "" : ",", "{\"where\":", Json(miss.where), ",\"rule\":", Json(miss.rule),
                        ",\"why\":", Json(miss.why), "}");
      }
      absl::StrAppend(&out, "]}");
    }
    absl::StrAppend(&out, "]}");
  }
  return out + "]";
}

// --remote as phantun writes it: ADDR, ADDR:PORT or [IPv6]:PORT.
std::string RemoteText(const Options& options) {
  if (options.remote_port == 0) return options.remote_address;
  const bool v6 = options.remote_address.find(':') != std::string::npos;
  return absl::StrCat(v6 ? "[" : "", options.remote_address, v6 ? "]:" : ":", options.remote_port);
}

}  // namespace

std::string RenderText(const Context& context, const Report& report, bool quiet, bool colour) {
  const Options& options = context.options;
  std::string out;
  if (!quiet) {
    absl::StrAppend(&out, "phantun-doctor ", kVersion, ": mode ", ModeName(options.mode), ", TUN ",
                    context.tun.empty() ? "(none)" : context.tun, " ", options.tun_local, " -> peer ", options.tun_peer,
                    ", WAN ", context.wan.empty() ? "(none)" : context.wan,
                    options.port != 0 ? absl::StrCat(", port ", options.port) : "",
                    options.remote_address.empty() ? "" : absl::StrCat(", remote ", RemoteText(options)),
                    "\n\n");
  }
  for (const Finding& finding : report.findings()) {
    if (!Shown(finding, quiet)) continue;
    const std::string word = absl::AsciiStrToUpper(VerdictName(finding.verdict));
    absl::StrAppend(&out, colour ? Colour(finding.verdict) : "", word, colour ? "\033[0m" : "", "  ", finding.id,
                    std::string(finding.id.size() < 18 ? 18 - finding.id.size() : 1, ' '), finding.finding, "\n");
    if (!finding.fix.empty() && finding.verdict != Verdict::kPass && finding.verdict != Verdict::kInfo) {
      absl::StrAppend(&out, "      fix: ", finding.fix, "\n");
    }
  }
  if (!quiet) {
    if (options.trace) absl::StrAppend(&out, TraceText(context));
    absl::StrAppend(&out, "\n", report.Count(Verdict::kPass), " pass, ", report.Count(Verdict::kWarn), " warn, ",
                    report.Count(Verdict::kFail), " fail, ", report.Count(Verdict::kSkip), " skip, ",
                    report.Count(Verdict::kInfo), " info\n");
  }
  return out;
}

std::string RenderJson(const Context& context, const Report& report, bool quiet) {
  const Options& options = context.options;
  std::string out = absl::StrCat(
      "{\"schema\":", Json(kJsonSchema), ",\"version\":", Json(kVersion), ",\"mode\":", Json(ModeName(options.mode)),
      ",\"target\":{\"tun\":", Json(context.tun), ",\"tun_local\":", Json(options.tun_local),
      ",\"tun_peer\":", Json(options.tun_peer), ",\"port\":", options.port, ",\"wan\":", Json(context.wan),
      ",\"ipv6\":", options.ipv6 ? "true" : "false", "},\"checks\":[");
  bool first = true;
  for (const Finding& finding : report.findings()) {
    if (!Shown(finding, quiet)) continue;
    absl::StrAppend(&out, first ? "" : ",", "{\"id\":", Json(finding.id), ",\"status\":", Json(VerdictName(finding.verdict)),
                    ",\"finding\":", Json(finding.finding), ",\"fix\":", Json(finding.fix), "}");
    first = false;
  }
  absl::StrAppend(&out, "],\"summary\":{\"pass\":", report.Count(Verdict::kPass), ",\"warn\":", report.Count(Verdict::kWarn),
                  ",\"fail\":", report.Count(Verdict::kFail), ",\"skip\":", report.Count(Verdict::kSkip),
                  ",\"info\":", report.Count(Verdict::kInfo), "}", options.trace ? TraceJson(context) : "", "}\n");
  return out;
}

}  // namespace phantun_runtime::doctor
