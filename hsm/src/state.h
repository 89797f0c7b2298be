// Which module to load, and fwseal's state directory for SoftHSM2.
// Internal to hsm/.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "fwseal/base/error.h"
#include "fwseal/hsm/hsm.h"
#include "fwseal/hsm/uri.h"
#include "module.h"
#include "session.h"

namespace fwseal::hsm {

// Options::module, the URI's module-path, the module registered with p11-kit
// under the URI's module-name, $FWSEAL_PKCS11_MODULE, then the first
// SoftHSM2 that is installed. Code::hsm, naming the registered modules, if
// no module has the URI's module-name.
Result<std::string> module_path(const Options& opts, const KeyUri& uri);
bool is_softhsm2(const std::string& path);
std::string softhsm2_conf_path(const Options& opts);  // absolute <home>/softhsm2.conf

// Loads the module; when <home>/softhsm2.conf exists, with SOFTHSM2_CONF on
// this process's private copy of the state directory's tokens
// (token_store.h), whatever the module: p11-kit's proxy loads SoftHSM2 too.
// `write` serialises with other writers; a writer calls Module::publish after
// its change.
Result<std::shared_ptr<Module>> open_module(const Options& opts, const KeyUri& uri, bool write = false);

// find_token, with a hint about the state directory when the module is SoftHSM2.
Result<TokenSlot> find_token_or_explain(const Options& opts, const Module& module, const KeyUri& uri);

// open_module + find_token + a session on it (not logged in).
Result<Session> open_token(const Options& opts, const KeyUri& uri, bool read_write);

}  // namespace fwseal::hsm
