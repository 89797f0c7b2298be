// Making and signing provenance for a package (the format and its check are in
// format/provenance.h). Used by `fwseal provenance create` and by the release
// pipeline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/format/provenance.h"
#include "fwseal/signer/audit.h"
#include "fwseal/signer/signer.h"

namespace fwseal::signer {

// One input file of the build, as the spec names it.
struct ProvenanceInput {
  // "image", "sbom", or "components" (a declared-components file the SBOM was
  // generated from); "spec"/"release" is the parameters file, added by build_provenance.
  std::string role;
  std::string image;  // the image's name in the manifest, for role "image"
  std::string path;   // where the file is (as resolved by the spec reader)
};

struct ProvenanceRequest {
  std::string package_path;             // the package: its manifest is read (not the images)
  std::string parameters_path;          // the spec (fwseal package) or release file (fwseal pipeline run)
  std::string parameters_kind = "spec"; // "spec" or "release"
  // Material names are paths relative to this directory ("../out/a.bin" is
  // fine); default: the parameters file's directory. No absolute path of the
  // build machine enters the statement unless the spec itself names one.
  std::optional<std::string> base_dir;
  std::vector<ProvenanceInput> inputs;  // images in manifest order, then the SBOM or components files
  // Take the images' (and SBOM's) digests from the package's manifest instead
  // of reading the files again: for a build whose packaging step hashed these
  // very files (fwseal pipeline run), where reading them again would only
  // repeat its work. Off, each input is read and compared to the manifest.
  bool digests_from_manifest = false;
  // startedOn/finishedOn; default: the manifest's `created` (the spec's time or
  // SOURCE_DATE_EPOCH at packaging), so the statement is reproducible.
  std::optional<std::int64_t> time;
  std::string invocation_id;    // default: "urn:fwseal:manifest:<manifest digest hex>"
  std::string builder_version;  // fwseal's version (FWSEAL_VERSION); required
};

// Reads the package's manifest and hashes every input, then checks that the
// inputs are what the package holds: each image's SHA-256 and the SBOM's equal
// the manifest's, image names in order. Code::io for unreadable files,
// Code::malformed for a package that is not well-formed, Code::digest (11)
// naming the input whose bytes the package does not hold, Code::usage for a
// request that does not fit the manifest (image count, names, kind).
Result<Provenance> build_provenance(const ProvenanceRequest& request);

// The DSSE envelope file bytes for `statement`, signed with `key`, audited
// like a package signature (target "provenance"; product and version come
// from the package at `package_path`, which must be the statement's subject,
// else Code::usage). Errors as sign_audited; Code::hsm if the key returns a
// signature that does not verify.
Result<std::string> sign_provenance(const Provenance& statement, const SigningKey& key, const AuditContext& audit,
                                    const std::string& package_path);

// build_provenance, sign_provenance, and the file written atomically to
// `output` (default: package_path + ".intoto.jsonl"). Returns the statement.
Result<Provenance> create_provenance(const ProvenanceRequest& request, const SigningKey& key,
                                     const AuditContext& audit, const std::string& output = {});

}  // namespace fwseal::signer
