// The in-toto statement with its SLSA provenance v1 predicate: the one
// definition of its bytes (serialize_statement) and of what a reader accepts
// (parse_statement). docs/AUDIT.md "Provenance" shows the same layout.
#include "fwseal/format/provenance.h"

#include <fcntl.h>
#include <unistd.h>

#include <ctime>

#include "fwseal/format/canonical_json.h"
#include "fwseal/base/file.h"
#include "fwseal/format/manifest.h"

namespace fwseal {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxNameBytes = 1024;

Error bad(const std::string& where, const std::string& why) { return make_error(Code::malformed, where + ": " + why); }


// A name in the statement (file name, subject, invocation id): 1..1024 bytes
// of UTF-8 without control characters.
Status check_name(std::string_view s, const std::string& where) {
  if (s.empty() || s.size() > kMaxNameBytes) return bad(where, "must be 1 to 1024 bytes");
  if (!valid_utf8(s)) return bad(where, "is not valid UTF-8");
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return bad(where, "contains a control character");
  }
  return ok_status();
}

// fwseal's version as it appears in builder.id: 1..64 of [0-9A-Za-z.+-].
Status check_version(std::string_view s, const std::string& where) {
  if (s.empty() || s.size() > 64) return bad(where, "must be 1 to 64 characters");
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '+' ||
          c == '-'))
      return bad(where, "has a character other than 0-9 A-Z a-z . + -");
  return ok_status();
}

bool known_role(std::string_view r) {
  return r == "spec" || r == "release" || r == "image" || r == "sbom" || r == "components";
}

Status check_provenance(const Provenance& p) {
  FWSEAL_TRY(check_name(p.subject_name, "statement.subject[0].name"));
  if (p.parameters_kind != "spec" && p.parameters_kind != "release")
    return bad("statement.predicate.buildDefinition.externalParameters",
               "the parameters file is a \"spec\" or a \"release\", not \"" + p.parameters_kind + "\"");
  FWSEAL_TRY(check_name(p.parameters_name, "externalParameters." + p.parameters_kind + ".name"));
  if (p.materials.empty() || p.materials.size() > kMaxProvenanceMaterials)
    return bad("statement.predicate.buildDefinition.resolvedDependencies", "must list 1 to 1024 inputs");
  for (std::size_t i = 0; i < p.materials.size(); ++i) {
    const auto& m = p.materials[i];
    std::string w = index_path("resolvedDependencies", i);
    if (!known_role(m.role)) return bad(w, "unknown role \"" + m.role + "\" (spec, release, image, sbom, components)");
    FWSEAL_TRY(check_name(m.name, w + ".name"));
    if (m.role == "image") {
      FWSEAL_TRY(check_image_name(m.image, w + ".annotations.fwseal.image"));
    } else if (!m.image.empty()) {
      return bad(w, "only images have an image name");
    }
  }
  FWSEAL_TRY(check_version(p.builder_version, "runDetails.builder.version.fwseal"));
  FWSEAL_TRY(check_name(p.invocation_id, "runDetails.metadata.invocationId"));
  for (auto t : {p.started_on, p.finished_on})
    if (t < 0 || t > kMaxRfc3339Time) return bad("runDetails.metadata", "time out of range (1970 to 9999)");
  if (p.started_on > p.finished_on) return bad("runDetails.metadata", "startedOn is after finishedOn");
  return ok_status();
}

json digest_set(const Sha256& d) { return json{{"sha256", to_hex(d)}}; }

// {"sha256": "<64 hex>"} and nothing else.
Result<Sha256> get_digest_set(const json& parent, std::string_view key, const std::string& where) {
  std::string w = member_path(where, key);
  if (!has_member(parent, key)) return bad(w, "missing");
  const json& d = parent.at(std::string(key));
  FWSEAL_TRY(check_members(d, {"sha256"}, w));
  FWSEAL_ASSIGN(std::string hex, get_string(d, "sha256", w));
  return sha256_from_hex(hex, w + ".sha256");
}

Result<const json*> get_object(const json& parent, std::string_view key, const std::string& where) {
  std::string w = member_path(where, key);
  if (!has_member(parent, key)) return bad(w, "missing");
  const json& v = parent.at(std::string(key));
  if (!v.is_object()) return bad(w, "expected a JSON object");
  return &v;
}

