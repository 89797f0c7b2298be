// The keys of encrypted images inside a PKCS#11 token (docs/FORMAT.md
// "Encrypted images"): a device class's recipient key (ECDH on P-256, derived
// inside the token; the private key never leaves it) and a release's
// encryption secret (HMAC-SHA-256 inside the token; the data keys of its
// images derive from it, so the same secret always gives the same package).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "fwseal/base/error.h"
#include "fwseal/format/encryption.h"
#include "fwseal/hsm/hsm.h"
#include "fwseal/hsm/uri.h"

namespace fwseal::hsm {

// What `fwseal hsm keygen --alg` makes besides signing keys.
enum class EncryptionKeyKind {
  recipient_p256,  // "ecdh-p256": an EC P-256 key pair for derivation only
  secret,          // "hmac-sha256": a 32-byte generic secret for HMAC only
};

struct EncryptionKeyInfo {
  std::string token;
  std::string label;
  std::string uri;
  std::optional<KeyId> recipient_key_id;  // recipient keys: SHA-256 of the public key's SPKI
};

// Generates the key inside the token the URI names (object=LABEL, no id=),
// sensitive and never extractable. A recipient key pair's private key may
// only derive (CKA_DERIVE; no signing, decryption or unwrapping); a secret may
// only sign (CKM_SHA256_HMAC). Code::hsm with the module's reason (a module
// without the mechanism: CKR_MECHANISM_INVALID), Code::usage for a bad URI.
Result<EncryptionKeyInfo> generate_encryption_key(const Options& opts, const KeyUri& uri, EncryptionKeyKind kind);

// A recipient key in a token: ECDH with CKM_ECDH1_DERIVE (CKD_NULL); the
// shared secret comes back as a session object that is read and destroyed.
Result<std::unique_ptr<enc::RecipientKey>> open_recipient_key(const Options& opts, std::string_view uri);

// An encryption secret in a token: HMAC-SHA-256 with CKM_SHA256_HMAC.
Result<std::unique_ptr<enc::EncryptionSecret>> open_encryption_secret(const Options& opts, std::string_view uri);

}  // namespace fwseal::hsm
