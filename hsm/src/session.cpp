#include "session.h"

#include <algorithm>
#include <cstdio>

#include "fwseal/base/text.h"

namespace fwseal::hsm {
namespace {

constexpr CK_ULONG kMaxSlots = 1024;
constexpr std::size_t kMaxObjects = 4096;
constexpr CK_ULONG kFindBatch = 64;


// PKCS#11 strings are blank padded; some modules pad with NULs instead.
std::string padded(const unsigned char* p, std::size_t n) {
  std::string s(reinterpret_cast<const char*>(p), n);
  std::size_t end = s.find_last_not_of(std::string(" \0", 2));
  s.erase(end == std::string::npos ? 0 : end + 1);
  return s;
}

bool matches(const TokenSlot& t, const KeyUri& uri) {
  return (uri.token.empty() || uri.token == t.label) && (uri.serial.empty() || uri.serial == t.serial) &&
         (uri.manufacturer.empty() || uri.manufacturer == t.manufacturer) &&
         (uri.model.empty() || uri.model == t.model) && (!uri.slot_id || *uri.slot_id == t.slot);
}

std::string describe(const KeyUri& uri) {
  std::string s = uri.token.empty() ? "token" : "token " + quote(uri.token);
  if (!uri.serial.empty()) s += " with serial " + quote(uri.serial);
  if (uri.slot_id) s += " in slot-id " + std::to_string(*uri.slot_id);
  return s;
}

}  // namespace

std::string cka_name(CK_ATTRIBUTE_TYPE type) {
  switch (type) {
    case CKA_CLASS:
      return "CKA_CLASS";
    case CKA_KEY_TYPE:
      return "CKA_KEY_TYPE";
    case CKA_LABEL:
      return "CKA_LABEL";
    case CKA_ID:
      return "CKA_ID";
    case CKA_EC_PARAMS:
      return "CKA_EC_PARAMS";
    case CKA_EC_POINT:
      return "CKA_EC_POINT";
    case CKA_MODULUS:
      return "CKA_MODULUS";
    case CKA_PUBLIC_EXPONENT:
      return "CKA_PUBLIC_EXPONENT";
    case CKA_SENSITIVE:
      return "CKA_SENSITIVE";
    case CKA_EXTRACTABLE:
      return "CKA_EXTRACTABLE";
    case CKA_SIGN:
      return "CKA_SIGN";
    case CKA_SIGN_RECOVER:
      return "CKA_SIGN_RECOVER";
    case CKA_DECRYPT:
      return "CKA_DECRYPT";
    case CKA_UNWRAP:
      return "CKA_UNWRAP";
    case CKA_DERIVE:
      return "CKA_DERIVE";
    default:
      break;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "CKA_0x%lx", static_cast<unsigned long>(type));
  return buf;
}

Result<std::vector<TokenSlot>> list_tokens(const Module& module) {
  const CK_FUNCTION_LIST& f = module.fn();
  std::vector<CK_SLOT_ID> slots;
  // The slot count may change between the two calls; a few retries suffice.
  for (int attempt = 0;; ++attempt) {
    CK_ULONG n = 0;
    CK_RV rv = f.C_GetSlotList(CK_TRUE, nullptr, &n);
    if (rv != CKR_OK) return pkcs11_error("PKCS#11 module " + module.path() + ": C_GetSlotList failed", rv);
    if (n > kMaxSlots)
      return make_error(Code::hsm, "PKCS#11 module " + module.path() + " reports " + std::to_string(n) + " slots");
    slots.assign(n, 0);
    CK_ULONG got = n;
    rv = f.C_GetSlotList(CK_TRUE, slots.data(), &got);
    if (rv == CKR_BUFFER_TOO_SMALL && attempt < 3) continue;
    if (rv != CKR_OK) return pkcs11_error("PKCS#11 module " + module.path() + ": C_GetSlotList failed", rv);
    if (got > n)
      return make_error(Code::hsm, "PKCS#11 module " + module.path() + " returned more slots than it has room for");
    slots.resize(got);
    break;
  }
  std::vector<TokenSlot> out;
  for (CK_SLOT_ID slot : slots) {
    CK_TOKEN_INFO ti{};
    CK_RV rv = f.C_GetTokenInfo(slot, &ti);
    if (rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_TOKEN_NOT_RECOGNIZED) continue;
    if (rv != CKR_OK) return pkcs11_error("PKCS#11 module " + module.path() + ": C_GetTokenInfo failed", rv);
    out.push_back(TokenSlot{slot, padded(ti.label, sizeof ti.label), padded(ti.serialNumber, sizeof ti.serialNumber),
                            padded(ti.manufacturerID, sizeof ti.manufacturerID), padded(ti.model, sizeof ti.model),
                            ti.flags, ti.ulMinPinLen, ti.ulMaxPinLen});
  }
  return out;
}

Result<std::vector<TokenSlot>> matching_tokens(const Module& module, const KeyUri& uri) {
  FWSEAL_ASSIGN(std::vector<TokenSlot> all, list_tokens(module));
  std::vector<TokenSlot> out;
  for (TokenSlot& t : all)
    if (t.initialized() && matches(t, uri)) out.push_back(std::move(t));
  return out;
}

Result<TokenSlot> find_token(const Module& module, const KeyUri& uri, std::string_view where) {
  FWSEAL_ASSIGN(std::vector<TokenSlot> all, list_tokens(module));
  std::vector<TokenSlot> found;
  std::string names;
  for (TokenSlot& t : all) {
    if (!t.initialized()) continue;
    names += (names.empty() ? "" : ", ") + quote(t.label) + " (slot-id " + std::to_string(t.slot) + ")";
    if (matches(t, uri)) found.push_back(std::move(t));
  }
  if (found.size() == 1) return std::move(found.front());
  if (found.empty()) {
    std::string detail = names.empty() ? "it has no initialised tokens" : "tokens: " + names;
    if (!where.empty()) {
      detail += "; " + std::string(where);
      if (!uri.token.empty()) detail += "; create the token with: fwseal hsm init --token " + uri.token;
    }
    return make_error(Code::hsm, "no " + describe(uri) + " in PKCS#11 module " + module.path() + " (" + detail + ")");
  }
  return make_error(Code::hsm, std::to_string(found.size()) + " tokens match " + describe(uri) + " in PKCS#11 module " +
                                   module.path() + "; add serial= to the URI");
}

Session::Session(std::shared_ptr<Module> module, TokenSlot token, CK_SESSION_HANDLE handle)
    : module_(std::move(module)), token_(std::move(token)), handle_(handle) {
  module_->session_opened(token_.slot);
}

Result<Session> Session::open(std::shared_ptr<Module> module, TokenSlot token, bool read_write) {
  CK_FLAGS flags = CKF_SERIAL_SESSION | (read_write ? CKF_RW_SESSION : 0);
  CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
  CK_RV rv = module->fn().C_OpenSession(token.slot, flags, nullptr, nullptr, &h);
  if (rv != CKR_OK) return pkcs11_error("cannot open a session on token " + quote(token.label), rv);
  return Session(std::move(module), std::move(token), h);
}

Session::Session(Session&& other) noexcept
    : module_(std::move(other.module_)), token_(std::move(other.token_)), handle_(other.handle_) {
  other.handle_ = CK_INVALID_HANDLE;
}

Session::~Session() {
  if (!module_ || handle_ == CK_INVALID_HANDLE) return;
  if (module_->session_closed(token_.slot)) fn().C_Logout(handle_);  // CKR_USER_NOT_LOGGED_IN is fine
  fn().C_CloseSession(handle_);
}

std::string Session::token_name() const { return "token " + quote(token_.label); }

Status Session::login(CK_USER_TYPE user, const Pin& pin) {
  CK_RV rv = fn().C_Login(handle_, user, pin.data(), pin.size());
  if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) return ok_status();
  std::string who = user == CKU_SO ? "Security Officer login" : "HSM login";
  std::string hint;
  if ((rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE) && pin.source() == kTerminalSource)
    hint = "the PIN typed at the terminal, " + std::to_string(kPromptAttempts) + " times";
  else if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE)
    hint = "the PIN came from " + pin.source() + "; check it";
  else if (rv == CKR_PIN_LOCKED)
    hint = "the PIN is locked after too many failed logins; the token's Security Officer must reset it";
  else if (rv == CKR_USER_PIN_NOT_INITIALIZED)
    hint = "the token has no user PIN; initialise it with fwseal hsm init";
  return pkcs11_error(who + " to " + token_name() + " failed", rv, hint);
}

