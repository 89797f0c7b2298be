// Finding fwseal's key objects on a token. Internal to hsm/.
#pragma once

#include "fwseal/base/error.h"
#include "fwseal/hsm/uri.h"
#include "session.h"

namespace fwseal::hsm {

// Limits on what a module may hand back for these attributes.
inline constexpr std::size_t kMaxLabelBytes = 1024;
inline constexpr std::size_t kMaxIdBytes = 256;

// A template entry for a byte-string attribute. PKCS#11 templates take
// non-const pointers, but the module only reads them.
inline CK_ATTRIBUTE bytes_attribute(CK_ATTRIBUTE_TYPE type, const std::string& value) {
  return CK_ATTRIBUTE{type, const_cast<char*>(value.data()), value.size()};
}

// The one private (or public) key object with the URI's label and/or id.
// Code::hsm naming the key and token if there is none or more than one.
Result<CK_OBJECT_HANDLE> find_key(const Session& s, const KeyUri& uri, CK_OBJECT_CLASS cls);

// Sets CKA_ID on a key object (keygen names both halves by the fwseal key id).
// Code::hsm naming the token if the module refuses.
Status set_key_id(const Session& s, CK_OBJECT_HANDLE obj, const std::string& id);

// The public key object paired with a private key: same CKA_ID (and, if
// several share it, same label), or same label when the key has no id.
Result<CK_OBJECT_HANDLE> public_key_for(const Session& s, CK_OBJECT_HANDLE priv);

}  // namespace fwseal::hsm
