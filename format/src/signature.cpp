#include "fwseal/format/signature.h"
#include "fwseal/format/x509.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "fwseal/format/canonical_json.h"
#include "fwseal/format/layout.h"
#include "fwseal/format/rule.h"
#include "fwseal/base/text.h"

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

namespace {

using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, ossl::Deleter<OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, ossl::Deleter<OSSL_PARAM_free>>;
using Bn = std::unique_ptr<BIGNUM, ossl::Deleter<BN_free>>;

Result<ossl::PKey> key_from_params(const char* type, const OSSL_PARAM* params) {
  ossl::PKeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* out = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &out, EVP_PKEY_PUBLIC_KEY, const_cast<OSSL_PARAM*>(params)) != 1)  // NOLINT
    return make_error(Code::untrusted, std::string("not a valid ") + type + " public key: " + ossl::last_error());
  return ossl::PKey(out);
}

Result<Bn> bn_param(const EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1 || !bn)
    return make_error(Code::untrusted, std::string("public key without ") + name + ": " + ossl::last_error());
  return Bn(bn);
}

// The y coordinate's 255 bits, little-endian, of the small-order points of
// edwards25519 and p - y for the two of order 8; with 0, 1 and p - 1 they are
// all the y of the eight points of small order.
constexpr unsigned char kEd25519Order8Y[2][32] = {
    {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
     0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
    {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
     0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a}};

Status check_ed25519(const unsigned char (&raw)[32], const std::string& w) {
  unsigned char y[32];
  std::memcpy(y, raw, 32);
  y[31] &= 0x7f;  // the top bit is the sign of x
  // p = 2^255 - 19, little-endian: ed ff .. ff 7f. y >= p is a second encoding.
  bool at_least_p = y[0] >= 0xed && y[31] == 0x7f;
  for (int i = 1; i < 31 && at_least_p; ++i) at_least_p = y[i] == 0xff;
  auto is = [&](unsigned first, unsigned rest, unsigned last) {
    if (y[0] != first || y[31] != last) return false;
    for (int i = 1; i < 31; ++i)
      if (y[i] != rest) return false;
    return true;
  };
  bool small = is(0, 0, 0) || is(1, 0, 0) || is(0xec, 0xff, 0x7f) ||
               std::memcmp(y, kEd25519Order8Y[0], 32) == 0 || std::memcmp(y, kEd25519Order8Y[1], 32) == 0;
  if (at_least_p)
    return make_error(Code::untrusted, w + "Ed25519 public key not canonically encoded (y >= p)");
  if (small)
    return make_error(Code::untrusted,
                      w + "Ed25519 public key of small order: signatures by no one verify with it");
  return ok_status();
}

}  // namespace

Result<ossl::PKey> canonical_public_key(const EVP_PKEY* key) {
  if (!key) return make_error(Code::internal, "canonical_public_key: no key");
  // By key type, not algorithm_of: keys fwseal does not sign with (other
  // curves, other RSA sizes) still get one id for `fwseal hsm list`.
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_ED25519: {
      unsigned char raw[32];
      std::size_t len = sizeof raw;
      if (EVP_PKEY_get_raw_public_key(key, raw, &len) != 1 || len != sizeof raw)
        return make_error(Code::untrusted, "Ed25519 public key of the wrong size");
      ossl::PKey out(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw, len));
      if (!out) return make_error(Code::internal, "cannot make an Ed25519 key: " + ossl::last_error());
      return out;
    }
    case EVP_PKEY_EC: {
      unsigned char point[160];
      std::size_t len = 0;
      char group[64] = {};
      std::size_t glen = 0;
      if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &glen) != 1)
        return make_error(Code::untrusted, "EC key without a named curve");
      if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len) != 1)
        return make_error(Code::untrusted, "EC public key without a point: " + ossl::last_error());
      char format[] = "uncompressed";
      const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
                                   OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, len),
                                   OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                                                    format, 0),
                                   OSSL_PARAM_construct_end()};
      return key_from_params("EC", params);
    }
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS: {
      FWSEAL_ASSIGN(Bn n, bn_param(key, OSSL_PKEY_PARAM_RSA_N));
      FWSEAL_ASSIGN(Bn e, bn_param(key, OSSL_PKEY_PARAM_RSA_E));
      ParamBld bld(OSSL_PARAM_BLD_new());
      if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
          OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
        return make_error(Code::internal, "cannot build RSA parameters: " + ossl::last_error());
      Params params(OSSL_PARAM_BLD_to_param(bld.get()));
      if (!params) return make_error(Code::internal, "cannot build RSA parameters: " + ossl::last_error());
      return key_from_params("RSA", params.get());
    }
    default:
      return make_error(Code::untrusted, "key type is not supported (ECDSA P-256/P-384, Ed25519, RSA-PSS 3072/4096)");
  }
}

