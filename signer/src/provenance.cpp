// Provenance for a package: the statement from the package's manifest and the
// build's input files, signed as a DSSE envelope with an audited key.
#include "fwseal/signer/provenance.h"

#include <filesystem>

#include "fwseal/base/file.h"
#include "fwseal/format/manifest.h"

namespace fwseal::signer {
namespace {

namespace fs = std::filesystem;

// `path` relative to `base`, both taken from the same working directory, so
// the name does not depend on where fwseal ran.
std::string relative_name(const std::string& path, const std::string& base) {
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec).lexically_normal();
  fs::path b = fs::absolute(base.empty() ? "." : base, ec).lexically_normal();
  fs::path rel = abs.lexically_relative(b);
  return rel.empty() ? abs.string() : rel.string();
}

std::string parent_dir(const std::string& path) {
  std::string d = fs::path(path).parent_path().string();
  return d.empty() ? "." : d;
}

Error mismatch(const std::string& what, const std::string& path, const Sha256& got, const Sha256& want) {
  return make_error(Code::digest, what + " (" + path + ") has SHA-256 " + to_hex(got) + " but the package's manifest says " +
                                      to_hex(want) + ": the package was not built from these inputs");
}

}  // namespace

Result<Provenance> build_provenance(const ProvenanceRequest& req) {
  if (req.parameters_kind != "spec" && req.parameters_kind != "release")
    return make_error(Code::usage, "provenance: the parameters file is a spec or a release file, not \"" +
                                       req.parameters_kind + "\"");
  if (req.builder_version.empty()) return make_error(Code::usage, "provenance: the builder version is missing");
  FWSEAL_ASSIGN(UnverifiedPackage head, read_unverified_package(req.package_path));
  const Manifest& m = head.manifest.content;
  const std::string base = req.base_dir ? *req.base_dir : parent_dir(req.parameters_path);

  Provenance p;
  p.subject_name = m.product + "-" + m.version + ".fwpkg";
  p.manifest_digest = manifest_digest(head.manifest.bytes);
  p.parameters_kind = req.parameters_kind;
  p.parameters_name = relative_name(req.parameters_path, base);
  FWSEAL_ASSIGN(p.parameters_sha256, sha256_file(req.parameters_path));
  p.materials.push_back({req.parameters_kind, p.parameters_name, "", p.parameters_sha256});

  std::size_t images = 0;
  bool sbom = false;
  for (const auto& in : req.inputs) {
    ProvenanceMaterial mat;
    mat.role = in.role;
    mat.name = relative_name(in.path, base);
    if (in.role == "image") {
      if (images >= m.images.size())
        return make_error(Code::usage, "provenance: more input images than the package's " +
                                           std::to_string(m.images.size()));
      const ImageInfo& img = m.images[images++];
      if (in.image != img.name)
        return make_error(Code::usage, "provenance: input image " + std::to_string(images) + " is \"" + in.image +
                                           "\" but the package's is \"" + img.name + "\"");
      // The input is the image as built: an encrypted image's plaintext.
      const Sha256& built = img.encryption ? img.encryption->plaintext_sha256 : img.sha256;
      if (req.digests_from_manifest) {
        mat.sha256 = built;
      } else {
        FWSEAL_ASSIGN(mat.sha256, sha256_file(in.path));
        if (mat.sha256 != built) return mismatch("image " + img.name, in.path, mat.sha256, built);
      }
      mat.image = in.image;
    } else if (in.role == "sbom") {
      if (sbom) return make_error(Code::usage, "provenance: more than one SBOM input");
      if (!m.sbom) return make_error(Code::usage, "provenance: an SBOM input, but the package holds no SBOM");
      sbom = true;
      if (req.digests_from_manifest) {
        mat.sha256 = m.sbom->sha256;
      } else {
        FWSEAL_ASSIGN(mat.sha256, sha256_file(in.path));
        if (mat.sha256 != m.sbom->sha256) return mismatch("the SBOM", in.path, mat.sha256, m.sbom->sha256);
      }
    } else if (in.role == "components") {
      // Not in the package itself: what the embedded SBOM was generated from.
      FWSEAL_ASSIGN(mat.sha256, sha256_file(in.path));
    } else {
      return make_error(Code::usage, "provenance: unknown input role \"" + in.role + "\" (image, sbom, components)");
    }
    p.materials.push_back(std::move(mat));
  }
  if (images != m.images.size())
    return make_error(Code::usage, "provenance: " + std::to_string(images) + " input images, but the package has " +
                                       std::to_string(m.images.size()));

  p.builder_version = req.builder_version;
  p.invocation_id = req.invocation_id.empty() ? "urn:fwseal:manifest:" + to_hex(p.manifest_digest) : req.invocation_id;
  p.started_on = p.finished_on = req.time ? *req.time : m.created;
  FWSEAL_TRY(serialize_statement(p));  // every rule of the statement, before anything is signed
  return p;
}

Result<std::string> sign_provenance(const Provenance& statement, const SigningKey& key, const AuditContext& audit,
                                    const std::string& package_path) {
  FWSEAL_ASSIGN(std::string payload, serialize_statement(statement));
  FWSEAL_ASSIGN(UnverifiedPackage head, read_unverified_package(package_path));
  AuditEvent e;
  e.target = "provenance";
  e.package = package_path;
  e.manifest_digest = manifest_digest(head.manifest.bytes);
  e.product = head.manifest.content.product;
  e.version = head.manifest.content.version;
  if (e.manifest_digest != statement.manifest_digest)
    return make_error(Code::usage, package_path + ": is not the subject of this provenance (manifest sha256 " +
                                       to_hex(e.manifest_digest) + ", subject " + to_hex(statement.manifest_digest) + ")");
  const std::string pae = dsse_pae(kInTotoPayloadType, payload);
  FWSEAL_ASSIGN(std::string sig, sign_audited(key, pae, e, audit));
  FWSEAL_ASSIGN(Algorithm alg, algorithm_of(key.public_key()));
  FWSEAL_ASSIGN(KeyId id, key_id_of(key.public_key()));
  if (auto v = verify_signature(alg, key.public_key(), pae, sig); !v.ok())
    return make_error(Code::hsm, "the signing key returned a provenance signature that does not verify with its "
                                 "public key (" + v.error().message + ")");
  DsseEnvelope env;
  env.payload_type = std::string(kInTotoPayloadType);
  env.payload = std::move(payload);
  env.signatures.push_back({to_hex(id), std::move(sig)});
  return serialize_dsse(env);
}

Result<Provenance> create_provenance(const ProvenanceRequest& request, const SigningKey& key,
                                     const AuditContext& audit, const std::string& output) {
  FWSEAL_ASSIGN(Provenance p, build_provenance(request));
  FWSEAL_ASSIGN(std::string file, sign_provenance(p, key, audit, request.package_path));
  const std::string out = output.empty() ? request.package_path + std::string(kProvenanceSuffix) : output;
  FWSEAL_TRY(write_file_atomic(out, file));
  return p;
}

}  // namespace fwseal::signer
