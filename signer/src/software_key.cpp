#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "fwseal/base/file.h"
#include "fwseal/signer/signer.h"

namespace fwseal::signer {
namespace {

class SoftwareKey final : public SigningKey {
 public:
  SoftwareKey(ossl::PKey key, Algorithm alg, KeyId id) : key_(std::move(key)), alg_(alg), id_(id) {}
  Algorithm algorithm() const override { return alg_; }
  const KeyId& key_id() const override { return id_; }
  const EVP_PKEY* public_key() const override { return key_.get(); }

  Result<std::string> sign(std::string_view message) const override {
    ossl::MdCtx ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, algorithm_digest(alg_), nullptr, key_.get()) != 1)
      return make_error(Code::internal, "cannot start signing: " + ossl::last_error());
    if (alg_ == Algorithm::rsa_pss_3072 || alg_ == Algorithm::rsa_pss_4096) {
      if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
          EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, algorithm_digest(alg_)) != 1 ||
          EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)
        return make_error(Code::internal, "cannot set RSA-PSS parameters: " + ossl::last_error());
    }
    const auto* msg = reinterpret_cast<const unsigned char*>(message.data());
    std::size_t len = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &len, msg, message.size()) != 1)
      return make_error(Code::internal, "signing failed: " + ossl::last_error());
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, msg, message.size()) != 1)
      return make_error(Code::internal, "signing failed: " + ossl::last_error());
    sig.resize(len);
    return ecdsa_low_s(alg_, sig);  // the form packages store (R22), like the HSM key's
  }

 private:
  ossl::PKey key_;
  Algorithm alg_;
  KeyId id_;
};

}  // namespace

Result<std::unique_ptr<SigningKey>> load_software_key(const std::string& pem_path) {
  FWSEAL_ASSIGN(std::string pem, read_file(pem_path, 1 << 20));
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  ossl::PKey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!key) return make_error(Code::malformed, pem_path + ": not a PEM private key");
  FWSEAL_ASSIGN(Algorithm alg, algorithm_of(key.get()));
  FWSEAL_ASSIGN(KeyId id, key_id_of(key.get()));
  return std::unique_ptr<SigningKey>(new SoftwareKey(std::move(key), alg, id));
}

}  // namespace fwseal::signer
