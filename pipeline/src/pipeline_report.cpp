#include <sys/stat.h>

#include <ctime>
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

bool failed_at_or_before(const VariantOutcome& o, Step step) { return o.failure && o.failure->step <= step; }

// The signatures as fwseal-verify reported them, with their certificates.
ojson signature_rows(const ojson& r) {
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
                    {"certificates", certs}});
  }
  return sigs;
}

// The package as the standalone verifier decided it: "package",
// "verification", "signatures", "images".
Status add_verification(const VariantPlan& v, const VariantOutcome& o, ojson& vj, bool& pass) {
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
  vj["signatures"] = signature_rows(r);
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
  vj["sbom"] = sj;
  return ok_status();
}

// The signed provenance statement, once the package verified: "provenance".
Status add_provenance(const VariantPlan& v, const VariantOutcome& o, const ReportContext& ctx, ojson& vj, bool& pass) {
  struct stat st {};
  if (failed_at_or_before(o, Step::provenance) || ::stat(v.provenance_path().c_str(), &st) != 0) {
    vj["provenance"] = nullptr;
    pass = false;
    return ok_status();
  }
  FWSEAL_ASSIGN(std::string bytes, read_file(v.provenance_path(), kMaxProvenanceBytes));
  vj["provenance"] = {{"file", rel(v, v.package_name + std::string(kProvenanceSuffix))},
                      {"sha256", sha256_hex(bytes)},
                      {"key_id", ctx.provenance_key_id}};
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
Result<ojson> variant_report(const VariantPlan& v, const VariantOutcome& o, const ReportContext& ctx, bool& pass) {
  ojson vj;
  vj["name"] = v.name.empty() ? ojson(nullptr) : ojson(v.name);
  vj["hardware"] = v.hardware;
  pass = !o.failure.has_value();
  vj["failed_step"] = nullptr;
  if (o.failure)
    vj["failed_step"] = {{"step", step_name(o.failure->step)},
                         {"exit_code", o.failure->exit_code},
                         {"message", o.failure->message}};
  FWSEAL_TRY(add_verification(v, o, vj, pass));
  FWSEAL_TRY(add_sbom(v, o, vj));
  FWSEAL_TRY(add_licences(v, o, vj, pass));
  FWSEAL_TRY(add_provenance(v, o, ctx, vj, pass));
  FWSEAL_TRY(add_reproducibility(v, o, vj, pass));
  vj["verdict"] = pass ? "pass" : "fail";
  return vj;
}

ojson signing_keys(const ReportContext& ctx) {
  ojson keys = ojson::array();
  for (const auto& k : ctx.keys)
    keys.push_back({{"uri", k.uri},
                    {"key_id", k.key_id},
                    {"algorithm", k.algorithm},
                    {"certificate_chain", k.certificate_chain.empty() ? ojson(nullptr) : ojson(k.certificate_chain)}});
  return keys;
}

}  // namespace

Result<ojson> build_report(const ReleasePlan& plan, const std::vector<VariantOutcome>& outcomes,
                           const ReportContext& ctx) {
  ojson variants = ojson::array();
  bool all_pass = true;
  std::string first_failure;
  for (std::size_t i = 0; i < plan.variants.size(); ++i) {
    const VariantPlan& v = plan.variants[i];
    const VariantOutcome& o = outcomes.at(i);
    if (o.failure && first_failure.empty())
      first_failure = v.label + ": " + std::string(step_name(o.failure->step)) + ": " + o.failure->message;
    bool pass = true;
    FWSEAL_ASSIGN(ojson vj, variant_report(v, o, ctx, pass));
    all_pass = all_pass && pass;
    variants.push_back(std::move(vj));
  }
  const VariantPlan& first = plan.variants.front();
  const std::string passed = "every package was built, " +
                             std::string(first.licence_policy.empty() ? "" : "passed its licence policy, ") +
                             "signed, verified by fwseal-verify" + std::string(first.repro ? " and rebuilt identically" : "");
  return ojson{{"format", "fwseal-release-report"},
               {"format_version", 1},
               {"release", plan.release_name},
               {"release_file", plan.release_file},
               {"product", first.product},
               {"version", first.version},
               {"security_version", std::to_string(first.security_version)},
               {"created", describe_created(first.created)},
               {"generated_by", ctx.tool_version},
               {"verdict", all_pass ? "pass" : "fail"},
               {"message", all_pass ? passed : first_failure.empty() ? "a check failed" : first_failure},
               {"signing_keys", signing_keys(ctx)},
               {"trust", ctx.trust ? trust_json(*ctx.trust) : ojson(nullptr)},
               {"provenance", {{"key_uri", ctx.provenance_key_uri}, {"key_id", ctx.provenance_key_id}}},
               {"variants", variants}};
}

}  // namespace fwseal::pipeline
