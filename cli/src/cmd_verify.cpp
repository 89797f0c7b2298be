#include <iostream>
#include <vector>

#include "commands.h"
#include "fwseal/verifier/cli.h"

namespace fwseal::cli {

// `fwseal verify` is fwseal-verify: one implementation, one decision.
int cmd_verify(const Argv& args) {
  std::vector<std::string> storage;
  storage.reserve(args.size() + 1);
  storage.emplace_back("fwseal verify");
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  return verifier::verify_main(static_cast<int>(storage.size()), argv.data(), std::cout, std::cerr, "fwseal");
}

}  // namespace fwseal::cli