Status Session::login_user(std::string_view pin_source) {
  CK_SESSION_INFO info{};
  CK_RV rv = fn().C_GetSessionInfo(handle_, &info);
  if (rv != CKR_OK) return pkcs11_error("reading the session state of " + token_name() + " failed", rv);
  if (info.state == CKS_RO_USER_FUNCTIONS || info.state == CKS_RW_USER_FUNCTIONS) return ok_status();
  if (!(token_.flags & CKF_LOGIN_REQUIRED)) return ok_status();
  if (token_.flags & CKF_PROTECTED_AUTHENTICATION_PATH) {
    // The PIN is entered on the reader's own keypad.
    rv = fn().C_Login(handle_, CKU_USER, nullptr, 0);
    if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) return ok_status();
    return pkcs11_error("HSM login to " + token_name() + " (on its PIN pad) failed", rv);
  }
  FWSEAL_ASSIGN(Pin pin, user_pin(token_.label, pin_source));
  // A PIN typed at the terminal may be mistyped: asked again, up to three times in all.
  for (int attempt = 2; pin.source() == kTerminalSource && attempt <= kPromptAttempts; ++attempt) {
    CK_RV first = fn().C_Login(handle_, CKU_USER, pin.data(), pin.size());
    if (first == CKR_OK || first == CKR_USER_ALREADY_LOGGED_IN) return ok_status();
    if (first != CKR_PIN_INCORRECT) break;
    auto again = user_pin_again(token_.label, attempt);
    if (!again) break;
    FWSEAL_ASSIGN(pin, std::move(*again));
  }
  return login(CKU_USER, pin);
}

