// Key pairs on a token: generating, listing, reading public keys.
#include <vector>

#include "fwseal/hsm/hsm.h"
#include "fwseal/base/text.h"
#include "objects.h"
#include "public_key.h"
#include "session.h"
#include "state.h"

namespace fwseal::hsm {
namespace {


bool is_rsa(Algorithm alg) { return alg == Algorithm::rsa_pss_3072 || alg == Algorithm::rsa_pss_4096; }

// Destroys a freshly generated pair unless told it is complete, so a failed
// keygen leaves nothing behind on the token.
class PairGuard {
 public:
  PairGuard(const Session& s, CK_OBJECT_HANDLE pub, CK_OBJECT_HANDLE priv) : s_(s), pub_(pub), priv_(priv) {}
  PairGuard(const PairGuard&) = delete;
  PairGuard& operator=(const PairGuard&) = delete;
  ~PairGuard() {
    if (done_) return;
    s_.fn().C_DestroyObject(s_.handle(), priv_);
    s_.fn().C_DestroyObject(s_.handle(), pub_);
  }
  void commit() { done_ = true; }

 private:
  const Session& s_;
  CK_OBJECT_HANDLE pub_;
  CK_OBJECT_HANDLE priv_;
  bool done_ = false;
};

// Asks only for signing: strict modules refuse to be told about other uses.
// tpm2-pkcs11 fails with CKR_GENERAL_ERROR ("attr mismatch") when a template
// sets CKA_DECRYPT or CKA_ENCRYPT to false, and leaves the half-made object
// loaded in the TPM. restrict_uses() takes those uses away afterwards.
Result<std::pair<CK_OBJECT_HANDLE, CK_OBJECT_HANDLE>> generate_pair(const Session& s, const std::string& label,
                                                                    Algorithm alg) {
  CK_BBOOL yes = CK_TRUE;
  CK_BBOOL no = CK_FALSE;
  std::string params = ec_params_for(alg);
  CK_ULONG bits = alg == Algorithm::rsa_pss_4096 ? 4096 : 3072;
  CK_BYTE exponent[] = {0x01, 0x00, 0x01};

  std::vector<CK_ATTRIBUTE> pub{{CKA_TOKEN, &yes, sizeof yes},
                                {CKA_PRIVATE, &no, sizeof no},
                                {CKA_VERIFY, &yes, sizeof yes},
                                bytes_attribute(CKA_LABEL, label)};
  std::vector<CK_ATTRIBUTE> priv{{CKA_TOKEN, &yes, sizeof yes},     {CKA_PRIVATE, &yes, sizeof yes},
                                 {CKA_SENSITIVE, &yes, sizeof yes}, {CKA_EXTRACTABLE, &no, sizeof no},
                                 {CKA_SIGN, &yes, sizeof yes},      bytes_attribute(CKA_LABEL, label)};
  CK_MECHANISM mech{CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  if (is_rsa(alg)) {
    mech.mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN;
    pub.push_back({CKA_MODULUS_BITS, &bits, sizeof bits});
    pub.push_back({CKA_PUBLIC_EXPONENT, exponent, sizeof exponent});
  } else {
    if (alg == Algorithm::ed25519) mech.mechanism = CKM_EC_EDWARDS_KEY_PAIR_GEN;
    pub.push_back({CKA_EC_PARAMS, params.data(), params.size()});
  }
  CK_OBJECT_HANDLE h_pub = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE h_priv = CK_INVALID_HANDLE;
  CK_RV rv = s.fn().C_GenerateKeyPair(s.handle(), &mech, pub.data(), static_cast<CK_ULONG>(pub.size()), priv.data(),
                                      static_cast<CK_ULONG>(priv.size()), &h_pub, &h_priv);
  if (rv != CKR_OK)
    return pkcs11_error("generating an " + std::string(algorithm_name(alg)) + " key on " + s.token_name() + " failed",
                        rv, rv == CKR_MECHANISM_INVALID ? "the module does not support this algorithm" : "");
  return std::pair{h_pub, h_priv};
}

// Turns off every use of the new private key but signing that the module
// turned on by default (SoftHSM2 lets an RSA key decrypt and unwrap, an EC
// key derive). PKCS#11 lets these attributes be changed after creation; a
// module that refuses keeps the use, and the returned note names it.
std::string restrict_uses(const Session& s, CK_OBJECT_HANDLE priv) {
  std::string kept;
  for (CK_ATTRIBUTE_TYPE type : {CKA_DECRYPT, CKA_UNWRAP, CKA_DERIVE, CKA_SIGN_RECOVER}) {
    Result<bool> on = s.boolean(priv, type);
    if (!on.ok() || !*on) continue;  // absent (CKR_ATTRIBUTE_TYPE_INVALID) or off
    CK_BBOOL no = CK_FALSE;
    CK_ATTRIBUTE a{type, &no, sizeof no};
    CK_RV rv = s.fn().C_SetAttributeValue(s.handle(), priv, &a, 1);
    if (rv != CKR_OK) kept += (kept.empty() ? "" : ", ") + cka_name(type) + " (" + ckr_name(rv) + ")";
  }
  if (kept.empty()) return {};
  return "the module keeps these uses of the private key on, as it made them: " + kept;
}

// The URI naming a key by its token's label, its own label and its id (those
// it has).
Result<std::string> uri_of(const KeyInfo& key) {
  KeyUri u;
  u.token = key.token;
  if (!key.label.empty()) u.object = key.label;
  if (!key.id.empty()) u.id = key.id;
  return format_key_uri(u);
}

// Everything list_keys reports about one private key; problems become notes.
Result<KeyInfo> key_info(const Session& s, CK_OBJECT_HANDLE priv) {
  KeyInfo info;
  info.token = s.token().label;
  FWSEAL_ASSIGN(info.label, s.bytes(priv, CKA_LABEL, kMaxLabelBytes));
  FWSEAL_ASSIGN(info.id, s.bytes(priv, CKA_ID, kMaxIdBytes));
  FWSEAL_ASSIGN(info.uri, uri_of(info));
  Result<CK_OBJECT_HANDLE> pub = public_key_for(s, priv);
  if (!pub.ok()) {
    info.note = pub.error().message;
    return info;
  }
  Result<ossl::PKey> key = public_key_of(s, *pub);
  if (!key.ok()) {
    info.note = key.error().message;
    return info;
  }
  FWSEAL_ASSIGN(info.key_id, key_id_of(key->get()));
  // A recipient key of encrypted images (hsm keygen --alg ecdh-p256) derives and never signs.
  Result<bool> sign = s.boolean(priv, CKA_SIGN);
  Result<bool> derive = s.boolean(priv, CKA_DERIVE);
  if (sign.ok() && !*sign && derive.ok() && *derive) {
    info.note = "a recipient key (ecdh-p256, derive only): decrypts encrypted images, signs nothing";
    return info;
  }
  Result<Algorithm> alg = algorithm_of(key->get());
  if (alg.ok())
    info.algorithm = *alg;
  else
    info.note = alg.error().message;
  return info;
}

}  // namespace

Result<KeyInfo> generate_key(const Options& opts, const KeyUri& uri, Algorithm alg) {
  if (!uri.object) return make_error(Code::usage, "key generation needs the key's label in the URI (object=LABEL)");
  if (uri.id)
    return make_error(Code::usage, "key generation sets the id to the fwseal key id; leave id= out of the URI");
  FWSEAL_ASSIGN(Session s, open_token(opts, uri, true));
  FWSEAL_TRY(s.login_user(uri.pin_source));

  const std::string& label = *uri.object;
  FWSEAL_ASSIGN(std::vector<CK_OBJECT_HANDLE> existing, s.find({bytes_attribute(CKA_LABEL, label)}));
  if (!existing.empty())
    return make_error(Code::hsm,
                      "key " + quote(label) + " already exists on " + s.token_name() + "; choose another label");

  FWSEAL_ASSIGN(auto pair, generate_pair(s, label, alg));
  auto [pub, priv] = pair;
  PairGuard guard(s, pub, priv);
  const std::string note = restrict_uses(s, priv);
  FWSEAL_ASSIGN(ossl::PKey key, public_key_of(s, pub));
  Result<Algorithm> got = algorithm_of(key.get());
  if (!got.ok() || *got != alg)
    return make_error(Code::hsm, "the module generated a key on " + s.token_name() + " that is not " +
                                     std::string(algorithm_name(alg)));
  FWSEAL_ASSIGN(KeyId key_id, key_id_of(key.get()));
  std::string id(key_id.begin(), key_id.end());
  if (set_key_id(s, priv, id).ok()) {
    // Half-set ids would unpair the keys; a failure here undoes the keygen.
    FWSEAL_TRY(set_key_id(s, pub, id));
  } else {
    FWSEAL_ASSIGN(id, s.bytes(priv, CKA_ID, kMaxIdBytes));  // the module keeps its own id
  }
  FWSEAL_TRY(s.publish());
  KeyInfo info{s.token().label, label, id, alg, key_id, note, {}};
  FWSEAL_ASSIGN(info.uri, uri_of(info));
  guard.commit();
  return info;
}

Result<std::vector<KeyInfo>> list_keys(const Options& opts, const KeyUri& uri) {
  FWSEAL_ASSIGN(std::shared_ptr<Module> module, open_module(opts, uri));
  std::vector<TokenSlot> tokens;
  if (uri.token.empty()) {
    FWSEAL_ASSIGN(tokens, matching_tokens(*module, uri));
  } else {
    FWSEAL_ASSIGN(TokenSlot t, find_token_or_explain(opts, *module, uri));
    tokens.push_back(std::move(t));
  }
  std::vector<KeyInfo> out;
  for (TokenSlot& t : tokens) {
    FWSEAL_ASSIGN(Session s, Session::open(module, std::move(t), false));
    FWSEAL_TRY(s.login_user(uri.pin_source));
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    std::vector<CK_ATTRIBUTE> tmpl{{CKA_CLASS, &cls, sizeof cls}};
    if (uri.object) tmpl.push_back(bytes_attribute(CKA_LABEL, *uri.object));
    if (uri.id) tmpl.push_back(bytes_attribute(CKA_ID, *uri.id));
    FWSEAL_ASSIGN(std::vector<CK_OBJECT_HANDLE> keys, s.find(tmpl));
    for (CK_OBJECT_HANDLE k : keys) {
      FWSEAL_ASSIGN(KeyInfo info, key_info(s, k));
      out.push_back(std::move(info));
    }
  }
  return out;
}

Result<ossl::PKey> read_public_key(const Options& opts, const KeyUri& uri) {
  FWSEAL_ASSIGN(Session s, open_token(opts, uri, false));
  FWSEAL_ASSIGN(CK_OBJECT_HANDLE pub, find_key(s, uri, CKO_PUBLIC_KEY));
  return public_key_of(s, pub);
}

}  // namespace fwseal::hsm
