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
  std::optional<unsigned long> slot_id;  // slot-id: the module's CK_SLOT_ID of the token's slot
  std::optional<std::string> object;  // CKA_LABEL
  std::optional<std::string> id;      // CKA_ID, raw bytes
  std::string pin_source;             // pin-source query attribute (file: URI or path), decoded
  std::string module_path;            // module-path query attribute, decoded
  std::string module_name;            // module-name query attribute: a module registered with p11-kit

  // For messages: "\"fw-signing\"", "id 0a0b" or "\"fw-signing\" (id 0a0b)".
  std::string describe_key() const;
};

// A URI naming one key: it needs a token (token=, serial= or slot-id=) and an
// object label or id. Code::usage for syntax errors, unknown or unsupported
// attributes (the message names the attribute), a missing token or key, an
// object type other than private/public, module-path and module-name
// together, and for pin-value (PINs never go on the command line; use
// FWSEAL_PIN_FILE or pin-source).
Result<KeyUri> parse_key_uri(std::string_view uri);

// A URI selecting tokens (and optionally keys on them) for listing:
// "pkcs11:" matches every token. Same errors as parse_key_uri, but token and
// key may be left out.
Result<KeyUri> parse_token_uri(std::string_view uri);
// The URI of the token labelled `label` (any bytes, spaces included), as
// p11-kit writes it. Code::usage for an empty label or one over 32 bytes.
Result<KeyUri> token_uri_for_label(std::string_view label);


// The URI of the private key `key` names (token label, serial, object label
// and id; no slot-id, as slot numbers may change between runs), written by
// p11-kit: every byte outside RFC 7512's unreserved set is percent-encoded,
// so labels with spaces, ';', '/', '%' or non-ASCII bytes come back intact
// from parse_key_uri. Code::usage for a token label over 32 bytes or a serial
// over 16.
Result<std::string> format_key_uri(const KeyUri& key);

}  // namespace fwseal::hsm