Result<std::vector<CK_OBJECT_HANDLE>> Session::find(std::vector<CK_ATTRIBUTE> tmpl) const {
  CK_RV rv = fn().C_FindObjectsInit(handle_, tmpl.data(), static_cast<CK_ULONG>(tmpl.size()));
  if (rv != CKR_OK) return pkcs11_error("searching " + token_name() + " failed", rv);
  std::vector<CK_OBJECT_HANDLE> out;
  Status status = ok_status();
  for (;;) {
    CK_OBJECT_HANDLE batch[kFindBatch];
    CK_ULONG n = 0;
    rv = fn().C_FindObjects(handle_, batch, kFindBatch, &n);
    if (rv != CKR_OK) {
      status = pkcs11_error("searching " + token_name() + " failed", rv);
      break;
    }
    if (n > kFindBatch) {
      status = make_error(Code::hsm, "searching " + token_name() + ": the module returned more objects than asked for");
      break;
    }
    if (n == 0) break;
    out.insert(out.end(), batch, batch + n);
    if (out.size() > kMaxObjects) {
      status = make_error(
          Code::hsm, "searching " + token_name() + ": more than " + std::to_string(kMaxObjects) + " objects match");
      break;
    }
  }
  fn().C_FindObjectsFinal(handle_);
  if (!status.ok()) return std::move(status).error();
  return out;
}

Result<std::string> Session::bytes(CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type, std::size_t max) const {
  auto fail = [&](const std::string& why) {
    return make_error(Code::hsm, "reading " + cka_name(type) + " on " + token_name() + ": " + why);
  };
  CK_ATTRIBUTE a{type, nullptr, 0};
  CK_RV rv = fn().C_GetAttributeValue(handle_, obj, &a, 1);
  if (rv != CKR_OK) return pkcs11_error("reading " + cka_name(type) + " on " + token_name() + " failed", rv);
  if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION) return fail("not available");
  if (a.ulValueLen > max)
    return fail("the module reports " + std::to_string(a.ulValueLen) + " bytes, more than the " + std::to_string(max) +
                " expected");
  std::string value(a.ulValueLen, '\0');
  a.pValue = value.data();
  rv = fn().C_GetAttributeValue(handle_, obj, &a, 1);
  if (rv != CKR_OK) return pkcs11_error("reading " + cka_name(type) + " on " + token_name() + " failed", rv);
  if (a.ulValueLen > value.size()) return fail("the module wrote more bytes than it had room for");
  value.resize(a.ulValueLen);
  return value;
}

Result<CK_ULONG> Session::ulong(CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type) const {
  CK_ULONG v = 0;
  CK_ATTRIBUTE a{type, &v, sizeof v};
  CK_RV rv = fn().C_GetAttributeValue(handle_, obj, &a, 1);
  if (rv != CKR_OK) return pkcs11_error("reading " + cka_name(type) + " on " + token_name() + " failed", rv);
  if (a.ulValueLen != sizeof v)
    return make_error(Code::hsm, "reading " + cka_name(type) + " on " + token_name() + ": wrong size " +
                                     std::to_string(a.ulValueLen));
  return v;
}

Result<bool> Session::boolean(CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type) const {
  CK_BBOOL v = CK_FALSE;
  CK_ATTRIBUTE a{type, &v, sizeof v};
  CK_RV rv = fn().C_GetAttributeValue(handle_, obj, &a, 1);
  if (rv != CKR_OK) return pkcs11_error("reading " + cka_name(type) + " on " + token_name() + " failed", rv);
  if (a.ulValueLen != sizeof v)
    return make_error(Code::hsm, "reading " + cka_name(type) + " on " + token_name() + ": wrong size " +
                                     std::to_string(a.ulValueLen));
  return v == CK_TRUE;
}

}  // namespace fwseal::hsm
