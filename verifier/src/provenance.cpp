#include "fwseal/verifier/provenance.h"

#include <optional>

#include "fwseal/format/canonical_json.h"
#include "fwseal/format/signature.h"

namespace fwseal::verifier {
namespace {

// A key id as shown in the "not counted" list of the 13 message.
std::string short_id(std::string_view keyid) {
  std::string s(keyid.substr(0, 16));
  return keyid.size() > 16 ? s + "…" : s;
}

}  // namespace

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

}  // namespace fwseal::verifier
