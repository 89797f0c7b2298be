#include "fwseal/pipeline/plan.h"

#include <set>

#include "fwseal/format/canonical_json.h"
#include "fwseal/format/manifest.h"
#include "fwseal/packager/spec.h"

namespace fwseal::pipeline {

namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr const char* kReserved[] = {"trust.json", "report.json", "report.html"};

std::string ninja_value(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}

std::string join_paths(const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& p : paths) out += " " + ninja_path(p);
  return out;
}

// `cmd` run with its stderr kept in the step's log; on failure the exit code
// goes to the step's .code file and `cleanup` files are removed.
// With `pipeline run`'s progress display (FWSEAL_PROGRESS_FD set), the step
// says that it started, and the fwseal command in it reports its bytes under
// the step's name (base/progress.h); without it nothing is written.
std::string wrapped(const VariantPlan& v, Step s, const std::string& cmd, const std::vector<std::string>& cleanup = {}) {
  std::string rm;
  for (const auto& f : cleanup) rm += " " + shell_quote(f);
  const std::string label = shell_quote(std::string(step_name(s)) + " " + v.label);
  return "{ [ -z \"${FWSEAL_PROGRESS_FD-}\" ] || printf 'step %s 0\\n' " + label +
         " > \"/dev/fd/$FWSEAL_PROGRESS_FD\"; } 2> /dev/null; ( export FWSEAL_PROGRESS_STEP=" + label + "; " + cmd +
         " ) 2> " + shell_quote(v.log_path(s)) + " || { rc=$?; " + (rm.empty() ? "" : "rm -f" + rm + "; ") +
         "echo $rc > " + shell_quote(v.code_path(s)) + "; exit $rc; }";
}

void edge(std::string& out, const std::vector<std::string>& outputs, const std::vector<std::string>& inputs,
          const std::string& cmd, const std::string& desc, const char* pool = nullptr) {
  out += "build" + join_paths(outputs) + ": step" + join_paths(inputs) + "\n";
  out += "  cmd = " + ninja_value(cmd) + "\n";
  out += "  desc = " + ninja_value(desc) + "\n";
  if (pool) out += "  pool = " + std::string(pool) + "\n";
}

std::vector<std::string> image_paths(const VariantPlan& v) {
  std::vector<std::string> out;
  for (const auto& img : v.images) out.push_back(img.path);
  return out;
}

std::string argv_to_shell(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + shell_quote(a);
  return out;
}

}  // namespace

std::string_view step_name(Step s) {
  switch (s) {
    case Step::package: return "package";
    case Step::licences: return "licences";
    case Step::sign: return "sign";
    case Step::verify: return "verify";
    case Step::provenance: return "provenance";
    case Step::repro: return "repro";
  }
  return "?";
}

std::string VariantPlan::components_copy(std::size_t k) const {
  std::string path = components_files.at(k);
  auto slash = path.rfind('/');
  return "components/" + std::to_string(k) + "-" + (slash == std::string::npos ? path : path.substr(slash + 1));
}

std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string ninja_path(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '$' || c == ' ' || c == ':') out += '$';
    out += c;
  }
  return out;
}

