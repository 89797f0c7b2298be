#include "fwseal/hsm/signing_key.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <mutex>

#include "objects.h"
#include "public_key.h"
#include "session.h"
#include "state.h"

namespace fwseal::hsm {

struct TokenKey::Impl {
  Impl(Session s, CK_OBJECT_HANDLE p) : session(std::move(s)), priv(p) {}
  Session session;
  CK_OBJECT_HANDLE priv;
  ossl::PKey public_key;
  KeyInfo info;
  Algorithm algorithm = Algorithm::ecdsa_p256;
  KeyId key_id{};
  std::string described;  // the key as the URI named it, for messages
  std::mutex mu;          // a PKCS#11 session runs one operation at a time
};

namespace {

using EcdsaSig = std::unique_ptr<ECDSA_SIG, ossl::Deleter<ECDSA_SIG_free>>;

bool is_rsa(Algorithm alg) { return alg == Algorithm::rsa_pss_3072 || alg == Algorithm::rsa_pss_4096; }
bool is_ecdsa(Algorithm alg) { return alg == Algorithm::ecdsa_p256 || alg == Algorithm::ecdsa_p384; }

CK_KEY_TYPE key_type_of(Algorithm alg) {
  if (is_rsa(alg)) return CKK_RSA;
  return alg == Algorithm::ed25519 ? CKK_EC_EDWARDS : CKK_EC;
}

// PKCS#11 returns r || s; fwseal (like openssl dgst) uses the DER ECDSA-Sig-Value.
Result<std::string> ecdsa_to_der(std::string_view raw) {
  std::size_t half = raw.size() / 2;
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  EcdsaSig sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(p, static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(p + half, static_cast<int>(half), nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return make_error(Code::internal, "out of memory");
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return make_error(Code::internal, "cannot encode an ECDSA signature: " + ossl::last_error());
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string digest(Algorithm alg, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(message.data(), message.size(), out, &len, algorithm_digest(alg), nullptr) != 1)
    throw std::bad_alloc();  // as format's Hasher: a built-in digest only fails without memory
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::size_t expected_signature_size(Algorithm alg, const EVP_PKEY* pub) {
  if (alg == Algorithm::ed25519) return 64;
  if (is_ecdsa(alg)) return 2 * ((static_cast<std::size_t>(EVP_PKEY_get_bits(pub)) + 7) / 8);
  return static_cast<std::size_t>(EVP_PKEY_get_size(pub));
}

}  // namespace

TokenKey::TokenKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TokenKey::~TokenKey() = default;

Algorithm TokenKey::algorithm() const { return impl_->algorithm; }
const KeyId& TokenKey::key_id() const { return impl_->key_id; }
const EVP_PKEY* TokenKey::public_key() const { return impl_->public_key.get(); }
const KeyInfo& TokenKey::info() const { return impl_->info; }

Result<std::string> TokenKey::sign(std::string_view message) const {
  Impl& k = *impl_;
  std::lock_guard lock(k.mu);
  const Session& s = k.session;
  const std::string what = "signing with key " + k.described + " on " + s.token_name();

  CK_RSA_PKCS_PSS_PARAMS pss{CKM_SHA256, CKG_MGF1_SHA256, 32};
  CK_MECHANISM mech{CKM_ECDSA, nullptr, 0};
  std::string input;
  if (k.algorithm == Algorithm::ed25519) {
    mech.mechanism = CKM_EDDSA;  // PureEdDSA: the token hashes the whole message itself
    input = std::string(message);
  } else {
    input = digest(k.algorithm, message);
    if (is_rsa(k.algorithm)) mech = CK_MECHANISM{CKM_RSA_PKCS_PSS, &pss, sizeof pss};
  }

  CK_RV rv = s.fn().C_SignInit(s.handle(), &mech, k.priv);
  if (rv != CKR_OK) return pkcs11_error(what + " failed (C_SignInit)", rv);
  // Large enough for every fwseal algorithm, so C_Sign is called once and
  // never left pending with CKR_BUFFER_TOO_SMALL.
  unsigned char buf[1024];
  CK_ULONG len = sizeof buf;
  rv = s.fn().C_Sign(s.handle(), reinterpret_cast<CK_BYTE_PTR>(input.data()), static_cast<CK_ULONG>(input.size()), buf,
                     &len);
  if (rv != CKR_OK) return pkcs11_error(what + " failed (C_Sign)", rv);
  std::size_t expected = expected_signature_size(k.algorithm, k.public_key.get());
  if (len != expected)
    return make_error(Code::hsm, what + ": the module returned " + std::to_string(len) + " bytes, expected " +
                                     std::to_string(expected));
  std::string sig(reinterpret_cast<const char*>(buf), len);
  if (is_ecdsa(k.algorithm)) {
    FWSEAL_ASSIGN(sig, ecdsa_to_der(sig));
    // Tokens return either form of an ECDSA signature; fwseal stores the low-S one (R22).
    FWSEAL_ASSIGN(sig, ecdsa_low_s(k.algorithm, sig));
  }
  Status ok = verify_signature(k.algorithm, k.public_key.get(), message, sig);
  if (!ok.ok())
    return make_error(Code::hsm, what + ": the token's signature does not verify with its public key object (" +
                                     ok.error().message + "); the module or the key pair is faulty");
  return sig;
}

Result<std::unique_ptr<TokenKey>> open_signing_key(const Options& opts, const KeyUri& uri) {
  FWSEAL_ASSIGN(Session s, open_token(opts, uri, false));
  FWSEAL_TRY(s.login_user(uri.pin_source));
  FWSEAL_ASSIGN(CK_OBJECT_HANDLE priv, find_key(s, uri, CKO_PRIVATE_KEY));
  FWSEAL_ASSIGN(CK_OBJECT_HANDLE pub, public_key_for(s, priv));
  auto impl = std::make_unique<TokenKey::Impl>(std::move(s), priv);
  const Session& session = impl->session;
  const std::string named = "key " + uri.describe_key() + " on " + session.token_name();

  FWSEAL_ASSIGN(impl->public_key, public_key_of(session, pub));
  Result<Algorithm> alg = algorithm_of(impl->public_key.get());
  if (!alg.ok()) return make_error(Code::hsm, named + ": " + alg.error().message);
  impl->algorithm = *alg;
  FWSEAL_ASSIGN(CK_ULONG type, session.ulong(priv, CKA_KEY_TYPE));
  if (type != key_type_of(*alg))
    return make_error(Code::hsm, named + ": the private key's type does not match its public key object");
  FWSEAL_ASSIGN(impl->key_id, key_id_of(impl->public_key.get()));

  KeyInfo& info = impl->info;
  info.token = session.token().label;
  FWSEAL_ASSIGN(info.label, session.bytes(priv, CKA_LABEL, kMaxLabelBytes));
  FWSEAL_ASSIGN(info.id, session.bytes(priv, CKA_ID, kMaxIdBytes));
  info.algorithm = impl->algorithm;
  info.key_id = impl->key_id;
  impl->described = uri.describe_key();
  return std::make_unique<TokenKey>(std::move(impl));
}

Result<std::unique_ptr<TokenKey>> open_signing_key(const Options& opts, std::string_view uri) {
  FWSEAL_ASSIGN(KeyUri parsed, parse_key_uri(uri));
  return open_signing_key(opts, parsed);
}

}  // namespace fwseal::hsm
