#include <cstdio>
#include <ctime>

#include "commands.h"

namespace fwseal::cli {

int fail(const Error& e) {
  std::fprintf(stderr, "fwseal: %s\n", e.message.c_str());
  return exit_code(e.code);
}

namespace {
bool g_help = false;
}  // namespace

void ask_for_help() { g_help = true; }

int usage_error(const std::string& message, const char* usage) {
  if (g_help) {  // --help: the usage was asked for, not a mistake
    std::printf("usage: %s\n", usage);
    return 0;
  }
  std::fprintf(stderr, "fwseal: %s\nusage: %s\n", message.c_str(), usage);
  return exit_code(Code::usage);
}

}  // namespace fwseal::cli