Status expect_string(const json& parent, std::string_view key, std::string_view value, const std::string& where) {
  FWSEAL_ASSIGN(std::string s, get_string(parent, key, where));
  if (s != value)
    return bad(member_path(where, key), "is \"" + s + "\"; fwseal reads only \"" + std::string(value) + "\"");
  return ok_status();
}

Result<ProvenanceMaterial> parse_material(const json& item, const std::string& w) {
  FWSEAL_TRY(check_members(item, {"name", "digest", "annotations"}, w));
  ProvenanceMaterial m;
  FWSEAL_ASSIGN(m.name, get_string(item, "name", w));
  FWSEAL_ASSIGN(m.sha256, get_digest_set(item, "digest", w));
  FWSEAL_ASSIGN(const json* ann, get_object(item, "annotations", w));
  std::string aw = w + ".annotations";
  FWSEAL_TRY(check_members(*ann, {"fwseal.role", "fwseal.image"}, aw));
  FWSEAL_ASSIGN(m.role, get_string(*ann, "fwseal.role", aw));
  if (has_member(*ann, "fwseal.image")) {
    FWSEAL_ASSIGN(m.image, get_string(*ann, "fwseal.image", aw));
    if (m.image.empty()) return bad(aw + ".fwseal.image", "empty");
  }
  if (m.role == "image" && m.image.empty()) return bad(aw + ".fwseal.image", "missing for an image");
  return m;
}

Result<Provenance> parse_statement_json(const json& j, const std::string& w) {
  Provenance p;
  FWSEAL_TRY(check_members(j, {"_type", "subject", "predicateType", "predicate"}, w));
  FWSEAL_TRY(expect_string(j, "_type", kInTotoStatementType, w));
  FWSEAL_TRY(expect_string(j, "predicateType", kSlsaProvenanceType, w));

  FWSEAL_ASSIGN(const json* subjects, get_array(j, "subject", w, 1));
  if (subjects->size() != 1) return bad(w + ".subject", "must name exactly one package");
  const json& s = (*subjects)[0];
  std::string sw = w + ".subject[0]";
  FWSEAL_TRY(check_members(s, {"name", "digest", "annotations"}, sw));
  FWSEAL_ASSIGN(p.subject_name, get_string(s, "name", sw));
  FWSEAL_ASSIGN(p.manifest_digest, get_digest_set(s, "digest", sw));
  FWSEAL_ASSIGN(const json* sann, get_object(s, "annotations", sw));
  FWSEAL_TRY(check_members(*sann, {"fwseal.digest"}, sw + ".annotations"));
  FWSEAL_TRY(expect_string(*sann, "fwseal.digest", "manifest", sw + ".annotations"));

  FWSEAL_ASSIGN(const json* pred, get_object(j, "predicate", w));
  std::string pw = w + ".predicate";
  FWSEAL_TRY(check_members(*pred, {"buildDefinition", "runDetails"}, pw));
  FWSEAL_ASSIGN(const json* def, get_object(*pred, "buildDefinition", pw));
  std::string dw = pw + ".buildDefinition";
  FWSEAL_TRY(check_members(*def, {"buildType", "externalParameters", "resolvedDependencies"}, dw));
  FWSEAL_TRY(expect_string(*def, "buildType", kFwsealBuildType, dw));
  FWSEAL_ASSIGN(const json* ext, get_object(*def, "externalParameters", dw));
  std::string ew = dw + ".externalParameters";
  if (ext->size() != 1) return bad(ew, "must have exactly one member, \"spec\" or \"release\"");
  p.parameters_kind = ext->begin().key();
  FWSEAL_TRY(check_members(*ext, {"spec", "release"}, ew));
  const json& param = ext->begin().value();
  std::string kw = member_path(ew, p.parameters_kind);
  FWSEAL_TRY(check_members(param, {"name", "digest"}, kw));
  FWSEAL_ASSIGN(p.parameters_name, get_string(param, "name", kw));
  FWSEAL_ASSIGN(p.parameters_sha256, get_digest_set(param, "digest", kw));
  FWSEAL_ASSIGN(const json* deps, get_array(*def, "resolvedDependencies", dw, kMaxProvenanceMaterials));
  for (std::size_t i = 0; i < deps->size(); ++i) {
    FWSEAL_ASSIGN(ProvenanceMaterial m, parse_material((*deps)[i], index_path(dw + ".resolvedDependencies", i)));
    p.materials.push_back(std::move(m));
  }

  FWSEAL_ASSIGN(const json* run, get_object(*pred, "runDetails", pw));
  std::string rw = pw + ".runDetails";
  FWSEAL_TRY(check_members(*run, {"builder", "metadata"}, rw));
  FWSEAL_ASSIGN(const json* builder, get_object(*run, "builder", rw));
  std::string bw = rw + ".builder";
  FWSEAL_TRY(check_members(*builder, {"id", "version"}, bw));
  FWSEAL_ASSIGN(const json* bver, get_object(*builder, "version", bw));
  FWSEAL_TRY(check_members(*bver, {"fwseal"}, bw + ".version"));
  FWSEAL_ASSIGN(p.builder_version, get_string(*bver, "fwseal", bw + ".version"));
  FWSEAL_TRY(expect_string(*builder, "id", std::string(kFwsealBuilderIdPrefix) + p.builder_version, bw));
  FWSEAL_ASSIGN(const json* meta, get_object(*run, "metadata", rw));
  std::string mw = rw + ".metadata";
  FWSEAL_TRY(check_members(*meta, {"invocationId", "startedOn", "finishedOn"}, mw));
  FWSEAL_ASSIGN(p.invocation_id, get_string(*meta, "invocationId", mw));
  FWSEAL_ASSIGN(std::string started, get_string(*meta, "startedOn", mw));
  FWSEAL_ASSIGN(p.started_on, parse_rfc3339_utc(started, mw + ".startedOn"));
  FWSEAL_ASSIGN(std::string finished, get_string(*meta, "finishedOn", mw));
  FWSEAL_ASSIGN(p.finished_on, parse_rfc3339_utc(finished, mw + ".finishedOn"));
  return p;
}

}  // namespace

