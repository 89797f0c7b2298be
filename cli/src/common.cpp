#include <cstdio>
#include <ctime>

#include "commands.h"

namespace fwseal::cli {

int fail(const Error& e) {
  std::fprintf(stderr, "fwseal: %s\n", e.message.c_str());
  return exit_code(e.code);
}

int usage_error(const std::string& message, const char* usage) {
  std::fprintf(stderr, "fwseal: %s\nusage: %s\n", message.c_str(), usage);
  return exit_code(Code::usage);
}

}  // namespace fwseal::cli