Result<KeyId> key_id_of(const EVP_PKEY* key) {
  Result<ossl::PKey> canonical = canonical_public_key(key);
  // A type of key fwseal has no canonical form for is named by its own encoding.
  FWSEAL_ASSIGN(std::string der, public_key_to_der(canonical.ok() ? canonical->get() : key));
  return sha256(der);
}

Status check_public_key(const EVP_PKEY* key, std::string_view where) {
  // "<where>: " before each reason, nothing if `where` is empty.
  const std::string w = where.empty() ? std::string() : std::string(where) + ": ";
  auto alg = algorithm_of(key);
  if (!alg.ok()) return make_error(alg.error().code, w + alg.error().message);
  switch (*alg) {
    case Algorithm::ed25519: {
      unsigned char raw[32];
      std::size_t len = sizeof raw;
      if (EVP_PKEY_get_raw_public_key(key, raw, &len) != 1 || len != sizeof raw)
        return make_error(Code::untrusted, w + "Ed25519 public key of the wrong size");
      return check_ed25519(raw, w);
    }
    case Algorithm::ecdsa_p256:
    case Algorithm::ecdsa_p384: {
      ossl::PKeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, const_cast<EVP_PKEY*>(key), nullptr));  // NOLINT
      if (!ctx || EVP_PKEY_public_check(ctx.get()) != 1) {
        ossl::last_error();
        return make_error(Code::untrusted, w + "EC public key is not a point of the curve's group (or is at infinity)");
      }
      return ok_status();
    }
    case Algorithm::rsa_pss_3072:
    case Algorithm::rsa_pss_4096: {
      FWSEAL_ASSIGN(Bn e, bn_param(key, OSSL_PKEY_PARAM_RSA_E));
      if (!BN_is_odd(e.get()) || BN_num_bits(e.get()) < 17 || BN_num_bits(e.get()) > 256)
        return make_error(Code::untrusted,
                          w + "RSA public exponent must be odd and from 65537 to 2^256 (this one is weak)");
      return ok_status();
    }
  }
  return ok_status();
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

namespace {

using EcdsaSig = std::unique_ptr<ECDSA_SIG, ossl::Deleter<ECDSA_SIG_free>>;
using BigNum = std::unique_ptr<BIGNUM, ossl::Deleter<BN_free>>;
using Group = std::unique_ptr<EC_GROUP, ossl::Deleter<EC_GROUP_free>>;

bool is_ecdsa(Algorithm alg) { return alg == Algorithm::ecdsa_p256 || alg == Algorithm::ecdsa_p384; }
bool is_rsa(Algorithm alg) { return alg == Algorithm::rsa_pss_3072 || alg == Algorithm::rsa_pss_4096; }

// The DER signature and whether its s is above n/2.
Result<std::pair<EcdsaSig, bool>> parse_ecdsa(Algorithm alg, std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    ossl::last_error();
    return make_error(Code::signature, "signature does not verify");
  }
  Group group(EC_GROUP_new_by_curve_name(alg == Algorithm::ecdsa_p256 ? NID_X9_62_prime256v1 : NID_secp384r1));
  BigNum half(BN_new());
  if (!group || !half || BN_rshift1(half.get(), EC_GROUP_get0_order(group.get())) != 1)
    return make_error(Code::internal, "cannot compute the curve's half order: " + ossl::last_error());
  bool high = BN_cmp(ECDSA_SIG_get0_s(sig.get()), half.get()) > 0;
  return std::pair<EcdsaSig, bool>{std::move(sig), high};
}

}  // namespace

