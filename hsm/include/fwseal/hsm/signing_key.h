// Signing with a private key that stays inside a PKCS#11 token.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "fwseal/base/error.h"
#include "fwseal/format/signature.h"
#include "fwseal/format/signing_key.h"
#include "fwseal/hsm/hsm.h"
#include "fwseal/hsm/uri.h"

namespace fwseal::hsm {

// A logged-in handle on one private key and its public key object: the
// SigningKey (format/signing_key.h) of a PKCS#11 token. The session stays
// open (and logged in) for the handle's lifetime; sign() may be called from
// several threads.
class TokenKey final : public SigningKey {
 public:
  struct Impl;
  explicit TokenKey(std::unique_ptr<Impl> impl);
  TokenKey(const TokenKey&) = delete;
  TokenKey& operator=(const TokenKey&) = delete;
  ~TokenKey() override;

  Algorithm algorithm() const override;
  const KeyId& key_id() const override;         // SHA-256 of the public key's SPKI
  const EVP_PKEY* public_key() const override;  // read from the token's public key object
  const KeyInfo& info() const;

  // Signs inside the token: ECDSA signatures are DER in their low-S form,
  // RSA-PSS uses SHA-256/MGF1-SHA-256/32-byte salt, Ed25519 is PureEdDSA over
  // the message. The signature is verified against public_key() before it is
  // returned. Code::hsm if the token fails or returns a signature that does
  // not verify.
  Result<std::string> sign(std::string_view message) const override;

 private:
  std::unique_ptr<Impl> impl_;
};

// Opens the token the URI names, logs in (see hsm.h for the PIN sources) and
// finds exactly one private key by the URI's object and/or id, plus its
// public key object (same CKA_ID, or same label if the key has no id).
// Code::hsm if the module, token or keys cannot be found (the message lists
// the tokens or says how to list keys) or the key is not of an fwseal
// algorithm, Code::login for PIN problems.
Result<std::unique_ptr<TokenKey>> open_signing_key(const Options& opts, const KeyUri& uri);
// The same for a URI as written; Code::usage if it is not a key URI
// (parse_key_uri).
Result<std::unique_ptr<TokenKey>> open_signing_key(const Options& opts, std::string_view uri);

}  // namespace fwseal::hsm