Result<ReleasePlan> make_plan(const Release& r, const std::string& out_dir, std::int64_t created, const Tools& tools,
                              bool repro) {
  ReleasePlan p;
  p.release_file = r.file;
  p.release_name = r.name;
  p.out_dir = out_dir;
  p.work_dir = out_dir + "/.fwseal";
  p.tools = tools;
  p.module = r.module;
  p.keys = r.keys;
  p.provenance_key = r.provenance_key;
  p.verify_with_variant_hardware = r.trust.hardware.empty();
  for (std::size_t i = 0; i < r.variants.size(); ++i) {
    const Variant& rv = r.variants[i];
    for (const char* reserved : kReserved)
      if (rv.name == reserved)
        return make_error(Code::malformed, "release.variants[" + std::to_string(i) + "].name: \"" + rv.name +
                                               "\" is the name of a release output file; choose another");
    VariantPlan v;
    v.name = rv.name;
    v.label = rv.name.empty() ? r.name : rv.name;
    v.work_dir = p.work_dir + "/v/" + (rv.name.empty() ? std::string("release") : rv.name);
    v.publish_dir = rv.name.empty() ? out_dir : out_dir + "/" + rv.name;
    v.package_name = (rv.name.empty() ? r.name : r.name + "-" + rv.name) + ".fwpkg";
    v.product = r.product;
    v.version = r.version;
    v.supplier = r.supplier;
    v.security_version = r.security_version;
    v.created = created;
    v.hardware = rv.hardware;
    v.images = rv.images;
    v.components_files = rv.components_files;
    v.inline_components = rv.components;
    if (!v.inline_components.empty()) v.components_files.push_back(v.inline_components_path());
    v.repro = repro;
    v.rebuild_images = r.reproducibility.rebuild_images;
    v.sbom_sha512 = r.sbom_sha512;
    v.sbom_parties = r.sbom_parties;
    v.release_dir = r.base_dir;
    v.licence_policy = r.licence_policy;
    for (const auto& img : v.images)
      if (img.encryption) v.encryption = r.encryption;
    if (v.encryption) v.module = r.module;
    p.variants.push_back(std::move(v));
  }
  return p;
}

namespace {

// An image as a spec and variant.json write it, with its encryption if any.
ojson image_json(const ReleaseImage& img, const std::string& path) {
  ojson j = {{"name", img.name}, {"type", img.type}, {"path", path}};
  if (img.encryption)
    j["encryption"] = {{"recipients", img.encryption->recipients}, {"chunk_size", img.encryption->chunk_size}};
  return j;
}

}  // namespace

std::vector<std::string> encryption_args(const VariantPlan& v) {
  if (!v.encryption) return {};
  if (!v.encryption->secret.empty()) return {"--encryption-secret", v.encryption->secret};
  std::vector<std::string> args{"--encryption-key", v.encryption->key};
  if (!v.module.empty()) {
    args.push_back("--module");
    args.push_back(v.module);
  }
  return args;
}

std::string package_spec(const VariantPlan& v, const std::vector<std::string>& image_paths,
                         const std::vector<std::string>& components_files) {
  ojson images = ojson::array();
  for (std::size_t i = 0; i < v.images.size(); ++i) images.push_back(image_json(v.images[i], image_paths[i]));
  ojson sbom = {{"components", components_files}, {"sha512", v.sbom_sha512}};
  if (!v.supplier.empty()) sbom["supplier"] = v.supplier;
  for (const auto& [key, value] : v.sbom_parties.items()) sbom[key] = value;
  ojson spec = {{"product", v.product},
                {"version", v.version},
                {"security_version", std::to_string(v.security_version)},
                {"hardware", v.hardware},
                {"created", v.created},
                {"images", images},
                {"sbom", sbom}};
  return "// Generated by fwseal pipeline run; do not edit.\n" + spec.dump(2) + "\n";
}

std::string variant_json(const VariantPlan& v) {
  ojson images = ojson::array();
  for (const auto& img : v.images) images.push_back(image_json(img, img.path));
  ojson encryption = nullptr;
  if (v.encryption)
    encryption = v.encryption->secret.empty() ? ojson{{"key", v.encryption->key}, {"module", v.module}}
                                              : ojson{{"secret", v.encryption->secret}};
  ojson j = {{"format", "fwseal-pipeline-variant"},
             {"name", v.name},
             {"label", v.label},
             {"package_name", v.package_name},
             {"product", v.product},
             {"version", v.version},
             {"supplier", v.supplier},
             {"security_version", std::to_string(v.security_version)},
             {"created", v.created},
             {"hardware", v.hardware},
             {"images", images},
             {"components_files", v.components_files},
             {"repro", v.repro},
             {"rebuild_images", v.rebuild_images},
             {"sbom_sha512", v.sbom_sha512},
             {"sbom_parties", v.sbom_parties},
             {"release_dir", v.release_dir},
             {"encryption", encryption}};
  return j.dump(2) + "\n";
}

