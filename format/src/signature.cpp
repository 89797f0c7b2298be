#include "fwseal/format/signature.h"
#include "fwseal/format/x509.h"

#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "fwseal/format/canonical_json.h"
#include "fwseal/format/layout.h"

namespace fwseal {
namespace {

using nlohmann::json;

constexpr std::string_view kEnvelopeFormat = "fwseal-signature";
constexpr std::size_t kMaxSignatureBytes = 1024;

EVP_PKEY* mut(const EVP_PKEY* key) {
  // OpenSSL 3's verification entry points take non-const keys but do not modify them.
  return const_cast<EVP_PKEY*>(key);  // NOLINT(cppcoreguidelines-pro-type-const-cast)
}

}  // namespace

std::string_view algorithm_name(Algorithm alg) {
  switch (alg) {
    case Algorithm::ecdsa_p256: return "ecdsa-p256";
    case Algorithm::ecdsa_p384: return "ecdsa-p384";
    case Algorithm::ed25519: return "ed25519";
    case Algorithm::rsa_pss_3072: return "rsa-pss-3072";
    case Algorithm::rsa_pss_4096: return "rsa-pss-4096";
  }
  return "unknown";
}

Result<Algorithm> parse_algorithm(std::string_view name, std::string_view where) {
  for (Algorithm alg : kAllAlgorithms)
    if (algorithm_name(alg) == name) return alg;
  return make_error(Code::malformed, std::string(where) + ": unknown algorithm \"" + std::string(name) +
                                         "\" (one of ecdsa-p256, ecdsa-p384, ed25519, rsa-pss-3072, rsa-pss-4096)");
}

const EVP_MD* algorithm_digest(Algorithm alg) {
  switch (alg) {
    case Algorithm::ecdsa_p384: return EVP_sha384();
    case Algorithm::ed25519: return nullptr;
    case Algorithm::ecdsa_p256:
    case Algorithm::rsa_pss_3072:
    case Algorithm::rsa_pss_4096: return EVP_sha256();
  }
  return EVP_sha256();
}

Result<Algorithm> algorithm_of(const EVP_PKEY* key) {
  if (!key) return make_error(Code::internal, "algorithm_of: no key");
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_ED25519: return Algorithm::ed25519;
    case EVP_PKEY_EC: {
      char group[64] = {};
      std::size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1)
        return make_error(Code::untrusted, "EC key without a named curve");
      std::string_view g(group, len);
      if (g == "prime256v1" || g == "P-256" || g == "secp256r1") return Algorithm::ecdsa_p256;
      if (g == "secp384r1" || g == "P-384") return Algorithm::ecdsa_p384;
      return make_error(Code::untrusted, "EC curve " + std::string(g) + " is not supported (P-256 or P-384)");
    }
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS: {
      int bits = EVP_PKEY_get_bits(key);
      if (bits == 3072) return Algorithm::rsa_pss_3072;
      if (bits == 4096) return Algorithm::rsa_pss_4096;
      return make_error(Code::untrusted, "RSA key of " + std::to_string(bits) + " bits is not supported (3072 or 4096)");
    }
    default: return make_error(Code::untrusted, "key type is not supported (ECDSA P-256/P-384, Ed25519, RSA-PSS 3072/4096)");
  }
}

Result<std::string> public_key_to_der(const EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return make_error(Code::internal, "cannot encode public key: " + ossl::last_error());
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

Result<KeyId> key_id_of(const EVP_PKEY* key) {
  FWSEAL_ASSIGN(std::string der, public_key_to_der(key));
  return sha256(der);
}

Result<ossl::PKey> public_key_from_der(std::string_view der, std::string_view where) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ossl::PKey key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size())
    return make_error(Code::malformed, std::string(where) + ": not a DER SubjectPublicKeyInfo: " + ossl::last_error());
  return key;
}

Result<ossl::PKey> public_key_from_pem(std::string_view pem, std::string_view where) {
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return make_error(Code::internal, "out of memory");
  ossl::PKey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key)
    return make_error(Code::malformed, std::string(where) + ": not a PEM public key (-----BEGIN PUBLIC KEY-----): " +
                                           ossl::last_error());
  return key;
}

Result<std::string> public_key_to_pem(const EVP_PKEY* key) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1)
    return make_error(Code::internal, "cannot write PEM public key: " + ossl::last_error());
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string signed_bytes(std::string_view manifest_bytes) {
  std::string out(kSignedBytesPrefix);
  out.append(manifest_bytes);
  return out;
}

