// fwseal hsm init: a SoftHSM2 token in fwseal's own state directory.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "fwseal/base/file.h"
#include "fwseal/hsm/hsm.h"
#include "fwseal/base/text.h"
#include "module.h"
#include "pin.h"
#include "session.h"
#include "state.h"
#include "token_store.h"

namespace fwseal::hsm {
namespace {

namespace fs = std::filesystem;


Status make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return ok_status();
    return make_error(Code::io, path + ": exists and is not a directory");
  }
  return make_error(Code::io, "cannot create directory " + path + ": " + errno_text(errno));
}

// The configuration SoftHSM2 reads through SOFTHSM2_CONF: tokens under the
// state directory, so /etc/softhsm is never involved. `tokens` itself is made
// by TokenStore, as a link to the current generation.
Result<std::string> ensure_state_dir(const Options& opts) {
  std::string conf = softhsm2_conf_path(opts);
  std::string home = fs::path(conf).parent_path().string();
  std::string tokens = home + "/tokens";
  FWSEAL_TRY(make_dir(home));
  if (::access(conf.c_str(), F_OK) != 0) {
    std::string text =
        "# SoftHSM2 configuration written by fwseal hsm init: tokens stay in this directory.\n"
        "directories.tokendir = " +
        tokens +
        "\n"
        "objectstore.backend = file\n"
        "log.level = ERROR\n"
        "slots.removable = false\n";
    FWSEAL_TRY(write_file_atomic(conf, text, 0600));
  }
  return conf;
}

Status check_label(std::string_view label) {
  auto bad = [&](const std::string& why) {
    return make_error(Code::usage, "token label " + quote(label) + ": " + why);
  };
  if (label.empty()) return bad("empty");
  if (label.size() > 32) return bad("longer than 32 bytes, the PKCS#11 limit");
  if (label.back() == ' ') return bad("ends with a space, which PKCS#11 cannot store");
  for (char c : label)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return bad("contains a control character");
  return ok_status();
}

Status check_pin_length(const Pin& pin, const TokenSlot& slot, std::string_view label) {
  // Checked before C_InitToken, so a bad user PIN cannot leave a token without one.
  if (slot.max_pin >= slot.min_pin && slot.max_pin > 0 && (pin.size() < slot.min_pin || pin.size() > slot.max_pin))
    return make_error(Code::login, "the user PIN from " + pin.source() + " for new token " + quote(label) +
                                       " must be " + std::to_string(slot.min_pin) + " to " +
                                       std::to_string(slot.max_pin) + " bytes");
  return ok_status();
}

}  // namespace

Result<TokenInfo> init_token(const Options& opts, std::string_view label) {
  FWSEAL_TRY(check_label(label));
  KeyUri none;
  FWSEAL_ASSIGN(std::string path, module_path(opts, none));
  if (!is_softhsm2(path))
    return make_error(Code::usage,
                      "fwseal hsm init creates SoftHSM2 tokens only, and " + path +
                          " is not SoftHSM2; initialise tokens of other modules with their vendor's tools");
  FWSEAL_ASSIGN(std::string conf, ensure_state_dir(opts));
  FWSEAL_ASSIGN(std::shared_ptr<TokenStore> store, TokenStore::open(fs::path(conf).parent_path().string(), true));
  std::string private_conf = store->conf();
  FWSEAL_ASSIGN(std::shared_ptr<Module> module, Module::load(path, private_conf, std::move(store)));

  FWSEAL_ASSIGN(std::vector<TokenSlot> tokens, list_tokens(*module));
  const TokenSlot* free_slot = nullptr;
  for (const TokenSlot& t : tokens) {
    if (t.initialized() && t.label == label)
      return make_error(Code::hsm, "token " + quote(label) + " already exists in " + home_dir(opts) +
                                       " (FWSEAL_HOME); choose another label");
    if (!t.initialized() && !free_slot) free_slot = &t;
  }
  if (!free_slot) return make_error(Code::hsm, "PKCS#11 module " + path + " has no free slot for a new token");

  FWSEAL_ASSIGN(Pin so, new_so_pin(label));
  FWSEAL_ASSIGN(Pin user, new_user_pin(label));
  FWSEAL_TRY(check_pin_length(user, *free_slot, label));

  CK_UTF8CHAR padded[32];
  std::memset(padded, ' ', sizeof padded);
  std::memcpy(padded, label.data(), label.size());
  CK_RV rv = module->fn().C_InitToken(free_slot->slot, so.data(), so.size(), padded);
  if (rv != CKR_OK)
    return pkcs11_error("initialising token " + quote(label) + " failed", rv,
                        rv == CKR_PIN_LEN_RANGE ? "Security Officer PIN from " + so.source() : std::string());

  // SoftHSM2 moves a token to a new slot id once it is initialised.
  KeyUri uri;
  uri.token = std::string(label);
  FWSEAL_ASSIGN(TokenSlot slot, find_token(*module, uri));
  FWSEAL_ASSIGN(Session session, Session::open(module, slot, true));
  FWSEAL_TRY(session.login(CKU_SO, so));
  rv = module->fn().C_InitPIN(session.handle(), user.data(), user.size());
  if (rv != CKR_OK)
    return pkcs11_error("setting the user PIN of token " + quote(label) + " failed", rv, "PIN from " + user.source());
  FWSEAL_TRY(module->publish());
  return TokenInfo{slot.label, slot.serial, path, conf};
}

}  // namespace fwseal::hsm
