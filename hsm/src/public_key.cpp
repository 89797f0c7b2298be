#include "public_key.h"

#include <cstdio>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

#include <memory>
#include <optional>
#include <string_view>

#include "fwseal/base/digest.h"

namespace fwseal::hsm {
namespace {

using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, ossl::Deleter<OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, ossl::Deleter<OSSL_PARAM_free>>;
using Bn = std::unique_ptr<BIGNUM, ossl::Deleter<BN_free>>;
using Asn1Object = std::unique_ptr<ASN1_OBJECT, ossl::Deleter<ASN1_OBJECT_free>>;

using namespace std::string_view_literals;  // ""sv keeps the embedded NUL of secp384r1

// DER of the OIDs: prime256v1, secp384r1, id-Ed25519.
constexpr std::string_view kP256 = "\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07"sv;
constexpr std::string_view kP384 = "\x06\x05\x2b\x81\x04\x00\x22"sv;
constexpr std::string_view kEd25519Oid = "\x06\x03\x2b\x65\x70"sv;
// PKCS#11 3.0 also allows naming the curve as a PrintableString.
constexpr std::string_view kEd25519Name =
    "\x13\x0c"
    "edwards25519"sv;
static_assert(kP256.size() == 10 && kP384.size() == 7 && kEd25519Oid.size() == 5 && kEd25519Name.size() == 14);

constexpr std::size_t kMaxParams = 64;
constexpr std::size_t kMaxPoint = 256;
constexpr std::size_t kMaxModulus = 1024;  // 8192 bits
constexpr std::size_t kMaxExponent = 16;

Error bad(const Session& s, const std::string& why) {
  return make_error(Code::hsm, "public key object on " + s.token_name() + ": " + why);
}

// The contents of a DER OCTET STRING that spans all of `v`.
std::optional<std::string_view> unwrap_octet_string(std::string_view v) {
  if (v.size() < 2 || v[0] != '\x04') return std::nullopt;
  auto len = static_cast<unsigned char>(v[1]);
  std::size_t header = 2;
  std::size_t n = len;
  if (len == 0x81) {
    if (v.size() < 3) return std::nullopt;
    n = static_cast<unsigned char>(v[2]);
    header = 3;
    if (n < 0x80) return std::nullopt;  // not minimal
  } else if (len > 0x80) {
    return std::nullopt;  // points this large are not fwseal's
  }
  if (header + n != v.size()) return std::nullopt;
  return v.substr(header);
}

// CKA_EC_POINT is a DER OCTET STRING by the standard, but some modules return
// the bare point; the lengths tell them apart.
std::optional<std::string_view> point_bytes(std::string_view v, std::size_t expected) {
  if (auto inner = unwrap_octet_string(v); inner && inner->size() == expected) return inner;
  if (v.size() == expected) return v;
  return std::nullopt;
}

Result<ossl::PKey> from_data(const Session& s, const char* type, OSSL_PARAM* params) {
  ossl::PKeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1)
    return bad(s, std::string("not a valid ") + type + " public key: " + ossl::last_error());
  return ossl::PKey(raw);
}

Result<ossl::PKey> ec_key(const Session& s, CK_OBJECT_HANDLE pub) {
  FWSEAL_ASSIGN(std::string params, s.bytes(pub, CKA_EC_PARAMS, kMaxParams));
  const char* group = nullptr;
  std::size_t field = 0;
  if (params == kP256) {
    group = SN_X9_62_prime256v1;
    field = 32;
  } else if (params == kP384) {
    group = SN_secp384r1;
    field = 48;
  } else {
    const auto* p = reinterpret_cast<const unsigned char*>(params.data());
    Asn1Object oid(d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>(params.size())));
    char name[80] = "unknown";
    if (oid) OBJ_obj2txt(name, sizeof name, oid.get(), 0);
    return bad(s, std::string("EC curve ") + name + " is not supported (P-256 or P-384)");
  }
  FWSEAL_ASSIGN(std::string point, s.bytes(pub, CKA_EC_POINT, kMaxPoint));
  std::optional<std::string_view> raw = point_bytes(point, 1 + 2 * field);
  if (!raw || raw->front() != '\x04')
    return bad(s, "CKA_EC_POINT is not an uncompressed point on " + std::string(group));
  ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, raw->data(), raw->size()) != 1)
    return make_error(Code::internal, "out of memory");
  Params p(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!p) return make_error(Code::internal, "out of memory");
  return from_data(s, "EC", p.get());
}

Result<ossl::PKey> ed_key(const Session& s, CK_OBJECT_HANDLE pub) {
  FWSEAL_ASSIGN(std::string params, s.bytes(pub, CKA_EC_PARAMS, kMaxParams));
  if (params != kEd25519Oid && params != kEd25519Name)
    return bad(s, "Edwards curve " + to_hex(params) + " is not supported (Ed25519)");
  FWSEAL_ASSIGN(std::string point, s.bytes(pub, CKA_EC_POINT, kMaxPoint));
  std::optional<std::string_view> raw = point_bytes(point, 32);
  if (!raw) return bad(s, "CKA_EC_POINT is not a 32-byte Ed25519 key");
  ossl::PKey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                             reinterpret_cast<const unsigned char*>(raw->data()), raw->size()));
  if (!key) return bad(s, "not a valid Ed25519 public key: " + ossl::last_error());
  return key;
}

Result<ossl::PKey> rsa_key(const Session& s, CK_OBJECT_HANDLE pub) {
  FWSEAL_ASSIGN(std::string n, s.bytes(pub, CKA_MODULUS, kMaxModulus));
  FWSEAL_ASSIGN(std::string e, s.bytes(pub, CKA_PUBLIC_EXPONENT, kMaxExponent));
  Bn bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr));
  Bn bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr));
  ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1)
    return make_error(Code::internal, "out of memory");
  Params p(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!p) return make_error(Code::internal, "out of memory");
  return from_data(s, "RSA", p.get());
}

}  // namespace

std::string ec_params_for(Algorithm alg) {
  switch (alg) {
    case Algorithm::ecdsa_p256:
      return std::string(kP256);
    case Algorithm::ecdsa_p384:
      return std::string(kP384);
    case Algorithm::ed25519:
      return std::string(kEd25519Oid);
    case Algorithm::rsa_pss_3072:
    case Algorithm::rsa_pss_4096:
      break;
  }
  return {};
}

Result<ossl::PKey> public_key_of(const Session& session, CK_OBJECT_HANDLE pub) {
  FWSEAL_ASSIGN(CK_ULONG type, session.ulong(pub, CKA_KEY_TYPE));
  switch (type) {
    case CKK_EC:
      return ec_key(session, pub);
    case CKK_EC_EDWARDS:
      return ed_key(session, pub);
    case CKK_RSA:
      return rsa_key(session, pub);
    default:
      break;
  }
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%lx", static_cast<unsigned long>(type));
  return bad(session, std::string("key type ") + hex + " is not supported (EC, Edwards or RSA)");
}

}  // namespace fwseal::hsm