Result<VariantPlan> parse_variant_json(std::string_view text, std::string_view what) {
  FWSEAL_ASSIGN(json j, parse_json_strict(text, what));
  const std::string w(what);
  FWSEAL_TRY(check_members(j, {"format", "name", "label", "package_name", "product", "version", "supplier",
                               "security_version", "created", "hardware", "images", "components_files", "repro",
                               "rebuild_images", "sbom_sha512", "sbom_parties", "release_dir", "encryption"},
                           w));
  FWSEAL_ASSIGN(std::string format, get_string(j, "format", w));
  if (format != "fwseal-pipeline-variant") return make_error(Code::malformed, w + ": not a variant.json of fwseal pipeline");
  VariantPlan v;
  FWSEAL_ASSIGN(v.name, get_string(j, "name", w));
  FWSEAL_ASSIGN(v.label, get_string(j, "label", w));
  FWSEAL_ASSIGN(v.package_name, get_string(j, "package_name", w));
  FWSEAL_ASSIGN(v.product, get_string(j, "product", w));
  FWSEAL_ASSIGN(v.version, get_string(j, "version", w));
  FWSEAL_ASSIGN(v.supplier, get_string(j, "supplier", w));
  FWSEAL_ASSIGN(std::string sv, get_string(j, "security_version", w));
  FWSEAL_ASSIGN(v.security_version, parse_security_version(sv, member_path(w, "security_version")));
  FWSEAL_ASSIGN(std::uint64_t created, get_uint(j, "created", w));
  v.created = static_cast<std::int64_t>(created);
  FWSEAL_ASSIGN(const json* hw, get_array(j, "hardware", w, kMaxHardwareIds));
  for (const auto& h : *hw) {
    if (!h.is_string()) return make_error(Code::malformed, member_path(w, "hardware") + ": expected strings");
    v.hardware.push_back(h.get<std::string>());
  }
  FWSEAL_ASSIGN(const json* images, get_array(j, "images", w, kMaxImages));
  for (std::size_t i = 0; i < images->size(); ++i) {
    const std::string at = index_path(member_path(w, "images"), i);
    FWSEAL_TRY(check_members((*images)[i], {"name", "type", "path", "encryption"}, at));
    ReleaseImage img;
    FWSEAL_ASSIGN(img.name, get_string((*images)[i], "name", at));
    FWSEAL_ASSIGN(img.type, get_string((*images)[i], "type", at));
    FWSEAL_ASSIGN(img.path, get_string((*images)[i], "path", at));
    if (has_member((*images)[i], "encryption")) {
      // The recipients' paths are absolute: the base directory is never used.
      FWSEAL_ASSIGN(img.encryption, packager::parse_image_encryption((*images)[i]["encryption"],
                                                                     member_path(at, "encryption"), "/"));
    }
    v.images.push_back(std::move(img));
  }
  FWSEAL_ASSIGN(const json* comps, get_array(j, "components_files", w, 100000));
  for (const auto& c : *comps) {
    if (!c.is_string()) return make_error(Code::malformed, member_path(w, "components_files") + ": expected strings");
    v.components_files.push_back(c.get<std::string>());
  }
  FWSEAL_ASSIGN(v.repro, get_bool(j, "repro", w));
  FWSEAL_ASSIGN(v.rebuild_images, get_string(j, "rebuild_images", w));
  FWSEAL_ASSIGN(v.sbom_sha512, get_bool(j, "sbom_sha512", w));
  if (has_member(j, "sbom_parties")) {
    const std::string at = member_path(w, "sbom_parties");
    FWSEAL_TRY(check_members(j["sbom_parties"], {"manufacturer", "authors"}, at));
    packager::SbomGeneration parties;
    FWSEAL_TRY(packager::parse_sbom_parties(j["sbom_parties"], at, parties));
    v.sbom_parties = j["sbom_parties"];
  }
  FWSEAL_ASSIGN(v.release_dir, get_string(j, "release_dir", w));
  if (has_member(j, "encryption") && !j["encryption"].is_null()) {
    const std::string at = member_path(w, "encryption");
    const json& e = j["encryption"];
    FWSEAL_TRY(check_members(e, {"key", "module", "secret"}, at));
    EncryptionSecretSpec spec;
    if (has_member(e, "secret")) {
      FWSEAL_ASSIGN(spec.secret, get_string(e, "secret", at));
    } else {
      FWSEAL_ASSIGN(spec.key, get_string(e, "key", at));
      FWSEAL_ASSIGN(v.module, get_string(e, "module", at));
    }
    if (spec.secret.empty() == spec.key.empty())
      return make_error(Code::malformed, at + ": expected {\"key\", \"module\"} or {\"secret\"}");
    v.encryption = std::move(spec);
  }
  return v;
}

