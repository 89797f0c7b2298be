#include "objects.h"

#include <vector>

namespace fwseal::hsm {
namespace {

std::string what(const KeyUri& uri, CK_OBJECT_CLASS cls) {
  return std::string(cls == CKO_PRIVATE_KEY ? "private key " : "public key ") + uri.describe_key();
}

}  // namespace

Result<CK_OBJECT_HANDLE> find_key(const Session& s, const KeyUri& uri, CK_OBJECT_CLASS cls) {
  std::vector<CK_ATTRIBUTE> tmpl{{CKA_CLASS, &cls, sizeof cls}};
  if (uri.object) tmpl.push_back(bytes_attribute(CKA_LABEL, *uri.object));
  if (uri.id) tmpl.push_back(bytes_attribute(CKA_ID, *uri.id));
  FWSEAL_ASSIGN(std::vector<CK_OBJECT_HANDLE> found, s.find(tmpl));
  if (found.size() == 1) return found.front();
  if (found.empty())
    return make_error(Code::hsm,
                      "no " + what(uri, cls) + " on " + s.token_name() + " (list keys with: fwseal hsm list)");
  return make_error(Code::hsm, std::to_string(found.size()) + " objects match " + what(uri, cls) + " on " +
                                   s.token_name() + "; name the key by both object= and id=");
}

Status set_key_id(const Session& s, CK_OBJECT_HANDLE obj, const std::string& id) {
  CK_ATTRIBUTE a = bytes_attribute(CKA_ID, id);
  CK_RV rv = s.fn().C_SetAttributeValue(s.handle(), obj, &a, 1);
  if (rv != CKR_OK) return pkcs11_error("setting CKA_ID on " + s.token_name() + " failed", rv);
  return ok_status();
}

Result<CK_OBJECT_HANDLE> public_key_for(const Session& s, CK_OBJECT_HANDLE priv) {
  FWSEAL_ASSIGN(std::string id, s.bytes(priv, CKA_ID, kMaxIdBytes));
  FWSEAL_ASSIGN(std::string label, s.bytes(priv, CKA_LABEL, kMaxLabelBytes));
  CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
  std::vector<CK_ATTRIBUTE> tmpl{{CKA_CLASS, &cls, sizeof cls}};
  std::vector<CK_OBJECT_HANDLE> found;
  if (!id.empty()) {
    tmpl.push_back(bytes_attribute(CKA_ID, id));
    FWSEAL_ASSIGN(found, s.find(tmpl));
  }
  if ((id.empty() || found.size() > 1) && !label.empty()) {
    tmpl.push_back(bytes_attribute(CKA_LABEL, label));
    FWSEAL_ASSIGN(found, s.find(tmpl));
  }
  KeyUri named;
  if (!label.empty()) named.object = label;
  if (!id.empty()) named.id = id;
  if (found.size() == 1) return found.front();
  if (found.empty())
    return make_error(Code::hsm, "private key " + named.describe_key() + " on " + s.token_name() +
                                     " has no public key object with the same " + (id.empty() ? "label" : "CKA_ID") +
                                     "; fwseal needs it to check the key's signatures");
  return make_error(Code::hsm, std::to_string(found.size()) + " public key objects on " + s.token_name() +
                                   " belong to private key " + named.describe_key() + "; remove the extra ones");
}

}  // namespace fwseal::hsm
