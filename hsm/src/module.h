// A PKCS#11 module loaded at run time, and the text of its return values.
// Internal to hsm/ (tests use it to inspect tokens directly).
#pragma once

#include <p11-kit/pkcs11.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "fwseal/base/error.h"

namespace fwseal::hsm {

class TokenStore;

// "CKR_PIN_INCORRECT"; values outside the table as "CKR_0x...".
std::string ckr_name(CK_RV rv);

// "<what>: CKR_X (<hint>)". Code::login for PIN problems (incorrect, locked,
// expired, wrong length), Code::hsm for everything else.
Error pkcs11_error(std::string_view what, CK_RV rv, std::string_view hint = {});

// A module opened with dlopen and initialised with C_Initialize. PKCS#11
// allows one initialisation per process, so every user of a module file
// shares one Module; the last one to let go finalises and unloads it.
class Module {
 public:
  // Makes the process non-dumpable (PR_SET_DUMPABLE 0, RLIMIT_CORE 0) first:
  // a token session's secrets must not reach a core file.
  // `softhsm2_conf`, if not empty, goes into SOFTHSM2_CONF before
  // C_Initialize. Code::hsm if the file cannot be loaded, is not a usable
  // PKCS#11 module, fails to initialise, or is already in use in this process
  // with another SOFTHSM2_CONF.
  // `store`, if given, owns the files SOFTHSM2_CONF names and outlives the
  // module's C_Finalize.
  static Result<std::shared_ptr<Module>> load(const std::string& path, const std::string& softhsm2_conf,
                                              std::shared_ptr<TokenStore> store = {});

  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  ~Module();

  const CK_FUNCTION_LIST& fn() const { return *fn_; }
  const std::string& path() const { return path_; }
  // Makes what this process changed on its SoftHSM2 tokens the state
  // directory's current state (token_store.h); nothing for other modules.
  // Call it after a change succeeded.
  Status publish();

  // Login state belongs to the token, not the session: the last session on a
  // slot to close is the one that may log out.
  void session_opened(CK_SLOT_ID slot);
  bool session_closed(CK_SLOT_ID slot);  // true if it was the slot's last

 private:
  Module(std::string path, std::string key, std::string conf, void* dl, CK_FUNCTION_LIST* fn, bool finalize,
         std::shared_ptr<TokenStore> store);

  std::string path_;
  std::string key_;   // registry key: the canonical path
  std::string conf_;  // SOFTHSM2_CONF it was initialised with
  void* dl_;
  CK_FUNCTION_LIST* fn_;
  bool finalize_;  // false if someone else in the process initialised it
  std::mutex sessions_mu_;
  std::map<CK_SLOT_ID, int> sessions_;
  std::shared_ptr<TokenStore> store_;  // released after C_Finalize and dlclose
};

}  // namespace fwseal::hsm
