#include <iostream>
#include <vector>

#include "commands.h"
#include "fwseal/hsm/encryption_keys.h"
#include "fwseal/verifier/cli.h"

namespace fwseal::cli {

// `fwseal verify` is fwseal-verify: one implementation, one decision, one
// definition of its arguments (verifier/src/cli.cpp). Listed here so that
// `fwseal --help` shows it; main() hands it its arguments as they are. What
// it adds to fwseal-verify: --decrypt-key also takes a key URI, the key's
// module from the URI's module-path, $FWSEAL_PKCS11_MODULE or SoftHSM2.
void add_verify_command(Command& fwseal) {
  Command& verify = fwseal.add_command(
      "verify", "check a package as a device does: PKG|- --trust TRUST.json [--hw ID]... (same as fwseal-verify)");
  verify.set_help_flag();
  verify.prefix_command();
}

int run_verify(const std::vector<std::string>& args) {
  std::vector<std::string> storage;
  storage.reserve(args.size() + 1);
  storage.emplace_back("fwseal verify");
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  const verifier::TokenKeyOpener open_token_key = [](const std::string& uri) {
    return hsm::open_recipient_key(hsm::Options{}, uri);
  };
  return verifier::verify_main(static_cast<int>(storage.size()), argv.data(), std::cout, std::cerr, "fwseal verify",
                               {}, open_token_key);
}

}  // namespace fwseal::cli
