#include "module.h"

#include <dlfcn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "fwseal/base/file.h"
#include "token_store.h"

namespace fwseal::hsm {
namespace {

std::mutex g_registry_mu;
std::condition_variable g_registry_cv;

std::map<std::string, std::weak_ptr<Module>>& registry() {
  static auto* r = new std::map<std::string, std::weak_ptr<Module>>();  // never destroyed: used at exit
  return *r;
}

bool has_all_functions(const CK_FUNCTION_LIST& f) {
  return f.C_Initialize && f.C_Finalize && f.C_GetSlotList && f.C_GetTokenInfo && f.C_OpenSession && f.C_CloseSession &&
         f.C_GetSessionInfo && f.C_Login && f.C_Logout && f.C_InitToken && f.C_InitPIN && f.C_FindObjectsInit &&
         f.C_FindObjects && f.C_FindObjectsFinal && f.C_GetAttributeValue && f.C_SetAttributeValue &&
         f.C_GenerateKeyPair && f.C_DestroyObject && f.C_SignInit && f.C_Sign;
}

// SoftHSM2 reads SOFTHSM2_CONF during C_Initialize. Once fwseal has pointed it
// at a state directory, a later load without one gets the user's own value back.
// Why C_Initialize failed, as far as can be told from outside: SoftHSM2 fails
// with CKR_GENERAL_ERROR when its configuration or token directory cannot be
// read. Empty if nothing specific is found.
std::string likely_cause(const std::string& module_path, const std::string& conf_in_use) {
  if (module_path.find("softhsm") == std::string::npos) return {};
  std::string conf = conf_in_use;
  if (conf.empty()) {
    const char* env = std::getenv("SOFTHSM2_CONF");
    conf = env && *env ? env : "/etc/softhsm/softhsm2.conf";
  }
  std::FILE* f = std::fopen(conf.c_str(), "r");
  if (!f) return "the SoftHSM2 configuration " + conf + " cannot be read (" + errno_text(errno) +
                  "): check SOFTHSM2_CONF, or unset it and let fwseal use $FWSEAL_HOME";
  std::string tokendir;
  char line[4096];
  while (std::fgets(line, sizeof line, f)) {
    std::string_view l = line;
    if (!l.starts_with("directories.tokendir")) continue;
    auto eq = l.find('=');
    if (eq == std::string_view::npos) continue;
    l.remove_prefix(eq + 1);
    while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
    while (!l.empty() && (l.back() == '\n' || l.back() == ' ' || l.back() == '\t' || l.back() == '\r')) l.remove_suffix(1);
    tokendir = std::string(l);
  }
  std::fclose(f);
  if (tokendir.empty()) return "the SoftHSM2 configuration " + conf + " names no directories.tokendir";
  std::error_code ec;
  if (!std::filesystem::is_directory(tokendir, ec))
    return "the token directory " + tokendir + " (directories.tokendir in " + conf +
           ") does not exist or is not a directory: check FWSEAL_HOME / SOFTHSM2_CONF, or run fwseal hsm init";
  if (::access(tokendir.c_str(), R_OK | W_OK | X_OK) != 0)
    return "the token directory " + tokendir + " (directories.tokendir in " + conf + ") is not readable and "
           "writable by this user";
  return {};
}

void set_softhsm2_conf(const std::string& conf) {
  static bool overridden = false;
  static std::optional<std::string> original;
  if (!conf.empty()) {
    if (!overridden) {
      const char* v = std::getenv("SOFTHSM2_CONF");
      if (v) original = v;
      overridden = true;
    }
    setenv("SOFTHSM2_CONF", conf.c_str(), 1);
  } else if (overridden) {
    if (original)
      setenv("SOFTHSM2_CONF", original->c_str(), 1);
    else
      unsetenv("SOFTHSM2_CONF");
  }
}

// A software token (SoftHSM2) runs inside this process: a core dump during
// signing would hold the private key in plain text, and a debugger of the same
// user could read it. So before any module is loaded the process gives up core
// dumps and ptrace by others of its user, for the rest of its life.
void keep_secrets_in_process() {
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  struct rlimit none {0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
}

struct CkrName {
  CK_RV value;
  const char* name;
};

#define FWSEAL_CKR(name) \
  CkrName { name, #name }
// clang-format off
constexpr CkrName kCkrNames[] = {
    FWSEAL_CKR(CKR_OK),
    FWSEAL_CKR(CKR_CANCEL),
    FWSEAL_CKR(CKR_HOST_MEMORY),
    FWSEAL_CKR(CKR_SLOT_ID_INVALID),
    FWSEAL_CKR(CKR_GENERAL_ERROR),
    FWSEAL_CKR(CKR_FUNCTION_FAILED),
    FWSEAL_CKR(CKR_ARGUMENTS_BAD),
    FWSEAL_CKR(CKR_NO_EVENT),
    FWSEAL_CKR(CKR_NEED_TO_CREATE_THREADS),
    FWSEAL_CKR(CKR_CANT_LOCK),
    FWSEAL_CKR(CKR_ATTRIBUTE_READ_ONLY),
    FWSEAL_CKR(CKR_ATTRIBUTE_SENSITIVE),
    FWSEAL_CKR(CKR_ATTRIBUTE_TYPE_INVALID),
    FWSEAL_CKR(CKR_ATTRIBUTE_VALUE_INVALID),
    FWSEAL_CKR(CKR_ACTION_PROHIBITED),
    FWSEAL_CKR(CKR_DATA_INVALID),
    FWSEAL_CKR(CKR_DATA_LEN_RANGE),
    FWSEAL_CKR(CKR_DEVICE_ERROR),
    FWSEAL_CKR(CKR_DEVICE_MEMORY),
    FWSEAL_CKR(CKR_DEVICE_REMOVED),
    FWSEAL_CKR(CKR_FUNCTION_CANCELED),
    FWSEAL_CKR(CKR_FUNCTION_NOT_PARALLEL),
    FWSEAL_CKR(CKR_FUNCTION_NOT_SUPPORTED),
    FWSEAL_CKR(CKR_KEY_HANDLE_INVALID),
    FWSEAL_CKR(CKR_KEY_SIZE_RANGE),
    FWSEAL_CKR(CKR_KEY_TYPE_INCONSISTENT),
    FWSEAL_CKR(CKR_KEY_FUNCTION_NOT_PERMITTED),
    FWSEAL_CKR(CKR_KEY_UNEXTRACTABLE),
    FWSEAL_CKR(CKR_MECHANISM_INVALID),
    FWSEAL_CKR(CKR_MECHANISM_PARAM_INVALID),
    FWSEAL_CKR(CKR_OBJECT_HANDLE_INVALID),
    FWSEAL_CKR(CKR_OPERATION_ACTIVE),
    FWSEAL_CKR(CKR_OPERATION_NOT_INITIALIZED),
    FWSEAL_CKR(CKR_PIN_INCORRECT),
    FWSEAL_CKR(CKR_PIN_INVALID),
    FWSEAL_CKR(CKR_PIN_LEN_RANGE),
    FWSEAL_CKR(CKR_PIN_EXPIRED),
    FWSEAL_CKR(CKR_PIN_LOCKED),
    FWSEAL_CKR(CKR_PIN_TOO_WEAK),
    FWSEAL_CKR(CKR_SESSION_CLOSED),
    FWSEAL_CKR(CKR_SESSION_COUNT),
    FWSEAL_CKR(CKR_SESSION_HANDLE_INVALID),
    FWSEAL_CKR(CKR_SESSION_PARALLEL_NOT_SUPPORTED),
    FWSEAL_CKR(CKR_SESSION_READ_ONLY),
    FWSEAL_CKR(CKR_SESSION_EXISTS),
    FWSEAL_CKR(CKR_SESSION_READ_ONLY_EXISTS),
    FWSEAL_CKR(CKR_SESSION_READ_WRITE_SO_EXISTS),
    FWSEAL_CKR(CKR_SIGNATURE_INVALID),
    FWSEAL_CKR(CKR_SIGNATURE_LEN_RANGE),
    FWSEAL_CKR(CKR_TEMPLATE_INCOMPLETE),
    FWSEAL_CKR(CKR_TEMPLATE_INCONSISTENT),
    FWSEAL_CKR(CKR_TOKEN_NOT_PRESENT),
    FWSEAL_CKR(CKR_TOKEN_NOT_RECOGNIZED),
    FWSEAL_CKR(CKR_TOKEN_WRITE_PROTECTED),
    FWSEAL_CKR(CKR_USER_ALREADY_LOGGED_IN),
    FWSEAL_CKR(CKR_USER_NOT_LOGGED_IN),
    FWSEAL_CKR(CKR_USER_PIN_NOT_INITIALIZED),
    FWSEAL_CKR(CKR_USER_TYPE_INVALID),
    FWSEAL_CKR(CKR_USER_ANOTHER_ALREADY_LOGGED_IN),
    FWSEAL_CKR(CKR_USER_TOO_MANY_TYPES),
    FWSEAL_CKR(CKR_RANDOM_NO_RNG),
    FWSEAL_CKR(CKR_DOMAIN_PARAMS_INVALID),
    FWSEAL_CKR(CKR_CURVE_NOT_SUPPORTED),
    FWSEAL_CKR(CKR_BUFFER_TOO_SMALL),
    FWSEAL_CKR(CKR_INFORMATION_SENSITIVE),
    FWSEAL_CKR(CKR_CRYPTOKI_NOT_INITIALIZED),
    FWSEAL_CKR(CKR_CRYPTOKI_ALREADY_INITIALIZED),
    FWSEAL_CKR(CKR_MUTEX_BAD),
    FWSEAL_CKR(CKR_MUTEX_NOT_LOCKED),
    FWSEAL_CKR(CKR_FUNCTION_REJECTED),
};
// clang-format on
#undef FWSEAL_CKR

}  // namespace

std::string ckr_name(CK_RV rv) {
  for (const CkrName& c : kCkrNames)
    if (c.value == rv) return c.name;
  char buf[32];
  std::snprintf(buf, sizeof buf, "CKR_0x%lx", static_cast<unsigned long>(rv));
  return buf;
}

Error pkcs11_error(std::string_view what, CK_RV rv, std::string_view hint) {
  bool login = rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE || rv == CKR_PIN_EXPIRED ||
               rv == CKR_PIN_LOCKED;
  std::string msg = std::string(what) + ": " + ckr_name(rv);
  if (!hint.empty()) msg += " (" + std::string(hint) + ")";
  return make_error(login ? Code::login : Code::hsm, std::move(msg));
}

Module::Module(std::string path, std::string key, std::string conf, void* dl, CK_FUNCTION_LIST* fn, bool finalize,
               std::shared_ptr<TokenStore> store)
    : path_(std::move(path)),
      key_(std::move(key)),
      conf_(std::move(conf)),
      dl_(dl),
      fn_(fn),
      finalize_(finalize),
      store_(std::move(store)) {}

Status Module::publish() { return store_ ? store_->publish() : ok_status(); }

Result<std::shared_ptr<Module>> Module::load(const std::string& path, const std::string& softhsm2_conf,
                                             std::shared_ptr<TokenStore> store) {
  // Declared before the lock so that, should this be the last reference, the
  // destructor (which takes the lock) runs after the lock is released.
  std::shared_ptr<Module> found;
  std::unique_lock lock(g_registry_mu);
  std::error_code ec;
  std::string key = std::filesystem::weakly_canonical(path, ec).string();
  if (ec || key.empty()) key = path;
  for (;;) {
    auto it = registry().find(key);
    if (it == registry().end()) break;
    found = it->second.lock();
    if (!found) {
      g_registry_cv.wait(lock);  // its last user is finalising it; start afresh once it is gone
      continue;
    }
    if (found->conf_ != softhsm2_conf)
      return make_error(Code::hsm, "PKCS#11 module " + path + " is already in use in this process with SOFTHSM2_CONF=" +
                                       (found->conf_.empty() ? "(unset)" : found->conf_) +
                                       "; one process works with one fwseal state directory");
    return found;
  }

  auto fail = [&](const std::string& why) { return make_error(Code::hsm, "PKCS#11 module " + path + " " + why); };
  keep_secrets_in_process();
  set_softhsm2_conf(softhsm2_conf);
  dlerror();
  void* dl = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!dl) {
    const char* e = dlerror();
    return fail(std::string("cannot be loaded: ") + (e ? e : "unknown error"));
  }
  auto close_dl = [&] { dlclose(dl); };
  void* sym = dlsym(dl, "C_GetFunctionList");
  if (!sym) {
    close_dl();
    return fail("cannot be loaded: it has no C_GetFunctionList (not a PKCS#11 module?)");
  }
  auto get_list = reinterpret_cast<CK_C_GetFunctionList>(sym);
  CK_FUNCTION_LIST* fn = nullptr;
  CK_RV rv = get_list(&fn);
  if (rv != CKR_OK || !fn) {
    close_dl();
    return fail("cannot be loaded: C_GetFunctionList: " + ckr_name(rv));
  }
  if ((fn->version.major != 2 && fn->version.major != 3) || !has_all_functions(*fn)) {
    close_dl();
    return fail("is not a usable PKCS#11 2.x/3.x module (missing functions or unknown interface version)");
  }
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  rv = fn->C_Initialize(&args);
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    close_dl();
    const std::string cause = likely_cause(path, softhsm2_conf);
    return fail("failed to initialise: C_Initialize: " + ckr_name(rv) +
                (softhsm2_conf.empty() ? "" : " (SOFTHSM2_CONF=" + softhsm2_conf + ")") +
                (cause.empty() ? "" : "; likely cause: " + cause));
  }
  std::shared_ptr<Module> m(new Module(path, key, softhsm2_conf, dl, fn, rv == CKR_OK, std::move(store)));
  registry()[key] = m;
  return m;
}

Module::~Module() {
  std::lock_guard lock(g_registry_mu);
  if (finalize_) fn_->C_Finalize(nullptr);
  dlclose(dl_);
  auto it = registry().find(key_);
  if (it != registry().end() && it->second.expired()) registry().erase(it);
  g_registry_cv.notify_all();
}

void Module::session_opened(CK_SLOT_ID slot) {
  std::lock_guard lock(sessions_mu_);
  ++sessions_[slot];
}

bool Module::session_closed(CK_SLOT_ID slot) {
  std::lock_guard lock(sessions_mu_);
  auto it = sessions_.find(slot);
  if (it == sessions_.end()) return true;
  if (--it->second > 0) return false;
  sessions_.erase(it);
  return true;
}

}  // namespace fwseal::hsm
