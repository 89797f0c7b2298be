// Public keys of token objects as OpenSSL keys, and the curve parameters
// fwseal generates keys with. Internal to hsm/.
#pragma once

#include <string>

#include "fwseal/base/error.h"
#include "fwseal/base/openssl.h"
#include "fwseal/format/signature.h"
#include "session.h"

namespace fwseal::hsm {

// CKA_EC_PARAMS (the curve's DER OID) for the EC and Edwards algorithms.
std::string ec_params_for(Algorithm alg);

// The public key held by a public key object: EC (CKA_EC_PARAMS and
// CKA_EC_POINT, the point DER-wrapped or raw), Ed25519 (likewise, params as
// OID or as the printable string "edwards25519") or RSA (CKA_MODULUS and
// CKA_PUBLIC_EXPONENT). Code::hsm for unreadable, malformed or unsupported keys.
Result<ossl::PKey> public_key_of(const Session& session, CK_OBJECT_HANDLE pub);

}  // namespace fwseal::hsm