Result<std::string> ecdsa_low_s(Algorithm alg, std::string_view der) {
  if (!is_ecdsa(alg)) return std::string(der);
  FWSEAL_ASSIGN(auto parsed, parse_ecdsa(alg, der));
  if (!parsed.second) return std::string(der);
  Group group(EC_GROUP_new_by_curve_name(alg == Algorithm::ecdsa_p256 ? NID_X9_62_prime256v1 : NID_secp384r1));
  BIGNUM* r = BN_dup(ECDSA_SIG_get0_r(parsed.first.get()));
  BIGNUM* s = BN_new();
  EcdsaSig low(ECDSA_SIG_new());
  if (!group || !r || !s || !low || BN_sub(s, EC_GROUP_get0_order(group.get()), ECDSA_SIG_get0_s(parsed.first.get())) != 1 ||
      ECDSA_SIG_set0(low.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return make_error(Code::internal, "cannot compute n - s: " + ossl::last_error());
  }
  unsigned char* out = nullptr;
  int len = i2d_ECDSA_SIG(low.get(), &out);
  if (len <= 0) return make_error(Code::internal, "cannot encode an ECDSA signature: " + ossl::last_error());
  std::string result(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
  OPENSSL_free(out);
  return result;
}

Status verify_signature(Algorithm alg, const EVP_PKEY* key, std::string_view message, std::string_view sig) {
  FWSEAL_ASSIGN(Algorithm key_alg, algorithm_of(key));
  if (key_alg != alg)
    return make_error(Code::untrusted, "signature algorithm " + std::string(algorithm_name(alg)) +
                                           " does not match the key, which is " + std::string(algorithm_name(key_alg)));
  // Checked before OpenSSL: it accepts high-S ECDSA signatures, and RSA ones
  // a byte short (a dropped leading zero), which strict verifiers refuse.
  if (is_ecdsa(alg)) {
    FWSEAL_ASSIGN(auto parsed, parse_ecdsa(alg, sig));
    if (parsed.second)  // R22
      return with_rule("R22", make_error(Code::signature,
                                         "ECDSA signature with a high S (s > n/2): fwseal stores only the low-S form"));
  }
  if (is_rsa(alg) && sig.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key)))
    return make_error(Code::signature, "RSA-PSS signature of " + std::to_string(sig.size()) +
                                           " bytes; it must be exactly as long as the modulus, " +
                                           std::to_string(EVP_PKEY_get_size(key)) + " bytes");
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

namespace {

// R15, and R5 for the size of the certificate chain: the caller's rule for
// the rest.
Result<SignatureEnvelope> envelope_members(const json& j, const std::string& w) {
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
    FWSEAL_ASSIGN(const json* certs, get_array(j, "certificates", w, SIZE_MAX));
    FWSEAL_TRY(with_rule("R5", check_items(*certs, w + ".certificates", kMaxChainCertificates)));  // R5
    if (certs->empty()) return make_error(Code::malformed, w + ".certificates: empty (leave the member out instead)");
    for (std::size_t i = 0; i < certs->size(); ++i) {
      std::string cw = index_path(w + ".certificates", i);
      if (!(*certs)[i].is_string()) return make_error(Code::malformed, cw + ": expected a base64 string");
      FWSEAL_ASSIGN(std::string der, base64_decode((*certs)[i].get<std::string>(), cw));
      if (der.empty() || der.size() > kMaxCertificateDerBytes)  // R5 for too many bytes
        return with_rule(der.empty() ? "R15" : "R5",
                         make_error(Code::malformed, cw + ": implausible certificate size"));
      env.certificates.push_back(std::move(der));
    }
  }
  return env;
}

// R15: an envelope, in version 1 an entry's whole content, in version 2 an
// element of signatures.json's list.
Result<SignatureEnvelope> envelope_from_json(const json& j, std::string_view where) {
  return with_rule("R15", envelope_members(j, std::string(where)));
}

Result<json> envelope_to_json(const SignatureEnvelope& env) {
  FWSEAL_ASSIGN(std::string text, serialize_envelope(env));
  return json::parse(text);
}

}  // namespace

