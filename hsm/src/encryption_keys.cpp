#include "fwseal/hsm/encryption_keys.h"

#include <openssl/crypto.h>

#include <mutex>
#include <vector>

#include "fwseal/base/text.h"
#include "objects.h"
#include "public_key.h"
#include "session.h"
#include "state.h"

namespace fwseal::hsm {
namespace {

// The same URI as keys.cpp writes: token, label, id.
Result<std::string> uri_for(const std::string& token, const std::string& label, const std::string& id) {
  KeyUri u;
  u.token = token;
  u.object = label;
  if (!id.empty()) u.id = id;
  return format_key_uri(u);
}

class Destroy {
 public:
  Destroy(const Session& s, std::vector<CK_OBJECT_HANDLE> objects) : s_(s), objects_(std::move(objects)) {}
  Destroy(const Destroy&) = delete;
  Destroy& operator=(const Destroy&) = delete;
  ~Destroy() {
    if (!done_)
      for (auto o : objects_) s_.fn().C_DestroyObject(s_.handle(), o);
  }
  void commit() { done_ = true; }

 private:
  const Session& s_;
  std::vector<CK_OBJECT_HANDLE> objects_;
  bool done_ = false;
};

Result<EncryptionKeyInfo> generate_recipient(const Session& s, const std::string& label) {
  CK_BBOOL yes = CK_TRUE;
  CK_BBOOL no = CK_FALSE;
  const std::string params = ec_params_for(Algorithm::ecdsa_p256);
  std::vector<CK_ATTRIBUTE> pub{{CKA_TOKEN, &yes, sizeof yes},
                                {CKA_PRIVATE, &no, sizeof no},
                                {CKA_EC_PARAMS, const_cast<char*>(params.data()), params.size()},
                                bytes_attribute(CKA_LABEL, label)};
  std::vector<CK_ATTRIBUTE> priv{{CKA_TOKEN, &yes, sizeof yes},       {CKA_PRIVATE, &yes, sizeof yes},
                                 {CKA_SENSITIVE, &yes, sizeof yes},   {CKA_EXTRACTABLE, &no, sizeof no},
                                 {CKA_DERIVE, &yes, sizeof yes},      bytes_attribute(CKA_LABEL, label)};
  CK_MECHANISM mech{CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  CK_OBJECT_HANDLE h_pub = CK_INVALID_HANDLE, h_priv = CK_INVALID_HANDLE;
  CK_RV rv = s.fn().C_GenerateKeyPair(s.handle(), &mech, pub.data(), static_cast<CK_ULONG>(pub.size()), priv.data(),
                                      static_cast<CK_ULONG>(priv.size()), &h_pub, &h_priv);
  if (rv != CKR_OK)
    return pkcs11_error("generating an ecdh-p256 recipient key on " + s.token_name() + " failed", rv,
                        rv == CKR_MECHANISM_INVALID ? "the module does not support this algorithm" : "");
  Destroy guard(s, {h_pub, h_priv});
  // Derivation only: uses a module turns on by default are turned off.
  for (CK_ATTRIBUTE_TYPE type : {CKA_SIGN, CKA_DECRYPT, CKA_UNWRAP, CKA_SIGN_RECOVER}) {
    Result<bool> on = s.boolean(h_priv, type);
    if (!on.ok() || !*on) continue;
    CK_ATTRIBUTE a{type, &no, sizeof no};
    if (CK_RV r = s.fn().C_SetAttributeValue(s.handle(), h_priv, &a, 1); r != CKR_OK)
      return pkcs11_error("the module keeps " + cka_name(type) + " on for a recipient key on " + s.token_name(), r);
  }
  FWSEAL_ASSIGN(ossl::PKey key, public_key_of(s, h_pub));
  FWSEAL_ASSIGN(enc::Recipient r, enc::recipient_from_public_key(key.get(), "the generated key"));
  const std::string id(r.key_id.begin(), r.key_id.end());
  FWSEAL_TRY(set_key_id(s, h_priv, id));
  FWSEAL_TRY(set_key_id(s, h_pub, id));
  FWSEAL_TRY(s.publish());
  EncryptionKeyInfo info{s.token().label, label, {}, r.key_id};
  FWSEAL_ASSIGN(info.uri, uri_for(info.token, label, id));
  guard.commit();
  return info;
}

Result<EncryptionKeyInfo> generate_secret(const Session& s, const std::string& label) {
  CK_BBOOL yes = CK_TRUE;
  CK_BBOOL no = CK_FALSE;
  CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
  CK_KEY_TYPE type = CKK_GENERIC_SECRET;
  CK_ULONG len = 32;
  std::vector<CK_ATTRIBUTE> tmpl{{CKA_CLASS, &cls, sizeof cls},         {CKA_KEY_TYPE, &type, sizeof type},
                                 {CKA_TOKEN, &yes, sizeof yes},         {CKA_PRIVATE, &yes, sizeof yes},
                                 {CKA_SENSITIVE, &yes, sizeof yes},     {CKA_EXTRACTABLE, &no, sizeof no},
                                 {CKA_SIGN, &yes, sizeof yes},          {CKA_VALUE_LEN, &len, sizeof len},
                                 bytes_attribute(CKA_LABEL, label)};
  CK_MECHANISM mech{CKM_GENERIC_SECRET_KEY_GEN, nullptr, 0};
  CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
  CK_RV rv = s.fn().C_GenerateKey(s.handle(), &mech, tmpl.data(), static_cast<CK_ULONG>(tmpl.size()), &h);
  if (rv != CKR_OK)
    return pkcs11_error("generating an hmac-sha256 encryption secret on " + s.token_name() + " failed", rv,
                        rv == CKR_MECHANISM_INVALID ? "the module does not support this algorithm" : "");
  Destroy guard(s, {h});
  FWSEAL_TRY(s.publish());
  EncryptionKeyInfo info{s.token().label, label, {}, std::nullopt};
  FWSEAL_ASSIGN(info.uri, uri_for(info.token, label, ""));
  guard.commit();
  return info;
}

class TokenRecipient final : public enc::RecipientKey {
 public:
  TokenRecipient(Session s, CK_OBJECT_HANDLE priv, KeyId id, std::string described)
      : session_(std::move(s)), priv_(priv), id_(id), described_(std::move(described)) {}
  enc::KeyAgreement agreement() const override { return enc::KeyAgreement::p256; }
  const KeyId& key_id() const override { return id_; }
  std::string describe() const override { return described_; }

  Result<std::string> agree(std::string_view peer) const override {
    std::lock_guard lock(mu_);
    const Session& s = session_;
    const std::string what = "ECDH with " + described_;
    FWSEAL_TRY(enc::check_public_point(enc::KeyAgreement::p256, peer, what));
    CK_ECDH1_DERIVE_PARAMS params{CKD_NULL, 0, nullptr, static_cast<CK_ULONG>(peer.size()),
                                  reinterpret_cast<CK_BYTE_PTR>(const_cast<char*>(peer.data()))};
    CK_MECHANISM mech{CKM_ECDH1_DERIVE, &params, sizeof params};
    CK_BBOOL yes = CK_TRUE;
    CK_BBOOL no = CK_FALSE;
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    CK_KEY_TYPE type = CKK_GENERIC_SECRET;
    CK_ULONG len = 32;
    // A session object the host may read: the shared secret only, never the key.
    std::vector<CK_ATTRIBUTE> tmpl{{CKA_CLASS, &cls, sizeof cls},       {CKA_KEY_TYPE, &type, sizeof type},
                                   {CKA_TOKEN, &no, sizeof no},         {CKA_SENSITIVE, &no, sizeof no},
                                   {CKA_EXTRACTABLE, &yes, sizeof yes}, {CKA_VALUE_LEN, &len, sizeof len}};
    CK_OBJECT_HANDLE derived = CK_INVALID_HANDLE;
    CK_RV rv = s.fn().C_DeriveKey(s.handle(), &mech, priv_, tmpl.data(), static_cast<CK_ULONG>(tmpl.size()), &derived);
    if (rv == CKR_MECHANISM_PARAM_INVALID || rv == CKR_DOMAIN_PARAMS_INVALID)
      return make_error(Code::decryption, what + ": the token refuses the ephemeral public key (" + ckr_name(rv) + ")");
    if (rv != CKR_OK) return pkcs11_error(what + " failed (C_DeriveKey)", rv);
    Destroy guard(s, {derived});
    auto value = s.bytes(derived, CKA_VALUE, 64);
    if (!value.ok()) return std::move(value).error();
    if (value->size() != 32) {
      OPENSSL_cleanse(value->data(), value->size());
      return make_error(Code::hsm, what + ": the module returned a shared secret of " + std::to_string(value->size()) +
                                       " bytes, expected 32");
    }
    return value;
  }

 private:
  Session session_;
  CK_OBJECT_HANDLE priv_;
  KeyId id_;
  std::string described_;
  mutable std::mutex mu_;
};

class TokenSecret final : public enc::EncryptionSecret {
 public:
  TokenSecret(Session s, CK_OBJECT_HANDLE key, std::string described)
      : session_(std::move(s)), key_(key), described_(std::move(described)) {}
  std::string describe() const override { return described_; }

  Result<std::array<std::uint8_t, 32>> hmac_sha256(std::string_view message) const override {
    std::lock_guard lock(mu_);
    const Session& s = session_;
    const std::string what = "HMAC-SHA-256 with " + described_;
    CK_MECHANISM mech{CKM_SHA256_HMAC, nullptr, 0};
    CK_RV rv = s.fn().C_SignInit(s.handle(), &mech, key_);
    if (rv != CKR_OK) return pkcs11_error(what + " failed (C_SignInit)", rv);
    std::array<std::uint8_t, 64> buf{};
    CK_ULONG len = buf.size();
    rv = s.fn().C_Sign(s.handle(), reinterpret_cast<CK_BYTE_PTR>(const_cast<char*>(message.data())),
                       static_cast<CK_ULONG>(message.size()), buf.data(), &len);
    if (rv != CKR_OK) return pkcs11_error(what + " failed (C_Sign)", rv);
    if (len != 32)
      return make_error(Code::hsm, what + ": the module returned " + std::to_string(len) + " bytes, expected 32");
    std::array<std::uint8_t, 32> out{};
    std::copy_n(buf.begin(), 32, out.begin());
    OPENSSL_cleanse(buf.data(), buf.size());
    return out;
  }

 private:
  Session session_;
  CK_OBJECT_HANDLE key_;
  std::string described_;
  mutable std::mutex mu_;
};

}  // namespace

Result<EncryptionKeyInfo> generate_encryption_key(const Options& opts, const KeyUri& uri, EncryptionKeyKind kind) {
  if (!uri.object) return make_error(Code::usage, "key generation needs the key's label in the URI (object=LABEL)");
  if (uri.id) return make_error(Code::usage, "key generation sets the id itself; leave id= out of the URI");
  FWSEAL_ASSIGN(Session s, open_token(opts, uri, true));
  FWSEAL_TRY(s.login_user(uri.pin_source));
  FWSEAL_ASSIGN(std::vector<CK_OBJECT_HANDLE> existing, s.find({bytes_attribute(CKA_LABEL, *uri.object)}));
  if (!existing.empty())
    return make_error(Code::hsm, "key " + quote(*uri.object) + " already exists on " + s.token_name() +
                                     "; choose another label");
  return kind == EncryptionKeyKind::secret ? generate_secret(s, *uri.object) : generate_recipient(s, *uri.object);
}

Result<std::unique_ptr<enc::RecipientKey>> open_recipient_key(const Options& opts, std::string_view text) {
  FWSEAL_ASSIGN(KeyUri uri, parse_key_uri(text));
  FWSEAL_ASSIGN(Session s, open_token(opts, uri, false));
  FWSEAL_TRY(s.login_user(uri.pin_source));
  FWSEAL_ASSIGN(CK_OBJECT_HANDLE priv, find_key(s, uri, CKO_PRIVATE_KEY));
  const std::string named = "key " + uri.describe_key() + " on " + s.token_name();
  FWSEAL_ASSIGN(bool derive, s.boolean(priv, CKA_DERIVE));
  if (!derive)
    return make_error(Code::usage, named + " may not derive (CKA_DERIVE is off): it is not a recipient key; make "
                                           "one with fwseal hsm keygen --alg ecdh-p256");
  FWSEAL_ASSIGN(CK_OBJECT_HANDLE pub, public_key_for(s, priv));
  FWSEAL_ASSIGN(ossl::PKey key, public_key_of(s, pub));
  auto r = enc::recipient_from_public_key(key.get(), named);
  if (!r.ok()) return make_error(Code::usage, r.error().message);
  if (r->agreement != enc::KeyAgreement::p256)
    return make_error(Code::usage, named + ": recipient keys in a token are P-256");
  return std::unique_ptr<enc::RecipientKey>(new TokenRecipient(std::move(s), priv, r->key_id, named));
}

Result<std::unique_ptr<enc::EncryptionSecret>> open_encryption_secret(const Options& opts, std::string_view text) {
  FWSEAL_ASSIGN(KeyUri uri, parse_key_uri(text));
  FWSEAL_ASSIGN(Session s, open_token(opts, uri, false));
  FWSEAL_TRY(s.login_user(uri.pin_source));
  FWSEAL_ASSIGN(CK_OBJECT_HANDLE key, find_key(s, uri, CKO_SECRET_KEY));
  const std::string named = "secret " + uri.describe_key() + " on " + s.token_name();
  return std::unique_ptr<enc::EncryptionSecret>(new TokenSecret(std::move(s), key, named));
}

}  // namespace fwseal::hsm
