// The one interface of everything in fwseal that signs: a key inside a PKCS#11
// token (hsm/, hsm::TokenKey), the signing audit log's wrapper around a key
// (signer/), a key held in memory for tests and the conformance vectors
// (testing/, test::SoftwareKey). Everything that signs takes a SigningKey.
//
// It lives here, beside the signature algorithms it signs with, because
// format/ is the one library that hsm/, signer/ and ca/ all may link: none of
// them has to depend on another for the type, and fwseal-verify, which never
// signs, gets no code from it (nothing here is compiled into a library).
#pragma once

#include <string>
#include <string_view>

#include "fwseal/base/error.h"
#include "fwseal/format/signature.h"

namespace fwseal {

class SigningKey {
 public:
  virtual ~SigningKey() = default;

  virtual Algorithm algorithm() const = 0;
  virtual const KeyId& key_id() const = 0;         // key_id_of(public_key())
  virtual const EVP_PKEY* public_key() const = 0;  // with which every signature verifies

  // Signs the whole message the way verify_signature() checks it: the key
  // hashes as its algorithm requires (PureEdDSA for Ed25519), RSA-PSS with
  // SHA-256, MGF1-SHA-256 and a 32-byte salt, ECDSA as DER in its low-S form
  // (R22).
  virtual Result<std::string> sign(std::string_view message) const = 0;

 protected:
  SigningKey() = default;
  SigningKey(const SigningKey&) = default;
  SigningKey& operator=(const SigningKey&) = default;
};

}  // namespace fwseal