Result<SignatureEnvelope> parse_envelope(std::string_view bytes, std::string_view where) {
  // R15: canonical JSON.
  FWSEAL_ASSIGN(json j, with_rule("R15", parse_canonical_json(bytes, where, JsonLimits{kMaxSignatureEntryBytes, 4})));
  return envelope_from_json(j, where);
}

Result<std::string> serialize_signature_area(std::vector<SignatureEnvelope> envelopes, std::uint64_t space) {
  if (envelopes.size() > kMaxSignatures)
    return make_error(Code::usage, "more than " + std::to_string(kMaxSignatures) + " signatures");
  std::sort(envelopes.begin(), envelopes.end(),
            [](const SignatureEnvelope& a, const SignatureEnvelope& b) { return a.key_id < b.key_id; });
  json list = json::array();
  for (std::size_t i = 0; i < envelopes.size(); ++i) {
    if (i > 0 && envelopes[i - 1].key_id == envelopes[i].key_id)
      return make_error(Code::usage, "two signatures by key " + to_hex(envelopes[i].key_id) + "; a key signs once");
    FWSEAL_ASSIGN(json e, envelope_to_json(envelopes[i]));
    list.push_back(std::move(e));
  }
  FWSEAL_ASSIGN(std::string text, canonical_json(json{{"format", kSignatureAreaFormat}, {"signatures", list}}));
  if (text.size() > space)
    return make_error(Code::usage, "the signatures need " + std::to_string(text.size()) + " bytes, more than the " +
                                       std::to_string(space) +
                                       " the package reserves (its signature_space): package it again with a "
                                       "larger signature_space to add this signature");
  text.append(static_cast<std::size_t>(space - text.size()), ' ');
  return text;
}

namespace {

// R24, but R15 for each envelope and R5 for their number: the caller's rule
// for the rest.
Result<std::vector<SignatureEnvelope>> signature_list(std::string_view bytes, std::uint64_t data_offset) {
  const std::string w(kSignaturesEntry);
  // The list is one JSON object: it ends at the last '}', and only spaces follow it.
  const std::size_t close = bytes.find_last_of('}');
  if (close == std::string_view::npos)
    return make_error(Code::malformed, w + ": no signature list (offset " + std::to_string(data_offset) + ")");
  if (std::size_t pad = bytes.find_first_not_of(' ', close + 1); pad != std::string_view::npos)
    return make_error(Code::malformed, w + ": byte at offset " + std::to_string(data_offset + pad) +
                                           " after the signature list is not a space (0x20)");
  std::string_view text = bytes.substr(0, close + 1);
  FWSEAL_ASSIGN(json j, parse_canonical_json(text, w, JsonLimits{kMaxSignatureSpace, 5}));
  FWSEAL_TRY(check_members(j, {"format", "signatures"}, w));
  FWSEAL_ASSIGN(std::string format, get_string(j, "format", w));
  if (format != kSignatureAreaFormat)
    return make_error(Code::malformed, w + ".format: expected \"" + std::string(kSignatureAreaFormat) + "\", found " +
                                           quote(format));
  if (!has_member(j, "signatures")) return make_error(Code::malformed, w + ".signatures: missing");
  FWSEAL_ASSIGN(const json* list, get_array(j, "signatures", w, SIZE_MAX));
  FWSEAL_TRY(with_rule("R5", check_items(*list, w + ".signatures", kMaxSignatures)));  // R5
  std::vector<SignatureEnvelope> out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string where = index_path(w + ".signatures", i);
    FWSEAL_ASSIGN(SignatureEnvelope env, envelope_from_json((*list)[i], where));
    if (!out.empty() && !(out.back().key_id < env.key_id))
      return make_error(Code::malformed,
                        where + ": key id " + to_hex(env.key_id) +
                            (out.back().key_id == env.key_id ? " signs a second time (one signature per key)"
                                                             : " is out of order (signatures are sorted by key id)"));
    out.push_back(std::move(env));
  }
  return out;
}

}  // namespace

Result<std::vector<SignatureEnvelope>> parse_signature_area(std::string_view bytes, std::uint64_t data_offset) {
  // R24: one canonical JSON object, its envelopes sorted by key id, then spaces.
  return with_rule("R24", signature_list(bytes, data_offset));
}

}  // namespace fwseal
