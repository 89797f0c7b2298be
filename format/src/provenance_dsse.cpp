// The DSSE envelope around a provenance statement. Its check is the
// verifier's (fwseal/verifier/provenance.h).
#include <algorithm>

#include "fwseal/format/canonical_json.h"
#include "fwseal/format/provenance.h"

namespace fwseal {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxKeyIdBytes = 256;
constexpr std::size_t kMaxSigBytes = 1024;

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

}  // namespace fwseal
