#include <sys/stat.h>

#include <ctime>
#include <filesystem>
#include <map>
#include <set>

#include "fwseal/format/created.h"
#include "fwseal/base/time.h"
#include "fwseal/format/canonical_json.h"
#include "fwseal/base/digest.h"
#include "fwseal/base/file.h"
#include "fwseal/format/layout.h"
#include "fwseal/format/provenance.h"
#include "fwseal/pipeline/report.h"
#include "fwseal/signer/audit.h"
#include "fwseal/verifier/provenance.h"

namespace fwseal::pipeline {

namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

Result<std::optional<ojson>> read_json_if_present(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::optional<ojson>();
  FWSEAL_ASSIGN(std::string text, read_file(path, 16u << 20));
  // Strict first (duplicates, UTF-8, limits); then read again keeping member order.
  FWSEAL_TRY(parse_json_strict(text, path, JsonLimits{16u << 20, 32}));
  return std::optional<ojson>(ojson::parse(text));
}

std::string rel(const VariantPlan& v, const std::string& leaf) { return v.name.empty() ? leaf : v.name + "/" + leaf; }

// What a CycloneDX evidence technique means for the reader of the report.
std::string source_label(const std::string& technique) {
  if (technique == "other") return "declared by the build (components file)";
  if (technique == "manifest-analysis") return "build manifest or package database";
  if (technique == "binary-analysis") return "found in the image binaries";
  return technique;
}

std::string licence_text(const json& c) {
  if (!c.contains("licenses") || !c["licenses"].is_array() || c["licenses"].empty()) return "no licence declared";
  std::vector<std::string> parts;
  for (const auto& l : c["licenses"]) {
    if (l.contains("expression") && l["expression"].is_string()) {
      parts.push_back(l["expression"].get<std::string>());
    } else if (l.contains("license") && l["license"].is_object()) {
      const json& x = l["license"];
      if (x.contains("id") && x["id"].is_string())
        parts.push_back(x["id"].get<std::string>());
      else if (x.contains("name") && x["name"].is_string())
        parts.push_back(x["name"].get<std::string>());
    }
  }
  if (parts.empty()) return "no licence declared";
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " AND ") + p;
  return out;
}

bool is_image_component(const json& c) {
  if (!c.contains("properties") || !c["properties"].is_array()) return false;
  for (const auto& p : c["properties"])
    if (p.contains("name") && p["name"] == "fwseal:image-type") return true;
  return false;
}

void walk_components(const json& list, std::vector<const json*>& out) {
  if (!list.is_array()) return;
  for (const auto& c : list) {
    if (!c.is_object()) continue;
    out.push_back(&c);
    if (c.contains("components")) walk_components(c["components"], out);
  }
}

ojson counts_json(const std::map<std::string, std::uint64_t>& counts, const char* key) {
  ojson out = ojson::array();
  for (const auto& [k, n] : counts) out.push_back({{key, k}, {"components", n}});
  return out;
}

ojson trust_json(const TrustPolicy& t) {
  ojson sets = ojson::array();
  for (const auto& s : t.key_sets) {
    ojson keys = ojson::array();
    for (const auto& k : s.keys)
      keys.push_back({{"name", k.name}, {"key_id", to_hex(k.key_id)}, {"algorithm", algorithm_name(k.algorithm)}});
    ojson roots = ojson::array();
    for (const auto& r : s.roots) roots.push_back(r.name);
    sets.push_back({{"role", s.role.empty() ? ojson(nullptr) : ojson(s.role)},
                    {"threshold", s.threshold},
                    {"keys", keys},
                    {"roots", roots}});
  }
  ojson algs = ojson::array();
  for (auto a : t.algorithms) algs.push_back(algorithm_name(a));
  ojson revoked = ojson::array();
  for (const auto& r : t.revoked_key_ids) revoked.push_back(to_hex(r));
  return {{"file", "trust.json"},
          {"key_sets", sets},
          {"algorithms", algs},
          {"revoked_key_ids", revoked},
          {"min_security_version", std::to_string(t.min_security_version)},
          {"hardware", t.hardware}};
}

}  // namespace

