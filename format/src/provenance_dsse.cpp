// The DSSE envelope around a provenance statement, and the check of
// `fwseal verify --provenance` (verify_provenance).
#include <algorithm>

#include "fwseal/format/canonical_json.h"
#include "fwseal/format/provenance.h"

namespace fwseal {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxKeyIdBytes = 256;
constexpr std::size_t kMaxSigBytes = 1024;

// Why a signature was not counted, for the 13 message.
std::string short_id(std::string_view keyid) {
  std::string s(keyid.substr(0, 16));
  return keyid.size() > 16 ? s + "…" : s;
}

}  // namespace

std::string dsse_pae(std::string_view payload_type, std::string_view payload) {
  std::string out = "DSSEv1 ";
  out += std::to_string(payload_type.size());
  out += ' ';
  out += payload_type;
  out += ' ';
  out += std::to_string(payload.size());
  out += ' ';
  out += payload;
  return out;
}

Result<std::string> serialize_dsse(const DsseEnvelope& env) {
  if (env.signatures.empty() || env.signatures.size() > kMaxDsseSignatures)
    return make_error(Code::malformed, "DSSE envelope: must carry 1 to 32 signatures");
  json sigs = json::array();
  for (const auto& s : env.signatures) sigs.push_back({{"keyid", s.keyid}, {"sig", base64_encode(s.signature)}});
  json j{{"payload", base64_encode(env.payload)}, {"payloadType", env.payload_type}, {"signatures", std::move(sigs)}};
  FWSEAL_ASSIGN(std::string text, canonical_json(j));
  return text + "\n";
}

Result<DsseEnvelope> parse_dsse(std::string_view bytes, std::string_view where) {
  const std::string w(where);
  if (bytes.size() > kMaxProvenanceBytes)
    return make_error(Code::malformed, w + ": " + std::to_string(bytes.size()) + " bytes, more than the limit of " +
                                           std::to_string(kMaxProvenanceBytes));
  if (bytes.ends_with('\n')) bytes.remove_suffix(1);
  if (bytes.find('\n') != std::string_view::npos)
    return make_error(Code::malformed, w + ": holds more than one line; fwseal writes one DSSE envelope per file");
  // Base64 makes the payload a third larger than the statement it carries.
  FWSEAL_ASSIGN(json j, parse_json_strict(bytes, w, JsonLimits{kMaxProvenanceBytes, 4}));
  FWSEAL_TRY(check_members(j, {"payload", "payloadType", "signatures"}, w));
  DsseEnvelope env;
  FWSEAL_ASSIGN(env.payload_type, get_string(j, "payloadType", w));
  FWSEAL_ASSIGN(std::string payload, get_string(j, "payload", w));
  FWSEAL_ASSIGN(env.payload, base64_decode(payload, w + ".payload"));
  FWSEAL_ASSIGN(const json* sigs, get_array(j, "signatures", w, kMaxDsseSignatures));
  if (sigs->empty()) return make_error(Code::malformed, w + ".signatures: empty: the provenance is not signed");
  for (std::size_t i = 0; i < sigs->size(); ++i) {
    std::string sw = index_path(w + ".signatures", i);
    const json& s = (*sigs)[i];
    FWSEAL_TRY(check_members(s, {"keyid", "sig"}, sw));
    DsseSignature d;
    // keyid is optional in DSSE; fwseal needs it to find the key.
    FWSEAL_ASSIGN(d.keyid, get_string(s, "keyid", sw));
    if (d.keyid.size() > kMaxKeyIdBytes) return make_error(Code::malformed, sw + ".keyid: too long");
    FWSEAL_ASSIGN(std::string sig, get_string(s, "sig", sw));
    FWSEAL_ASSIGN(d.signature, base64_decode(sig, sw + ".sig"));
    if (d.signature.empty() || d.signature.size() > kMaxSigBytes)
      return make_error(Code::malformed, sw + ".sig: " + std::to_string(d.signature.size()) +
                                             " bytes is not a plausible signature");
    env.signatures.push_back(std::move(d));
  }
  return env;
}

Result<VerifiedProvenance> verify_provenance(std::string_view file_bytes, const TrustPolicy& trust,
                                             const Sha256& manifest_digest, std::string_view where) {
  const std::string w(where);
  // 1. The envelope.
  FWSEAL_ASSIGN(DsseEnvelope env, parse_dsse(file_bytes, where));
  if (env.payload_type != kInTotoPayloadType)
    return make_error(Code::malformed, w + ".payloadType: is \"" + env.payload_type + "\"; expected \"" +
                                           std::string(kInTotoPayloadType) + "\"");

  // 2. Signatures, before anything in the payload is read.
  const std::string pae = dsse_pae(env.payload_type, env.payload);
  std::optional<KeyId> signer;
  std::string not_counted;
  for (std::size_t i = 0; i < env.signatures.size(); ++i) {
    const auto& s = env.signatures[i];
    std::string sw = index_path(w + ".signatures", i);
    auto note = [&](const std::string& why) {
      not_counted += (not_counted.empty() ? "" : "; ") + std::string("key ") + short_id(s.keyid) + " " + why;
    };
    auto id = sha256_from_hex(s.keyid, sw + ".keyid");
    const TrustedKey* key = id.ok() ? trust.find_key(*id) : nullptr;
    if (!key) {
      note("is not in trust.json");
      continue;
    }
    if (trust.revoked(*id)) {
      note("is revoked by trust.json");
      continue;
    }
    if (!trust.algorithm_allowed(key->algorithm)) {
      note("uses " + std::string(algorithm_name(key->algorithm)) + ", which trust.json does not allow");
      continue;
    }
    FWSEAL_ASSIGN(ossl::PKey pub, public_key_from_der(key->spki_der, "trust.json key " + to_hex(*id)));
    auto v = verify_signature(key->algorithm, pub.get(), pae, s.signature);
    if (!v.ok()) {
      std::string name = key->name.empty() ? "" : " (" + key->name + ")";
      return make_error(Code::signature, sw + ": the signature by trusted key " + to_hex(*id) + name +
                                             " does not verify: the statement or the signature was changed");
    }
    if (!signer) signer = *id;
  }
  if (!signer)
    return make_error(Code::untrusted, w + ": not signed by a key in trust.json (" + not_counted +
                                           "); sign it with a trusted key, or add that key to trust.json");

  // 3. The statement, now that a trusted key vouches for it.
  FWSEAL_ASSIGN(Provenance statement, parse_statement(env.payload, where));

  // 4. It is about this package.
  if (statement.manifest_digest != manifest_digest)
    return make_error(Code::digest, w + ": subject " + statement.subject_name + " has sha256 " +
                                        to_hex(statement.manifest_digest) + " but the package's manifest digest is " +
                                        to_hex(manifest_digest) + ": the provenance describes another package");
  VerifiedProvenance out;
  out.statement = std::move(statement);
  out.key_id = *signer;
  if (const TrustedKey* k = trust.find_key(*signer)) out.key_name = k->name;
  return out;
}

}  // namespace fwseal