Result<std::string> serialize_statement(const Provenance& p) {
  FWSEAL_TRY(check_provenance(p));
  json deps = json::array();
  for (const auto& m : p.materials) {
    json ann{{"fwseal.role", m.role}};
    if (!m.image.empty()) ann["fwseal.image"] = m.image;
    deps.push_back({{"name", m.name}, {"digest", digest_set(m.sha256)}, {"annotations", std::move(ann)}});
  }
  json params{{p.parameters_kind, {{"name", p.parameters_name}, {"digest", digest_set(p.parameters_sha256)}}}};
  json statement{
      {"_type", kInTotoStatementType},
      {"subject", json::array({{{"name", p.subject_name},
                                {"digest", digest_set(p.manifest_digest)},
                                {"annotations", {{"fwseal.digest", "manifest"}}}}})},
      {"predicateType", kSlsaProvenanceType},
      {"predicate",
       {{"buildDefinition",
         {{"buildType", kFwsealBuildType}, {"externalParameters", std::move(params)}, {"resolvedDependencies", deps}}},
        {"runDetails",
         {{"builder",
           {{"id", std::string(kFwsealBuilderIdPrefix) + p.builder_version},
            {"version", {{"fwseal", p.builder_version}}}}},
          {"metadata",
           {{"invocationId", p.invocation_id},
            {"startedOn", rfc3339_utc(p.started_on)},
            {"finishedOn", rfc3339_utc(p.finished_on)}}}}}}}};
  return canonical_json(statement);
}

Result<Provenance> parse_statement(std::string_view bytes, std::string_view where) {
  std::string w = std::string(where) + ": statement";
  FWSEAL_ASSIGN(json j, parse_canonical_json(bytes, w, JsonLimits{kMaxProvenanceBytes, 8}));
  FWSEAL_ASSIGN(Provenance p, parse_statement_json(j, w));
  auto checked = check_provenance(p);
  if (!checked.ok()) return bad(w, checked.error().message);
  return p;
}

Result<Sha256> sha256_file(const std::string& path) {
  FWSEAL_ASSIGN(Fd fd, open_read(path));
  Hasher h = Hasher::sha256();
  std::string buf(1 << 16, '\0');
  for (;;) {
    FWSEAL_ASSIGN(std::size_t n, read_full(fd.get(), buf.data(), buf.size(), path));
    h.update(std::string_view(buf.data(), n));
    if (n < buf.size()) break;
  }
  std::string d = h.finish();
  Sha256 out{};
  std::copy(d.begin(), d.end(), out.begin());
  return out;
}

}  // namespace fwseal