ojson sbom_summary(const json& bom) {
  std::vector<const json*> all;
  if (bom.contains("components")) walk_components(bom["components"], all);
  std::map<std::string, std::uint64_t> by_licence, by_source;
  std::uint64_t count = 0;
  for (const json* c : all) {
    if (is_image_component(*c)) continue;
    ++count;
    ++by_licence[licence_text(*c)];
    std::set<std::string> sources;
    if (c->contains("evidence") && (*c)["evidence"].contains("identity") && (*c)["evidence"]["identity"].is_array())
      for (const auto& id : (*c)["evidence"]["identity"])
        if (id.contains("methods") && id["methods"].is_array())
          for (const auto& m : id["methods"])
            if (m.contains("technique") && m["technique"].is_string()) sources.insert(source_label(m["technique"].get<std::string>()));
    if (sources.empty()) sources.insert("not recorded");
    for (const auto& s : sources) ++by_source[s];
  }
  ojson warnings = ojson::array();
  if (bom.contains("metadata") && bom["metadata"].contains("properties") && bom["metadata"]["properties"].is_array())
    for (const auto& p : bom["metadata"]["properties"])
      if (p.contains("name") && p["name"] == "fwseal:warning" && p.contains("value")) warnings.push_back(ojson::parse(p["value"].dump()));
  return {{"components", count},
          {"by_licence", counts_json(by_licence, "licence")},
          {"by_source", counts_json(by_source, "source")},
          {"warnings", warnings}};
}

namespace {

ojson string_or_null(const json& c, const char* key) {
  return c.contains(key) && c[key].is_string() ? ojson(c[key].get<std::string>()) : ojson(nullptr);
}

// The generator nests nothing: an image's components are those its
// dependencies entry ("image:<name>") lists. Nested components count for
// their parent image too.
void component_rows(const json& list, const std::string& parent_image,
                    const std::map<std::string, std::set<std::string>>& images_of, ojson& rows) {
  if (!list.is_array()) return;
  for (const auto& c : list) {
    if (!c.is_object()) continue;
    if (is_image_component(c)) {
      if (c.contains("components"))
        component_rows(c["components"], c.contains("name") && c["name"].is_string() ? c["name"].get<std::string>() : "",
                       images_of, rows);
      continue;
    }
    std::set<std::string> images;
    if (c.contains("bom-ref") && c["bom-ref"].is_string())
      if (auto it = images_of.find(c["bom-ref"].get<std::string>()); it != images_of.end()) images = it->second;
    if (!parent_image.empty()) images.insert(parent_image);
    std::set<std::string> techniques, labels;
    if (c.contains("evidence") && c["evidence"].contains("identity") && c["evidence"]["identity"].is_array())
      for (const auto& id : c["evidence"]["identity"])
        if (id.contains("methods") && id["methods"].is_array())
          for (const auto& m : id["methods"])
            if (m.contains("technique") && m["technique"].is_string()) {
              techniques.insert(m["technique"].get<std::string>());
              labels.insert(source_label(m["technique"].get<std::string>()));
            }
    if (labels.empty()) labels.insert("not recorded");
    rows.push_back({{"name", string_or_null(c, "name")},
                    {"version", string_or_null(c, "version")},
                    {"licence", licence_text(c)},
                    {"purl", string_or_null(c, "purl")},
                    {"images", ojson(std::vector<std::string>(images.begin(), images.end()))},
                    {"identified_by", ojson(std::vector<std::string>(labels.begin(), labels.end()))},
                    {"techniques", ojson(std::vector<std::string>(techniques.begin(), techniques.end()))}});
    if (c.contains("components")) component_rows(c["components"], parent_image, images_of, rows);
  }
}

}  // namespace

ojson sbom_components(const json& bom) {
  std::map<std::string, std::set<std::string>> images_of;  // component bom-ref -> image names
  if (bom.contains("dependencies") && bom["dependencies"].is_array())
    for (const auto& d : bom["dependencies"]) {
      if (!d.is_object() || !d.contains("ref") || !d["ref"].is_string()) continue;
      const std::string ref = d["ref"].get<std::string>();
      if (ref.rfind("image:", 0) != 0 || !d.contains("dependsOn") || !d["dependsOn"].is_array()) continue;
      for (const auto& on : d["dependsOn"])
        if (on.is_string()) images_of[on.get<std::string>()].insert(ref.substr(6));
    }
  ojson rows = ojson::array();
  if (bom.contains("components")) component_rows(bom["components"], "", images_of, rows);
  return rows;
}

