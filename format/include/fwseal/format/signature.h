// Signature algorithms, key ids, and the signature envelope stored in a
// package's signature/<key id>.json entry.
//
// Signed bytes: kSignaturePrefix || manifest bytes (docs/FORMAT.md gives the
// openssl commands that verify each algorithm by hand).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/digest.h"
#include "fwseal/base/error.h"
#include "fwseal/base/openssl.h"

namespace fwseal {

// At most this many certificates in one envelope's chain (docs/FORMAT.md, each
// at most kMaxCertificateDerBytes of DER, x509.h).
inline constexpr std::size_t kMaxChainCertificates = 8;

// Domain separation: no manifest (which starts with '{') and no other fwseal
// signature input starts with these bytes.
inline constexpr std::string_view kSignedBytesPrefix = "fwseal/manifest-signature/v1\n";

enum class Algorithm { ecdsa_p256, ecdsa_p384, ed25519, rsa_pss_3072, rsa_pss_4096 };

inline constexpr Algorithm kAllAlgorithms[] = {Algorithm::ecdsa_p256, Algorithm::ecdsa_p384,
                                               Algorithm::ed25519, Algorithm::rsa_pss_3072,
                                               Algorithm::rsa_pss_4096};

std::string_view algorithm_name(Algorithm alg);  // "ecdsa-p256", ..., "rsa-pss-4096"
Result<Algorithm> parse_algorithm(std::string_view name, std::string_view where);

// The message digest used with `alg`: SHA-256 (P-256, RSA-PSS), SHA-384 (P-384),
// none for Ed25519 (PureEdDSA signs the message itself).
const EVP_MD* algorithm_digest(Algorithm alg);

// The algorithm a public key is used with: by curve, or by RSA modulus size.
// Code::untrusted for keys fwseal does not sign with (other curves, RSA below
// 3072 or of another size).
Result<Algorithm> algorithm_of(const EVP_PKEY* key);

// The one encoding fwseal gives a public key, whatever encoding it came in:
// RSA as rsaEncryption (an id-RSASSA-PSS SubjectPublicKeyInfo of the same
// modulus and exponent is the same key), EC on its named curve with an
// uncompressed point, Ed25519 as its 32 bytes. Any curve or RSA size (keys
// fwseal does not sign with still get one id); Code::untrusted for other key
// types.
Result<ossl::PKey> canonical_public_key(const EVP_PKEY* key);

// SHA-256 of the DER SubjectPublicKeyInfo of canonical_public_key: one key,
// one id, so that one key can never count as two.
using KeyId = Sha256;
Result<KeyId> key_id_of(const EVP_PKEY* key);

// Refuses public keys no honest signer has, with which a forged signature can
// verify or that are outside their group: an Ed25519 point of small order
// (the identity made a forged signature verify) or not canonically encoded,
// an EC point at infinity or off the curve, an RSA public exponent that is
// even, below 65537 or above 2^256. Code::untrusted naming `where`.
Status check_public_key(const EVP_PKEY* key, std::string_view where);

Result<ossl::PKey> public_key_from_pem(std::string_view pem, std::string_view where);
Result<ossl::PKey> public_key_from_der(std::string_view der, std::string_view where);
Result<std::string> public_key_to_pem(const EVP_PKEY* key);
Result<std::string> public_key_to_der(const EVP_PKEY* key);

std::string signed_bytes(std::string_view manifest_bytes);

// Checks `sig` over `message` with `key` for `alg`. The key must be of the
// algorithm's type and size. ECDSA signatures are DER with a low S (R22);
// RSA-PSS signatures are exactly as long as the modulus and use MGF1 with the
// same digest and a salt as long as the digest. Code::signature on a
// mismatch (a high S starting "R22: "; the caller names the rule of the
// rest), Code::untrusted if the key does not fit `alg`.
Status verify_signature(Algorithm alg, const EVP_PKEY* key, std::string_view message,
                        std::string_view sig);

// ECDSA signatures are malleable: (r, s) and (r, n - s) both verify. fwseal
// stores only the low-S form, s <= n/2 (rule R22), so that every byte of a
// package is canonical. Returns `der` unchanged for other algorithms and for
// low-S signatures, else the DER of (r, n - s). Code::signature if `der` is not
// a DER ECDSA-Sig-Value.
Result<std::string> ecdsa_low_s(Algorithm alg, std::string_view der);

struct SignatureEnvelope {
  Algorithm algorithm = Algorithm::ecdsa_p256;
  KeyId key_id{};
  std::string signature;                // raw bytes
  std::vector<std::string> certificates;  // DER, signer first (optional chain)
};

// Canonical JSON of the envelope: {"algorithm","certificates"?,"format","key_id","signature"}.
Result<std::string> serialize_envelope(const SignatureEnvelope& env);
// Strict parse: canonical JSON, known members, sizes; Code::malformed starting
// with R15 (R5 for the size of the certificate chain) and naming `where`.
Result<SignatureEnvelope> parse_envelope(std::string_view bytes, std::string_view where);

// The signature area of a version-2 package, `signatures.json` (R24): the
// canonical JSON {"format":"fwseal-signatures","signatures":[envelope...]}, the
// envelopes sorted by key id, then ASCII spaces up to exactly `space` bytes
// (the manifest's signature_space). Code::usage if they do not fit or a key
// signs twice.
inline constexpr std::string_view kSignatureAreaFormat = "fwseal-signatures";
Result<std::string> serialize_signature_area(std::vector<SignatureEnvelope> envelopes, std::uint64_t space);
// Strict parse of the area's bytes (all of them): Code::malformed starting
// with R24 (R15 for an envelope, R5 for their number) and naming
// "signatures.json.signatures[i]" and, for the padding, the offset.
Result<std::vector<SignatureEnvelope>> parse_signature_area(std::string_view bytes, std::uint64_t data_offset);

}  // namespace fwseal
