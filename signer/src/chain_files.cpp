// Files a signer is given beside its key: the certificate chain to embed and,
// for an imported signature, the signer's public key.
#include <openssl/x509.h>

#include "fwseal/base/file.h"
#include "fwseal/format/x509.h"
#include "fwseal/signer/signer.h"

namespace fwseal::signer {

Result<std::vector<std::string>> load_certificate_chain(const std::string& path) {
  FWSEAL_ASSIGN(std::string pem, read_file(path, 1 << 20));
  return certificates_from_pem(pem, path, kMaxChainCertificates);
}

Result<ossl::PKey> import_public_key(const std::optional<std::string>& pubkey_path,
                                     const std::vector<std::string>& chain_der) {
  if (pubkey_path) {
    FWSEAL_ASSIGN(std::string pem, read_file(*pubkey_path, 1 << 20));
    return public_key_from_pem(pem, *pubkey_path);
  }
  if (chain_der.empty())
    return make_error(Code::usage, "--import-signature needs --pubkey PEM or --cert CHAIN.pem (the signer's key)");
  FWSEAL_ASSIGN(ossl::X509Ptr cert, certificate_from_der(chain_der[0], "--cert: the first certificate"));
  ossl::PKey key(X509_get_pubkey(cert.get()));
  if (!key) return make_error(Code::malformed, "--cert: the first certificate has no usable public key");
  return key;
}

}  // namespace fwseal::signer
