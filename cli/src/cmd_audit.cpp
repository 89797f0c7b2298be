// fwseal audit verify LOG [--anchor SHA256]: checks the signing audit log's
// hash chain (docs/AUDIT.md).
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "args.h"
#include "commands.h"
#include "fwseal/signer/audit.h"

namespace fwseal::cli {

namespace {

int verify_log(const Args& args) {
  const std::string& path = args.positionals()[0];
  signer::AuditVerifyOptions options;
  if (auto anchor = args.value("--anchor")) {
    std::string a = *anchor;
    std::transform(a.begin(), a.end(), a.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (a.size() != 64 || a.find_first_not_of("0123456789abcdef") != std::string::npos)
      return usage_error("--anchor: expected the 64 hex digits of a line's SHA-256 (a head printed earlier)");
    options.anchor = a;
  }
  auto s = signer::verify_audit_log(path, options);
  if (!s.ok()) return fail(s.error());
  if (args.flag("--json")) {
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& [id, k] : s->keys)
      keys.push_back({{"key_id", id}, {"algorithm", k.algorithm}, {"signed", k.signed_count},
                      {"refused", k.refused_count}, {"key_uri", k.key_uri.empty() ? nlohmann::json(nullptr) : nlohmann::json(k.key_uri)}});
    print_json({{"log", path}, {"valid", true}, {"lines", s->lines},
                {"first", s->lines > 0 ? nlohmann::json(s->first_time) : nlohmann::json(nullptr)},
                {"last", s->lines > 0 ? nlohmann::json(s->last_time) : nlohmann::json(nullptr)},
                {"head_sha256", s->head}, {"keys", keys}, {"repaired_lines", s->repaired_lines}});
    return 0;
  }
  if (args.flag("--quiet")) return 0;
  std::printf("audit log %s: valid, %llu line%s\n", path.c_str(), static_cast<unsigned long long>(s->lines),
              s->lines == 1 ? "" : "s");
  if (s->lines > 0) std::printf("first %s, last %s\n", s->first_time.c_str(), s->last_time.c_str());
  std::printf("head sha256 %s\n", s->head.c_str());
  if (!s->keys.empty()) std::printf("signatures by key:\n");
  for (const auto& [id, k] : s->keys)
    std::printf("  %s %-12s %llu signed, %llu refused  %s\n", id.c_str(), k.algorithm.c_str(),
                static_cast<unsigned long long>(k.signed_count), static_cast<unsigned long long>(k.refused_count),
                k.key_uri.empty() ? "(imported)" : k.key_uri.c_str());
  for (auto line : s->repaired_lines)
    std::printf("note: line %llu records a torn line that was cut off (a writer had been interrupted)\n",
                static_cast<unsigned long long>(line));
  return 0;
}

}  // namespace

void add_audit_command(Command& fwseal) {
  Command& audit = fwseal.add_command("audit", "the signing audit log (docs/AUDIT.md)");
  Command& c = add_command(audit, "verify", "check the log's hash chain and count the signatures by key", verify_log);
  c.add_positional("LOG", "the audit log", "expected one audit log");
  c.add_value("--anchor", "SHA256", "a head printed earlier: the log must still contain that line");
  add_output_switches(c);
}

}  // namespace fwseal::cli
