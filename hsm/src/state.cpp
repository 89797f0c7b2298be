#include "state.h"

#include "token_store.h"

#include <stdlib.h>
#include <unistd.h>

#include <p11-kit/p11-kit.h>

#include <cstdlib>
#include <filesystem>

#include "fwseal/base/text.h"

namespace fwseal::hsm {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSoftHsmPaths[] = {
    "/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so", "/usr/local/lib/softhsm/libsofthsm2.so"};

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

std::string take(char* s) {
  std::string out = s ? s : "";
  std::free(s);
  return out;
}

// "libsofthsm2.so" -> "softhsm2": a module file's name as RFC 7512's
// module-name writes it.
std::string name_of_file(const std::string& path) {
  std::string name = fs::path(path).filename().string();
  name = name.substr(0, name.find(".so"));
  return name.starts_with("lib") ? name.substr(3) : name;
}

// The file of the module registered with p11-kit (its .module files, as
// `p11-kit list-modules` shows them) under `name`, or whose file is `name`
// without "lib" and ".so". The modules are loaded only to ask p11-kit for
// their names and files; none is initialised.
Result<std::string> registered_module(const std::string& name) {
  CK_FUNCTION_LIST** mods = p11_kit_modules_load(nullptr, P11_KIT_MODULE_UNMANAGED);
  std::string by_name, by_file, names;
  for (CK_FUNCTION_LIST** m = mods; m && *m; ++m) {
    std::string reg = take(p11_kit_module_get_name(*m));
    std::string file = take(p11_kit_module_get_filename(*m));
    names += (names.empty() ? "" : ", ") + reg;
    if (reg == name && by_name.empty()) by_name = file;
    if (name_of_file(file) == name && by_file.empty()) by_file = file;
  }
  if (mods) p11_kit_modules_release(mods);
  if (!by_name.empty()) return by_name;
  if (!by_file.empty()) return by_file;
  return make_error(Code::hsm, "module-name " + quote(name) + ": no PKCS#11 module of that name is registered with "
                               "p11-kit (registered: " + (names.empty() ? "none" : names) +
                               "; p11-kit reads its .module files from /usr/share/p11-kit/modules, "
                               "/etc/pkcs11/modules and ~/.config/pkcs11/modules)");
}

}  // namespace

std::string home_dir(const Options& opts) {
  if (!opts.home.empty()) return opts.home;
  const char* env = std::getenv("FWSEAL_HOME");
  if (env && *env) return env;
  return "./.fwseal";
}

std::string softhsm2_conf_path(const Options& opts) {
  std::error_code ec;
  fs::path home = fs::absolute(home_dir(opts), ec);
  if (ec) home = home_dir(opts);
  return (home.lexically_normal() / "softhsm2.conf").string();
}

Result<std::string> module_path(const Options& opts, const KeyUri& uri) {
  if (!opts.module.empty()) return opts.module;
  if (!uri.module_path.empty()) return uri.module_path;
  if (!uri.module_name.empty()) return registered_module(uri.module_name);
  const char* env = std::getenv("FWSEAL_PKCS11_MODULE");
  if (env && *env) return std::string(env);
  for (const char* p : kSoftHsmPaths)
    if (exists(p)) return std::string(p);
  return std::string(kSoftHsmPaths[0]);  // loading it fails with a message naming the path
}

bool is_softhsm2(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(path, ec);
  if (ec) p = path;
  return p.filename().string().starts_with("libsofthsm2");
}

Result<std::shared_ptr<Module>> open_module(const Options& opts, const KeyUri& uri, bool write) {
  FWSEAL_ASSIGN(std::string path, module_path(opts, uri));
  // Whatever the module: p11-kit's proxy, or any module that loads SoftHSM2
  // in turn, finds fwseal's tokens too.
  std::string c = softhsm2_conf_path(opts);
  if (exists(c)) {
    FWSEAL_ASSIGN(std::shared_ptr<TokenStore> store, TokenStore::open(fs::path(c).parent_path().string(), write));
    std::string conf = store->conf();
    return Module::load(path, conf, std::move(store));
  }
  return Module::load(path, {});
}

Result<TokenSlot> find_token_or_explain(const Options& opts, const Module& module, const KeyUri& uri) {
  if (!is_softhsm2(module.path())) return find_token(module, uri);
  return find_token(module, uri, "state directory " + home_dir(opts) + " (FWSEAL_HOME)");
}

Result<Session> open_token(const Options& opts, const KeyUri& uri, bool read_write) {
  FWSEAL_ASSIGN(std::shared_ptr<Module> module, open_module(opts, uri, read_write));
  FWSEAL_ASSIGN(TokenSlot token, find_token_or_explain(opts, *module, uri));
  return Session::open(std::move(module), std::move(token), read_write);
}

}  // namespace fwseal::hsm
