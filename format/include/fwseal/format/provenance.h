// Build provenance for a package: an in-toto Statement v1 with a SLSA
// provenance v1 predicate, signed as a DSSE envelope. docs/AUDIT.md
// "Provenance" is the prose form of this file.
//
// The statement's one subject is the package, named "<product>-<version>.fwpkg"
// with digest {"sha256": <manifest digest>}: the SHA-256 of manifest.json, the
// package's identity (docs/FORMAT.md section 2), not of the .fwpkg file, whose
// bytes change each time a signature is added. `tar -xOf PKG manifest.json |
// sha256sum` prints it.
//
// The file (`PKG.intoto.jsonl`) is one line: the canonical JSON of the DSSE
// envelope and a newline,
//   {"payload":"<base64 statement>","payloadType":"application/vnd.in-toto+json",
//    "signatures":[{"keyid":"<fwseal key id>","sig":"<base64>"}]}
// Each signature covers PAE(payloadType, statement) (dsse_pae below) with the
// algorithm and encoding of docs/FORMAT.md "Signed bytes"; PAE starts with
// "DSSEv1 ", so no provenance signature is a package signature or the reverse.
//
// This unit is the whole provenance format. Its check, verify_provenance, is
// the verifier's (fwseal/verifier/provenance.h); making and signing provenance
// is in signer/ (fwseal/signer/provenance.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/digest.h"
#include "fwseal/base/error.h"
#include "fwseal/base/time.h"
#include "fwseal/format/signature.h"
#include "fwseal/format/trust.h"

namespace fwseal {

inline constexpr std::string_view kInTotoStatementType = "https://in-toto.io/Statement/v1";
inline constexpr std::string_view kSlsaProvenanceType = "https://slsa.dev/provenance/v1";
inline constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";
// What "building" means for fwseal (docs/AUDIT.md "buildType"): assembling a
// package from a spec and image files with `fwseal package` or `fwseal pipeline run`.
inline constexpr std::string_view kFwsealBuildType = "urn:fwseal:buildtype:package:v1";
// runDetails.builder.id is this prefix and fwseal's version: "urn:fwseal:builder:fwseal@0.1.0".
inline constexpr std::string_view kFwsealBuilderIdPrefix = "urn:fwseal:builder:fwseal@";
// The extension of the provenance file written next to a package.
inline constexpr std::string_view kProvenanceSuffix = ".intoto.jsonl";
inline constexpr std::size_t kMaxProvenanceBytes = 4u << 20;
inline constexpr std::size_t kMaxProvenanceMaterials = 1024;
inline constexpr std::size_t kMaxDsseSignatures = 32;

// One resolvedDependencies entry: an input file of the build.
struct ProvenanceMaterial {
  std::string role;   // "spec", "release", "image", "sbom" or "components" (annotation fwseal.role)
  std::string name;   // the file, relative to the spec's (or release file's) directory
  std::string image;  // the image name for role "image" (annotation fwseal.image); else empty
  Sha256 sha256{};

  bool operator==(const ProvenanceMaterial&) const = default;
};

// What a statement says. serialize_statement and parse_statement convert
// between this and the canonical JSON bytes; nothing else is in the statement.
struct Provenance {
  std::string subject_name;  // "<product>-<version>.fwpkg"
  Sha256 manifest_digest{};  // the subject's "sha256"
  // externalParameters: {"<parameters_kind>": {"name": ..., "digest": {"sha256": ...}}}
  std::string parameters_kind = "spec";  // "spec" (fwseal package) or "release" (fwseal pipeline run)
  std::string parameters_name;           // the spec or release file's name
  Sha256 parameters_sha256{};
  std::vector<ProvenanceMaterial> materials;  // the parameters file first, then images, then the SBOM
  std::string builder_version;  // fwseal's version: builder.id = kFwsealBuilderIdPrefix + this
  std::string invocation_id;    // metadata.invocationId
  std::int64_t started_on = 0;  // seconds since the epoch; written as RFC 3339 UTC
  std::int64_t finished_on = 0;

  bool operator==(const Provenance&) const = default;
};

// The canonical JSON (RFC 8785) of the statement. Code::malformed if a field
// breaks a rule of parse_statement (so what is written can be read back).
Result<std::string> serialize_statement(const Provenance& p);

// Parses and checks a statement: strict JSON, exactly the members fwseal
// writes, _type and predicateType as above, buildType kFwsealBuildType, one
// subject, lowercase-hex SHA-256 digests, RFC 3339 UTC times. Code::malformed
// naming the member path under `where` (e.g. "p.intoto.jsonl: statement.subject[0].digest").
Result<Provenance> parse_statement(std::string_view bytes, std::string_view where);

// DSSE pre-authentication encoding:
// "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN in ASCII decimal.
std::string dsse_pae(std::string_view payload_type, std::string_view payload);

struct DsseSignature {
  std::string keyid;      // fwseal writes the signing key's id (64 lowercase hex)
  std::string signature;  // raw bytes
};

struct DsseEnvelope {
  std::string payload_type;
  std::string payload;  // raw bytes (base64 in the file)
  std::vector<DsseSignature> signatures;
};

// The file's bytes: canonical JSON of the envelope and "\n".
Result<std::string> serialize_dsse(const DsseEnvelope& env);
// Strict: one JSON object, optionally followed by one "\n"; members payload,
// payloadType, signatures (1..32 of {keyid, sig}); canonical base64.
// Code::malformed naming `where`.
Result<DsseEnvelope> parse_dsse(std::string_view bytes, std::string_view where);


// SHA-256 of a file's contents, read in chunks. Code::io naming the path.
Result<Sha256> sha256_file(const std::string& path);

}  // namespace fwseal