std::string report_path(const std::string& path, const std::string& base) {
  namespace fs = std::filesystem;
  if (path.empty() || path[0] != '/') return path;
  const fs::path rel = fs::path(path).lexically_normal().lexically_relative(fs::path(base).lexically_normal());
  if (!rel.empty() && *rel.begin() != "..") return rel.string();
  return fs::path(path).filename().string();
}

namespace {

// Every string of the report with the build machine's directories taken out:
// the output directory (files are named relative to it) and the release
// file's directory. A path nothing names relative to them keeps its tail only
// where report_path is used; this catches paths inside messages.
void scrub_paths(ojson& j, const std::vector<std::string>& dirs) {
  if (j.is_string()) {
    std::string s = j.get<std::string>();
    bool changed = false;
    for (const auto& d : dirs) {
      if (d.size() < 2) continue;
      for (std::size_t at; (at = s.find(d + "/")) != std::string::npos; changed = true) s.erase(at, d.size() + 1);
      if (s == d) s = ".", changed = true;
    }
    if (changed) j = s;
  } else if (j.is_structured()) {
    for (auto& x : j) scrub_paths(x, dirs);
  }
}

// The audit log's lines, each with the SHA-256 of its bytes (the next line's
// `prev`), or why it could not be read.
struct AuditLines {
  std::vector<std::pair<signer::AuditRecord, std::string>> records;
  std::string status = "not looked up";
};

AuditLines read_audit_lines(const std::string& path) {
  AuditLines out;
  if (path.empty()) return out;
  auto text = read_file(path, 256u << 20);
  if (!text.ok()) {
    out.status = "not readable";
    return out;
  }
  std::size_t start = 0, n = 0;
  while (start < text->size()) {
    const std::size_t nl = text->find('\n', start);
    if (nl == std::string::npos) break;  // a torn tail: no record
    ++n;
    const std::string_view line(text->data() + start, nl - start);
    if (auto r = signer::parse_audit_record(line, "audit log line " + std::to_string(n)); r.ok())
      out.records.emplace_back(std::move(*r), sha256_hex(std::string_view(text->data() + start, nl + 1 - start)));
    start = nl + 1;
  }
  out.status = "read (" + std::to_string(n) + " lines)";
  return out;
}

// The last "signed" line for `target` by `key_id` over `manifest` (hex), as
// fields; null if the log has none. The line's `package` (a path in the
// run's work tree) is left out.
ojson audit_entry(const AuditLines& log, const std::string& target, const std::string& key_id,
                  const std::string& manifest) {
  for (auto it = log.records.rbegin(); it != log.records.rend(); ++it) {
    const signer::AuditEvent& e = it->first.event;
    if (e.target != target || to_hex(e.key_id) != key_id || to_hex(e.manifest_digest) != manifest || e.result != "signed")
      continue;
    return {{"seq", it->first.seq},
            {"time", it->first.time},
            {"line_sha256", it->second},
            {"target", e.target},
            {"source", e.source},
            {"result", e.result},
            {"key_id", key_id},
            {"key_uri", e.key_uri},
            {"algorithm", algorithm_name(e.algorithm)},
            {"manifest_sha256", manifest},
            {"product", e.product},
            {"version", e.version},
            {"operator", e.operator_name},
            {"login", e.login},
            {"host", e.host}};
  }
  return nullptr;
}

const std::string& context_audit_log(const ReportContext& ctx) { return ctx.audit_log; }

bool failed_at_or_before(const VariantOutcome& o, Step step) { return o.failure && o.failure->step <= step; }

// The signatures as fwseal-verify reported them, with their certificates.
ojson signature_rows(const ojson& r, const AuditLines& audit) {
  const std::string manifest =
      r.contains("manifest_sha256") && r["manifest_sha256"].is_string() ? r["manifest_sha256"].get<std::string>() : "";
  ojson sigs = ojson::array();
  for (const auto& s : r["signatures"]) {
    const bool chain = s.contains("chain") && s["chain"].is_object();
    ojson certs = ojson::array();
    if (chain)
      for (const auto& c : s["chain"]["certificates"])
        certs.push_back({{"subject", c["subject"]}, {"issuer", c["issuer"]}, {"not_after", c["not_after"]}});
    sigs.push_back({{"key_id", s["key_id"]},
                    {"algorithm", s["algorithm"]},
                    {"key_name", s["key_name"]},
                    {"status", s["status"]},
                    {"detail", s["detail"]},
                    {"certificate_chain", chain ? s["chain"]["result"] : ojson(nullptr)},
                    {"certificates", certs},
                    {"audit", s["key_id"].is_string() ? audit_entry(audit, "manifest", s["key_id"].get<std::string>(), manifest)
                                                      : ojson(nullptr)}});
  }
  return sigs;
}

// The package as the standalone verifier decided it: "package",
// "verification", "signatures", "images".
Status add_verification(const VariantPlan& v, const VariantOutcome& o, const AuditLines& audit, ojson& vj, bool& pass) {
  FWSEAL_ASSIGN(auto verify, read_json_if_present(v.verify_path()));
  const bool verify_current = verify && !(o.failure && o.failure->step < Step::verify);
  struct stat st {};
  const bool have_pkg = !failed_at_or_before(o, Step::sign) && ::stat(v.package_path().c_str(), &st) == 0;
  vj["package"] = have_pkg ? ojson{{"file", rel(v, v.package_name)},
                                   {"size", static_cast<std::uint64_t>(st.st_size)},
                                   {"manifest_sha256", verify_current ? (*verify)["manifest_sha256"] : ojson(nullptr)}}
                           : ojson(nullptr);
  if (!verify_current) {
    vj["verification"] = nullptr;
    vj["signatures"] = ojson::array();
    ojson imgs = ojson::array();
    for (const auto& img : v.images) imgs.push_back({{"name", img.name}, {"type", img.type}, {"size", nullptr}, {"sha256", nullptr}});
    vj["images"] = imgs;
    pass = false;
    return ok_status();
  }
  const ojson& r = *verify;
  vj["verification"] = {{"verifier", "fwseal-verify"},
                        {"verdict", r["verdict"]},
                        {"exit_code", r["exit_code"]},
                        {"message", r["message"]},
                        {"signatures_valid", r["signatures_valid"]},
                        {"signatures_required", r["signatures_required"]},
                        {"checks", r["checks"]}};
  if (r["verdict"] != "valid") pass = false;
  vj["signatures"] = signature_rows(r, audit);
  vj["images"] = r["images"].is_array() ? r["images"] : ojson::array();
  return ok_status();
}

// The SBOM that went into the package: "sbom".
Status add_sbom(const VariantPlan& v, const VariantOutcome& o, ojson& vj) {
  struct stat st {};
  if ((o.failure && o.failure->step == Step::package) || ::stat(v.sbom_path().c_str(), &st) != 0) {
    vj["sbom"] = nullptr;
    return ok_status();
  }
  FWSEAL_ASSIGN(std::string bytes, read_file(v.sbom_path(), kMaxSbomBytes));
  FWSEAL_ASSIGN(json bom, parse_json_strict(bytes, v.sbom_path(), JsonLimits{kMaxSbomBytes, 64}));
  ojson sj = {{"file", rel(v, "sbom.cdx.json")}, {"size", bytes.size()}, {"sha256", sha256_hex(bytes)}};
  const ojson summary = sbom_summary(bom);
  for (const auto& [k, val] : summary.items()) sj[k] = val;
  sj["component_list"] = sbom_components(bom);
  vj["sbom"] = sj;
  return ok_status();
}

// The provenance checked as `fwseal verify --provenance` checks it, against
// the run's trust policy and the verified manifest: "verification".
ojson verify_provenance_file(const std::string& bytes, const std::string& where, const ojson& manifest,
                             const ReportContext& ctx, const AuditLines& audit) {
  ojson check = {{"result", "fail"},
                 {"verifier", "verify_provenance (fwseal-verify --provenance)"},
                 {"message", nullptr},
                 {"key_id", nullptr},
                 {"key_name", nullptr},
                 {"builder_id", nullptr},
                 {"build_type", nullptr},
                 {"invocation_id", nullptr},
                 {"started_on", nullptr},
                 {"finished_on", nullptr},
                 {"in_trust_policy", nullptr},
                 {"audit", nullptr}};
  if (!ctx.provenance_key || !manifest.is_string()) {
    check["message"] = "not checked: no verified package to check it against";
    return check;
  }
  auto digest = sha256_from_hex(manifest.get<std::string>(), "manifest_sha256");
  if (!digest.ok()) {
    check["message"] = digest.error().message;
    return check;
  }
  // Against the key the run signed with: a trust policy of certificate roots
  // alone cannot check a DSSE signature (it carries no chain).
  TrustPolicy key_policy;
  KeySet set;
  set.keys.push_back(*ctx.provenance_key);
  set.threshold = 1;
  key_policy.key_sets.push_back(std::move(set));
  auto v = verifier::verify_provenance(bytes, key_policy, *digest, where);
  if (!v.ok()) {
    check["message"] = v.error().message;
    check["exit_code"] = static_cast<int>(v.error().code);
    return check;
  }
  const std::string key_id = to_hex(v->key_id);
  check["result"] = "pass";
  const bool pinned = ctx.trust && ctx.trust->find_key(v->key_id) && !ctx.trust->revoked(v->key_id);
  check["in_trust_policy"] = pinned;
  check["message"] = std::string("the DSSE signature verifies with the run's provenance key and the subject is the verified manifest") +
                     (pinned ? "; trust.json pins the key, so fwseal-verify --provenance accepts it"
                             : "; trust.json does not pin the key, so fwseal-verify --provenance with it refuses it");
  check["key_id"] = key_id;
  check["key_name"] = v->key_name.empty() ? ojson(nullptr) : ojson(v->key_name);
  check["builder_id"] = std::string(kFwsealBuilderIdPrefix) + v->statement.builder_version;
  check["build_type"] = std::string(kFwsealBuildType);
  check["invocation_id"] = v->statement.invocation_id;
  // 0 is what R11 records without a time: never shown as 1970.
  check["started_on"] = describe_created(v->statement.started_on);
  check["finished_on"] = describe_created(v->statement.finished_on);
  check["audit"] = audit_entry(audit, "provenance", key_id, manifest.get<std::string>());
  return check;
}

// The signed provenance statement, once the package verified: "provenance".
Status add_provenance(const VariantPlan& v, const VariantOutcome& o, const ReportContext& ctx, const AuditLines& audit,
                      ojson& vj, bool& pass) {
  struct stat st {};
  if (failed_at_or_before(o, Step::provenance) || ::stat(v.provenance_path().c_str(), &st) != 0) {
    vj["provenance"] = nullptr;
    pass = false;
    return ok_status();
  }
  FWSEAL_ASSIGN(std::string bytes, read_file(v.provenance_path(), kMaxProvenanceBytes));
  const std::string file = rel(v, v.package_name + std::string(kProvenanceSuffix));
  const ojson manifest = vj["package"].is_object() ? vj["package"]["manifest_sha256"] : ojson(nullptr);
  ojson check = verify_provenance_file(bytes, file, manifest, ctx, audit);
  if (check["result"] != "pass") pass = false;
  vj["provenance"] = {{"file", file}, {"sha256", sha256_hex(bytes)}, {"key_id", ctx.provenance_key_id}, {"verification", check}};
  return ok_status();
}

// The rebuild and comparison: "reproducibility".
Status add_reproducibility(const VariantPlan& v, const VariantOutcome& o, ojson& vj, bool& pass) {
  if (!v.repro) {
    vj["reproducibility"] = {{"result", "skipped"}, {"message", "the check was turned off for this run"}};
    return ok_status();
  }
  FWSEAL_ASSIGN(auto repro, read_json_if_present(v.repro_path()));
  const bool failed_here = o.failure && o.failure->step == Step::repro;
  if (repro && (!o.failure || failed_here)) {
    vj["reproducibility"] = *repro;
    if ((*repro)["result"] != "pass") pass = false;
  } else if (failed_here) {
    vj["reproducibility"] = {{"result", "fail"}, {"message", o.failure->message}};
    pass = false;
  } else {
    vj["reproducibility"] = {{"result", "not-run"}, {"message", "an earlier step failed"}};
    pass = false;
  }
  return ok_status();
}

// The SBOM against the release's licence policy: "licences" (null without
// one). Its members are those of `fwseal sbom check --json`, with "result",
// "policy" and "message".
Status add_licences(const VariantPlan& v, const VariantOutcome& o, ojson& vj, bool& pass) {
  if (v.licence_policy.empty()) {
    vj["licences"] = nullptr;
    return ok_status();
  }
  ojson lj = {{"result", "not-run"}, {"policy", v.licence_policy}, {"message", "an earlier step failed"}};
  const bool failed_here = o.failure && o.failure->step == Step::licences;
  if (!(o.failure && o.failure->step < Step::licences)) {
    FWSEAL_ASSIGN(auto check, read_json_if_present(v.licences_path()));
    if (check && (*check)["verdict"].is_string()) {
      const ojson& c = *check;
      const bool passed = c["verdict"] == "pass";
      lj["result"] = passed ? "pass" : "fail";
      const ojson& s = c["summary"];
      lj["message"] = failed_here ? ojson(o.failure->message)
                                  : ojson(s["components"].dump() + " components allowed; " + s["source_offer"].dump() +
                                          " need a source offer");
      for (const auto& [k, val] : c.items())  // the check's findings, not its document envelope
        if (k != "verdict" && k != "format" && k != "format_version" && k != "code" && k != "exit_code") lj[k] = val;
    } else if (failed_here) {
      lj["result"] = "fail";
      lj["message"] = o.failure->message;
    }
  }
  if (lj["result"] != "pass") pass = false;
  vj["licences"] = lj;
  return ok_status();
}

// One variant's section; `pass` is its verdict.
Result<ojson> variant_report(const VariantPlan& v, const VariantOutcome& o, const ReportContext& ctx,
                             const AuditLines& audit, bool& pass) {
  ojson vj;
  vj["name"] = v.name.empty() ? ojson(nullptr) : ojson(v.name);
  vj["hardware"] = v.hardware;
  pass = !o.failure.has_value();
  vj["failed_step"] = nullptr;
  if (o.failure)
    vj["failed_step"] = {{"step", step_name(o.failure->step)},
                         {"exit_code", o.failure->exit_code},
                         {"message", o.failure->message}};
  FWSEAL_TRY(add_verification(v, o, audit, vj, pass));
  FWSEAL_TRY(add_sbom(v, o, vj));
  FWSEAL_TRY(add_licences(v, o, vj, pass));
  FWSEAL_TRY(add_provenance(v, o, ctx, audit, vj, pass));
  FWSEAL_TRY(add_reproducibility(v, o, vj, pass));
  // The files of this variant that a passing run publishes, relative to
  // the output directory (where report.html is).
  ojson files = ojson::array();
  if (vj["package"].is_object()) files.push_back({{"role", "package"}, {"file", vj["package"]["file"]}});
  if (vj["sbom"].is_object()) files.push_back({{"role", "sbom"}, {"file", vj["sbom"]["file"]}});
  if (vj["provenance"].is_object()) files.push_back({{"role", "provenance"}, {"file", vj["provenance"]["file"]}});
  vj["files"] = files;
  vj["verdict"] = pass ? "pass" : "fail";
  return vj;
}

ojson signing_keys(const ReportContext& ctx, const std::string& release_dir) {
  ojson keys = ojson::array();
  for (const auto& k : ctx.keys)
    keys.push_back({{"uri", k.uri},
                    {"key_id", k.key_id},
                    {"algorithm", k.algorithm},
                    {"certificate_chain",
                     k.certificate_chain.empty() ? ojson(nullptr) : ojson(report_path(k.certificate_chain, release_dir))}});
  return keys;
}

// When the release was built (R11's `created`, and where it came from) and
// who built it (the builder id of the verified provenance).
ojson build_json(std::int64_t created, const ReportContext& ctx, const ojson& variants) {
  const std::string source = created == 0 ? "none" : ctx.created_source;
  std::string text = describe_created(created);
  if (created != 0)
    text += source == "release" ? " (the release file's created)"
            : source == "SOURCE_DATE_EPOCH" ? " (SOURCE_DATE_EPOCH)" : "";
  ojson builder = nullptr;
  for (const auto& v : variants)
    if (v["provenance"].is_object() && v["provenance"]["verification"]["builder_id"].is_string()) {
      builder = v["provenance"]["verification"]["builder_id"];
      break;
    }
  return {{"time", created == 0 ? ojson(nullptr) : ojson(describe_created(created))},
          {"time_source", source},
          {"time_text", text},
          {"builder_id", builder},
          {"builder_source", builder.is_null() ? ojson(nullptr) : ojson("verified provenance")}};
}

}  // namespace