namespace {

// The package and its SBOM: one read of each image scans it for the SBOM, one
// more copies and hashes it (the SBOM gets those digests). A stamp is the
// edge's output: the sign edge moves the package on, so that signing never
// copies the images. A failure removes the stamp and the SBOM.
void package_edge(std::string& out, const ReleasePlan& plan, const VariantPlan& v) {
  std::vector<std::string> package{plan.tools.fwseal, "package", "--quiet", "--force", "--spec", v.spec_path(), "-o",
                                   v.unsigned_path(), "--sbom-out", v.sbom_path()};
  for (auto& a : encryption_args(v)) package.push_back(std::move(a));
  const std::string cmd = argv_to_shell(package) + " && : > " + shell_quote(v.unsigned_stamp());
  std::vector<std::string> inputs = image_paths(v);
  inputs.push_back(v.spec_path());
  for (const auto& img : v.images)
    if (img.encryption) inputs.insert(inputs.end(), img.encryption->recipients.begin(), img.encryption->recipients.end());
  if (v.encryption && !v.encryption->secret.empty()) inputs.push_back(v.encryption->secret);
  for (std::size_t k = 0; k < v.components_files.size(); ++k) inputs.push_back(v.file(v.components_copy(k)));
  edge(out, {v.unsigned_stamp(), v.sbom_path()}, inputs,
       wrapped(v, Step::package, cmd, {v.unsigned_stamp(), v.sbom_path()}), "package " + v.label);
}

// The SBOM against the licence policy: its report (fwseal sbom check --json)
// kept when the check ran, passed or not; any other failure leaves none.
void licences_edge(std::string& out, const ReleasePlan& plan, const VariantPlan& v) {
  const std::string tmp = v.licences_path() + ".tmp";
  const std::string cmd =
      argv_to_shell({plan.tools.fwseal, "sbom", "check", "--policy", v.licence_policy, v.sbom_path(), "--json"}) + " > " +
      shell_quote(tmp) + "; rc=$?; if [ $rc -eq 0 ] || [ $rc -eq " + std::to_string(exit_code(Code::gate)) +
      " ]; then mv -f " + shell_quote(tmp) + " " + shell_quote(v.licences_path()) + "; else rm -f " + shell_quote(tmp) +
      " " + shell_quote(v.licences_path()) + "; fi; exit $rc";  // in the wrapper's subshell
  edge(out, {v.licences_path()}, {v.sbom_path(), v.licence_policy}, wrapped(v, Step::licences, cmd),
       "licences " + v.label);
}

// Signatures go into a temporary file that is renamed into place only when
// every key has signed: a package at its final path is complete. If signing
// fails, the stamp goes too, so the next run packages again.
//
// A sign edge that runs again while its package is up to date (a key, a
// certificate or the licence check changed) finds the unsigned package
// moved on by its last run: it packages again first, from the same spec
// (the same bytes), without rewriting the SBOM other edges depend on.
void sign_edge(std::string& out, const ReleasePlan& plan, const VariantPlan& v) {
  const std::string tmp = v.file("." + v.package_name + ".signing");
  std::vector<std::string> package{plan.tools.fwseal, "package", "--quiet", "--force", "--spec", v.spec_path(), "-o",
                                   v.unsigned_path()};
  for (auto& a : encryption_args(v)) package.push_back(std::move(a));
  std::string cmd = "{ [ -e " + shell_quote(v.unsigned_path()) + " ] || " + argv_to_shell(package) +
                    "; } && mv -f " + shell_quote(v.unsigned_path()) + " " + shell_quote(tmp);
  std::vector<std::string> inputs{v.unsigned_stamp(), plan.keys_path()};
  if (!v.licence_policy.empty()) inputs.push_back(v.licences_path());  // nothing is signed before the policy passed
  for (const auto& k : plan.keys) {
    std::vector<std::string> sign{plan.tools.fwseal, "sign", tmp, "--quiet", "--key", k.uri};
    if (!k.certificate_chain.empty()) {
      sign.push_back("--cert");
      sign.push_back(k.certificate_chain);
      inputs.push_back(k.certificate_chain);
    }
    if (!plan.module.empty()) {
      sign.push_back("--module");
      sign.push_back(plan.module);
    }
    cmd += " && " + argv_to_shell(sign);
  }
  cmd += " && mv -f " + shell_quote(tmp) + " " + shell_quote(v.package_path());
  edge(out, {v.package_path()}, inputs, wrapped(v, Step::sign, cmd, {tmp, v.unsigned_stamp()}), "sign " + v.label,
       "hsm");
}

// The standalone verifier's decision, recorded even when it refuses.
void verify_edge(std::string& out, const ReleasePlan& plan, const VariantPlan& v) {
  std::vector<std::string> verify{plan.tools.verify, v.package_path(), "--trust", plan.trust_path(), "--json"};
  if (plan.verify_with_variant_hardware)
    for (const auto& h : v.hardware) {
      verify.push_back("--hw");
      verify.push_back(h);
    }
  const std::string tmp = v.verify_path() + ".tmp";
  const std::string cmd = argv_to_shell(verify) + " > " + shell_quote(tmp) + "; rc=$?; mv -f " + shell_quote(tmp) +
                          " " + shell_quote(v.verify_path()) + "; exit $rc";  // in the wrapper's subshell
  edge(out, {v.verify_path()}, {v.package_path(), plan.trust_path()}, wrapped(v, Step::verify, cmd),
       "verify " + v.label);
}

// Provenance for the verified package, signed in the HSM like the package.
void provenance_edge(std::string& out, const ReleasePlan& plan, const VariantPlan& v) {
  std::vector<std::string> prov{plan.tools.fwseal, "pipeline", "provenance", v.package_path(), "--variant",
                                v.variant_path(),  "--release", plan.release_file,  "--key", plan.provenance_key,
                                "-o",               v.provenance_path(), "--quiet"};
  if (!plan.module.empty()) {
    prov.push_back("--module");
    prov.push_back(plan.module);
  }
  edge(out, {v.provenance_path()}, {v.package_path(), v.verify_path(), v.variant_path(), plan.release_file, plan.keys_path()},
       wrapped(v, Step::provenance, argv_to_shell(prov)), "provenance " + v.label, "hsm");
}

// The rebuild in another environment and the byte comparison.
void repro_edge(std::string& out, const ReleasePlan& plan, const VariantPlan& v) {
  std::vector<std::string> repro{plan.tools.fwseal, "pipeline", "repro",       v.package_path(),
                                 "--variant",       v.variant_path(), "-o", v.repro_path(), "--quiet"};
  std::vector<std::string> inputs{v.package_path(), v.variant_path(), v.verify_path()};
  for (const auto& image : image_paths(v)) inputs.push_back(image);
  edge(out, {v.repro_path()}, inputs, wrapped(v, Step::repro, argv_to_shell(repro)), "repro " + v.label);
}

}  // namespace

std::string build_ninja(const ReleasePlan& plan) {
  std::string out;
  out += "# Generated by fwseal pipeline run from " + plan.release_file + "; do not edit.\n";
  out += "# Each variant: package (with its SBOM) -> licences (with a licence policy) -> sign -> verify (fwseal-verify)\n";
  out += "# -> provenance, repro.\n";
  out += "ninja_required_version = 1.10\n";
  out += "builddir = " + ninja_path(plan.work_dir) + "\n\n";
  out += "rule step\n  command = $cmd\n  description = $desc\n\n";
  out += "# One signing job at a time: SoftHSM2's file store is not safe for concurrent logins.\n";
  out += "pool hsm\n  depth = 1\n\n";
  for (const auto& v : plan.variants) {
    out += "# " + (v.name.empty() ? "release " + plan.release_name : "variant " + v.name) + "\n";
    package_edge(out, plan, v);
    if (!v.licence_policy.empty()) licences_edge(out, plan, v);
    sign_edge(out, plan, v);
    verify_edge(out, plan, v);
    provenance_edge(out, plan, v);
    if (v.repro) repro_edge(out, plan, v);
    out += "\n";
  }
  return out;
}

}  // namespace fwseal::pipeline
