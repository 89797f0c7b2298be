// Tokens, sessions, logins and object attributes. Every value the module
// hands back (counts, lengths, sizes) is checked before it is used, as a
// broken or hostile module must not make fwseal read or write out of bounds.
// Internal to hsm/ (tests use it to inspect tokens directly).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/hsm/uri.h"
#include "module.h"
#include "pin.h"

namespace fwseal::hsm {

struct TokenSlot {
  CK_SLOT_ID slot = 0;
  std::string label;
  std::string serial;
  std::string manufacturer;
  std::string model;
  CK_FLAGS flags = 0;
  CK_ULONG min_pin = 0;
  CK_ULONG max_pin = 0;
  bool initialized() const { return (flags & CKF_TOKEN_INITIALIZED) != 0; }
};

// Every slot with a token present, initialised or not.
Result<std::vector<TokenSlot>> list_tokens(const Module& module);
// The initialised tokens the URI's token attributes match (all of them if it
// has none).
Result<std::vector<TokenSlot>> matching_tokens(const Module& module, const KeyUri& uri);
// Exactly one initialised token; Code::hsm naming the available tokens if not.
// `where`, if given, says where the module keeps its tokens (for SoftHSM2,
// the state directory) and adds how to create one.
Result<TokenSlot> find_token(const Module& module, const KeyUri& uri, std::string_view where = {});

// "CKA_LABEL" etc., for messages.
std::string cka_name(CK_ATTRIBUTE_TYPE type);

class Session {
 public:
  static Result<Session> open(std::shared_ptr<Module> module, TokenSlot token, bool read_write);
  Session(Session&& other) noexcept;
  Session& operator=(Session&&) = delete;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();  // logs out if it is the token's last session, then closes

  // Logs the user in unless the token needs no login or this application is
  // logged in already; the PIN is only looked for when it is needed.
  Status login_user(std::string_view pin_source);
  Status login(CK_USER_TYPE user, const Pin& pin);

  // Objects matching `tmpl` (at most a few thousand).
  Result<std::vector<CK_OBJECT_HANDLE>> find(std::vector<CK_ATTRIBUTE> tmpl) const;
  // An attribute's bytes; Code::hsm if unreadable or longer than `max`.
  Result<std::string> bytes(CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type, std::size_t max) const;
  Result<CK_ULONG> ulong(CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type) const;
  Result<bool> boolean(CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type) const;

  const CK_FUNCTION_LIST& fn() const { return module_->fn(); }
  CK_SESSION_HANDLE handle() const { return handle_; }
  const TokenSlot& token() const { return token_; }
  // Module::publish: keeps the change just made (a new key) for good.
  Status publish() const { return module_->publish(); }
  // "token \"release\"", for messages.
  std::string token_name() const;

 private:
  Session(std::shared_ptr<Module> module, TokenSlot token, CK_SESSION_HANDLE handle);
  std::shared_ptr<Module> module_;
  TokenSlot token_;
  CK_SESSION_HANDLE handle_ = CK_INVALID_HANDLE;
};

}  // namespace fwseal::hsm
