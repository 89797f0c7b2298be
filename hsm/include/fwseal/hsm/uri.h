// PKCS#11 URIs (RFC 7512) naming fwseal's tokens and keys, e.g.
// "pkcs11:token=release;object=fw-signing" or "pkcs11:token=release;id=%0a%0b".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fwseal/base/error.h"

namespace fwseal::hsm {

struct KeyUri {
  // Token attributes; an empty string matches any token.
  std::string token;                  // token label
  std::string serial;                 // token serial number
  std::string manufacturer;           // token manufacturer
  std::string model;                  // token model
  std::optional<std::string> object;  // CKA_LABEL
  std::optional<std::string> id;      // CKA_ID, raw bytes
  std::string pin_source;             // pin-source query attribute (file: URI or path), decoded
  std::string module_path;            // module-path query attribute, decoded

  // For messages: "\"fw-signing\"", "id 0a0b" or "\"fw-signing\" (id 0a0b)".
  std::string describe_key() const;
};

// A URI naming one key: it needs a token and an object label or id.
// Code::usage for syntax errors, unknown or unsupported attributes, a missing
// token or key, an object type other than private/public, and for pin-value
// (PINs never go on the command line; use FWSEAL_PIN_FILE or pin-source).
Result<KeyUri> parse_key_uri(std::string_view uri);

// A URI selecting tokens (and optionally keys on them) for listing:
// "pkcs11:" matches every token. Same errors as parse_key_uri, but token and
// key may be left out.
Result<KeyUri> parse_token_uri(std::string_view uri);
// The URI of the token labelled `label` (any bytes, spaces included), as
// p11-kit writes it. Code::usage for an empty label or one over 32 bytes.
Result<KeyUri> token_uri_for_label(std::string_view label);

}  // namespace fwseal::hsm
