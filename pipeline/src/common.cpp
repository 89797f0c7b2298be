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

std::string utc_time(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace fwseal::cli
