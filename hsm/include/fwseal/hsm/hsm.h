// Tokens and keys in a PKCS#11 module: creating a SoftHSM2 token in fwseal's
// state directory, generating key pairs inside a token, listing keys and
// reading public keys. Signing is in signing_key.h.
//
// The module comes from Options::module, else the URI's module-path, else the
// module registered with p11-kit under the URI's module-name, else
// $FWSEAL_PKCS11_MODULE, else SoftHSM2. When <home>/softhsm2.conf exists,
// SOFTHSM2_CONF points there whatever the module (SoftHSM2 itself, or
// p11-kit's proxy loading it), so fwseal's tokens live under <home>/tokens
// and never in /etc/softhsm. PINs come from
// $FWSEAL_PIN, the file $FWSEAL_PIN_FILE, the URI's pin-source, or a prompt on
// the terminal; never from arguments. Whether a login would prompt, and how
// child processes get (or do not get) the PIN: pin_sources.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/base/openssl.h"
#include "fwseal/format/signature.h"
#include "fwseal/hsm/uri.h"

namespace fwseal::hsm {

struct Options {
  std::string module;  // PKCS#11 module file (--module); empty: see above
  std::string home;    // state directory; empty: $FWSEAL_HOME, else ./.fwseal
};

// The state directory `opts` refers to.
std::string home_dir(const Options& opts);

struct TokenInfo {
  std::string label;
  std::string serial;
  std::string module;         // module file
  std::string softhsm2_conf;  // the configuration the token was created under
};

// Creates <home>/softhsm2.conf (tokens in <home>/tokens, file object store)
// and <home>/tokens/ if missing, then initialises a new SoftHSM2 token called
// `label` on a free slot, with the SO PIN from $FWSEAL_SO_PIN /
// $FWSEAL_SO_PIN_FILE / the terminal and the user PIN from $FWSEAL_PIN /
// $FWSEAL_PIN_FILE / the terminal. Code::usage for a bad label or a module
// other than SoftHSM2, Code::io if the state directory cannot be written,
// Code::hsm if a token called `label` exists or the module fails,
// Code::login if a PIN is missing or unacceptable.
Result<TokenInfo> init_token(const Options& opts, std::string_view label);

struct KeyInfo {
  std::string token;                   // token label
  std::string label;                   // CKA_LABEL
  std::string id;                      // CKA_ID, raw bytes
  std::optional<Algorithm> algorithm;  // nullopt: fwseal cannot sign with it (see note)
  std::optional<KeyId> key_id;         // SHA-256 of the public key's SPKI; nullopt if unknown
  std::string note;                    // why algorithm or key_id is missing (generate_key: see there); else empty
  std::string uri;                     // a key URI naming it (token, object, id), as format_key_uri writes it
};

// Generates a key pair inside the token: the private key is a sensitive,
// non-extractable token object for signing. The templates ask for
// CKA_SIGN/CKA_VERIFY only and say nothing of other uses, which strict modules
// refuse to be told (tpm2-pkcs11: CKR_GENERAL_ERROR, "attr mismatch"); uses
// the module then turns on by default (decrypt, unwrap, derive, sign-recover)
// are turned off on the new key, and where the module refuses that, the
// KeyInfo's note names what it kept. CKA_LABEL is the URI's
// object and CKA_ID the fwseal key id (when the module allows setting it).
// The URI must name the key by object label, without id. Code::usage for such
// URI problems, Code::hsm if the label exists on the token or the module
// fails, Code::login for PIN problems.
Result<KeyInfo> generate_key(const Options& opts, const KeyUri& uri, Algorithm alg);

// Every private key on the tokens the URI selects (all initialised tokens for
// "pkcs11:"), filtered by the URI's object and id if given, each with its
// URI; a key fwseal cannot sign with has no algorithm and a note saying why
// (its size, curve or key type, a missing attribute or public key object).
// Logs in to each token. Code::hsm, Code::login.
Result<std::vector<KeyInfo>> list_keys(const Options& opts, const KeyUri& uri);

// The public key object the URI names, read without logging in (for
// `fwseal hsm pubkey`). Code::hsm if there is none, several, or it is not an
// EC P-256/P-384, Ed25519 or RSA key.
Result<ossl::PKey> read_public_key(const Options& opts, const KeyUri& uri);

}  // namespace fwseal::hsm