Result<ojson> build_report(const ReleasePlan& plan, const std::vector<VariantOutcome>& outcomes,
                           const ReportContext& ctx) {
  ojson variants = ojson::array();
  const AuditLines audit = read_audit_lines(context_audit_log(ctx));
  bool all_pass = true;
  std::string first_failure;
  for (std::size_t i = 0; i < plan.variants.size(); ++i) {
    const VariantPlan& v = plan.variants[i];
    const VariantOutcome& o = outcomes.at(i);
    if (o.failure && first_failure.empty())
      first_failure = v.label + ": " + std::string(step_name(o.failure->step)) + ": " + o.failure->message;
    bool pass = true;
    FWSEAL_ASSIGN(ojson vj, variant_report(v, o, ctx, audit, pass));
    if (!o.failure && first_failure.empty() && vj["provenance"].is_object() &&
        vj["provenance"]["verification"]["result"] != "pass")
      first_failure = v.label + ": provenance: " + vj["provenance"]["verification"]["message"].get<std::string>();
    all_pass = all_pass && pass;
    variants.push_back(std::move(vj));
  }
  const VariantPlan& first = plan.variants.front();
  const std::string passed = "every package was built, " +
                             std::string(first.licence_policy.empty() ? "" : "passed its licence policy, ") +
                             "signed, verified by fwseal-verify" + std::string(first.repro ? " and rebuilt identically" : "");
  const std::string release_dir = std::filesystem::path(plan.release_file).parent_path().string();
  ojson report{{"format", "fwseal-release-report"},
               {"format_version", 1},
               {"release", plan.release_name},
               {"release_file", report_path(plan.release_file, release_dir)},
               {"product", first.product},
               {"version", first.version},
               {"security_version", std::to_string(first.security_version)},
               {"created", describe_created(first.created)},
               {"build", build_json(first.created, ctx, variants)},
               {"generated_by", ctx.tool_version},
               {"verdict", all_pass ? "pass" : "fail"},
               {"message", all_pass ? passed : first_failure.empty() ? "a check failed" : first_failure},
               {"signing_keys", signing_keys(ctx, release_dir)},
               {"trust", ctx.trust ? trust_json(*ctx.trust) : ojson(nullptr)},
               {"provenance", {{"key_uri", ctx.provenance_key_uri}, {"key_id", ctx.provenance_key_id}}},
               {"audit_log", {{"status", audit.status}, {"signed_lines_matched", nullptr}}},
               {"files", ojson::array({{{"role", "trust"}, {"file", "trust.json"}}, {{"role", "report"}, {"file", "report.json"}}})},
               {"variants", variants}};
  if (!all_pass) {
    // Nothing is published: the report stays in the work tree, and its file
    // names lead to the variants' files there, beside it.
    for (std::size_t i = 0; i < plan.variants.size(); ++i) {
      const std::string dir = std::filesystem::path(plan.variants[i].work_dir).lexically_relative(plan.work_dir).string();
      auto in_work_tree = [&](ojson& file) {
        if (file.is_string()) file = dir + "/" + std::filesystem::path(file.get<std::string>()).filename().string();
      };
      ojson& vj = report["variants"][i];
      for (const char* part : {"package", "sbom", "provenance"})
        if (vj[part].is_object()) in_work_tree(vj[part]["file"]);
      for (auto& f : vj["files"]) in_work_tree(f["file"]);
    }
  }
  std::uint64_t matched = 0;
  for (const auto& v : report["variants"]) {
    for (const auto& s : v["signatures"]) matched += s["audit"].is_object();
    if (v["provenance"].is_object()) matched += v["provenance"]["verification"]["audit"].is_object();
  }
  report["audit_log"]["signed_lines_matched"] = matched;
  // No absolute path of the build machine in the report (docs/PIPELINE.md).
  scrub_paths(report, {plan.out_dir, release_dir});
  return report;
}

}  // namespace fwseal::pipeline
