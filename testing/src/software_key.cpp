#include "fwseal/testing/software_key.h"

#include <openssl/pem.h>

#include "fwseal/base/file.h"
#include "fwseal/testing/package_builder.h"

namespace fwseal::test {

Result<std::unique_ptr<SoftwareKey>> SoftwareKey::from_key(ossl::PKey key) {
  FWSEAL_ASSIGN(Algorithm alg, algorithm_of(key.get()));
  FWSEAL_ASSIGN(KeyId id, key_id_of(key.get()));
  return std::unique_ptr<SoftwareKey>(new SoftwareKey(std::move(key), alg, id));
}

Result<std::string> SoftwareKey::sign(std::string_view message) const { return sign_message(key_.get(), message); }

Result<std::unique_ptr<SigningKey>> load_software_key(const std::string& pem_path) {
  FWSEAL_ASSIGN(std::string pem, read_file(pem_path, 1 << 20));
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  ossl::PKey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!key) return make_error(Code::malformed, pem_path + ": not a PEM private key");
  FWSEAL_ASSIGN(std::unique_ptr<SoftwareKey> k, SoftwareKey::from_key(std::move(key)));
  return std::unique_ptr<SigningKey>(std::move(k));
}

}  // namespace fwseal::test
