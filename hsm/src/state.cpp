#include "state.h"

#include "token_store.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

namespace fwseal::hsm {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSoftHsmPaths[] = {
    "/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so", "/usr/local/lib/softhsm/libsofthsm2.so"};

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

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

std::string module_path(const Options& opts, const KeyUri& uri) {
  if (!opts.module.empty()) return opts.module;
  if (!uri.module_path.empty()) return uri.module_path;
  const char* env = std::getenv("FWSEAL_PKCS11_MODULE");
  if (env && *env) return env;
  for (const char* p : kSoftHsmPaths)
    if (exists(p)) return p;
  return kSoftHsmPaths[0];  // loading it fails with a message naming the path
}

bool is_softhsm2(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(path, ec);
  if (ec) p = path;
  return p.filename().string().starts_with("libsofthsm2");
}

Result<std::shared_ptr<Module>> open_module(const Options& opts, const KeyUri& uri, bool write) {
  std::string path = module_path(opts, uri);
  if (is_softhsm2(path)) {
    std::string c = softhsm2_conf_path(opts);
    if (exists(c)) {
      FWSEAL_ASSIGN(std::shared_ptr<TokenStore> store, TokenStore::open(fs::path(c).parent_path().string(), write));
      std::string conf = store->conf();
      return Module::load(path, conf, std::move(store));
    }
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
