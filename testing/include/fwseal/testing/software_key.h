// The test kit's SigningKey (format/signing_key.h): a private key held in
// memory, for tests and the conformance vectors. It signs with sign_message
// (package_builder.h), as a token key signs: the same parameters, ECDSA in
// its low-S form. Release keys belong in an HSM (hsm::TokenKey).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "fwseal/base/error.h"
#include "fwseal/base/openssl.h"
#include "fwseal/format/signature.h"
#include "fwseal/format/signing_key.h"

namespace fwseal::test {

class SoftwareKey final : public SigningKey {
 public:
  // Code::untrusted if fwseal does not sign with this kind of key.
  static Result<std::unique_ptr<SoftwareKey>> from_key(ossl::PKey key);

  Algorithm algorithm() const override { return alg_; }
  const KeyId& key_id() const override { return id_; }
  const EVP_PKEY* public_key() const override { return key_.get(); }
  Result<std::string> sign(std::string_view message) const override;
  // The same EVP_PKEY, private half included, for tests that sign with
  // OpenSSL directly (e.g. certificates no CA of fwseal would issue).
  const EVP_PKEY* private_key() const { return key_.get(); }

 private:
  SoftwareKey(ossl::PKey key, Algorithm alg, KeyId id) : key_(std::move(key)), alg_(alg), id_(id) {}
  ossl::PKey key_;
  Algorithm alg_;
  KeyId id_;
};

// The key of a PEM private key file. Code::malformed if the file holds none,
// errors of read_file and SoftwareKey::from_key.
Result<std::unique_ptr<SigningKey>> load_software_key(const std::string& pem_path);

}  // namespace fwseal::test