Status verify_signature(Algorithm alg, const EVP_PKEY* key, std::string_view message, std::string_view sig) {
  FWSEAL_ASSIGN(Algorithm key_alg, algorithm_of(key));
  if (key_alg != alg)
    return make_error(Code::untrusted, "signature algorithm " + std::string(algorithm_name(alg)) +
                                           " does not match the key, which is " + std::string(algorithm_name(key_alg)));
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, algorithm_digest(alg), nullptr, mut(key)) != 1)
    return make_error(Code::internal, "cannot start signature verification: " + ossl::last_error());
  if (alg == Algorithm::rsa_pss_3072 || alg == Algorithm::rsa_pss_4096) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, algorithm_digest(alg)) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)
      return make_error(Code::internal, "cannot set RSA-PSS parameters: " + ossl::last_error());
  }
  int r = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                           reinterpret_cast<const unsigned char*>(message.data()), message.size());
  ossl::last_error();  // a failed verification leaves reasons on the queue; they say nothing more than "bad"
  if (r != 1) return make_error(Code::signature, "signature does not verify");
  return ok_status();
}

Result<std::string> serialize_envelope(const SignatureEnvelope& env) {
  if (env.signature.empty() || env.signature.size() > kMaxSignatureBytes)
    return make_error(Code::internal, "signature of " + std::to_string(env.signature.size()) + " bytes");
  json j = {{"format", kEnvelopeFormat},
            {"algorithm", algorithm_name(env.algorithm)},
            {"key_id", to_hex(env.key_id)},
            {"signature", base64_encode(env.signature)}};
  if (!env.certificates.empty()) {
    json certs = json::array();
    for (const auto& der : env.certificates) certs.push_back(base64_encode(der));
    j["certificates"] = certs;
  }
  FWSEAL_ASSIGN(std::string out, canonical_json(j));
  if (out.size() > kMaxSignatureEntryBytes) return make_error(Code::usage, "signature envelope too large (certificate chain too long)");
  return out;
}

Result<SignatureEnvelope> parse_envelope(std::string_view bytes, std::string_view where) {
  FWSEAL_ASSIGN(json j, parse_canonical_json(bytes, where, JsonLimits{kMaxSignatureEntryBytes, 4}));
  const std::string w(where);
  FWSEAL_TRY(check_members(j, {"format", "algorithm", "key_id", "signature", "certificates"}, w));
  FWSEAL_ASSIGN(std::string format, get_string(j, "format", w));
  if (format != kEnvelopeFormat) return make_error(Code::malformed, w + ".format: expected \"fwseal-signature\"");
  SignatureEnvelope env;
  FWSEAL_ASSIGN(std::string alg, get_string(j, "algorithm", w));
  FWSEAL_ASSIGN(env.algorithm, parse_algorithm(alg, w + ".algorithm"));
  FWSEAL_ASSIGN(std::string key_id, get_string(j, "key_id", w));
  FWSEAL_ASSIGN(env.key_id, sha256_from_hex(key_id, w + ".key_id"));
  FWSEAL_ASSIGN(std::string sig, get_string(j, "signature", w));
  FWSEAL_ASSIGN(env.signature, base64_decode(sig, w + ".signature"));
  if (env.signature.empty() || env.signature.size() > kMaxSignatureBytes)
    return make_error(Code::malformed, w + ".signature: " + std::to_string(env.signature.size()) + " bytes is not a plausible signature");
  if (has_member(j, "certificates")) {
    FWSEAL_ASSIGN(const json* certs, get_array(j, "certificates", w, kMaxChainCertificates));
    if (certs->empty()) return make_error(Code::malformed, w + ".certificates: empty (leave the member out instead)");
    for (std::size_t i = 0; i < certs->size(); ++i) {
      std::string cw = index_path(w + ".certificates", i);
      if (!(*certs)[i].is_string()) return make_error(Code::malformed, cw + ": expected a base64 string");
      FWSEAL_ASSIGN(std::string der, base64_decode((*certs)[i].get<std::string>(), cw));
      if (der.empty() || der.size() > kMaxCertificateDerBytes) return make_error(Code::malformed, cw + ": implausible certificate size");
      env.certificates.push_back(std::move(der));
    }
  }
  return env;
}

}  // namespace fwseal
