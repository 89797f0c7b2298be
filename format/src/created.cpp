#include "fwseal/format/created.h"

#include <cstdlib>
#include <string>

#include "fwseal/base/text.h"
#include "fwseal/base/time.h"
#include "fwseal/format/manifest.h"

namespace fwseal {

namespace {
const std::string kRange = "0 to " + std::to_string(kMaxCreated) + " (1970-01-01 to 2038-01-19)";
}  // namespace

Result<std::int64_t> parse_source_date_epoch(std::string_view text) {
  std::int64_t v = 0;
  bool digits = !text.empty() && text.size() <= 10;
  for (char c : text) {
    if (c < '0' || c > '9') digits = false;
    if (digits) v = v * 10 + (c - '0');
  }
  if (!digits || v > kMaxCreated)
    return make_error(Code::usage, "R11: SOURCE_DATE_EPOCH " + quote(text) +
                                       " is not a number of seconds since 1970 from " + kRange);
  return v;
}

Result<std::optional<std::int64_t>> source_date_epoch_from_env() {
  const char* sde = std::getenv("SOURCE_DATE_EPOCH");
  if (!sde || !*sde) return std::optional<std::int64_t>{};
  FWSEAL_ASSIGN(std::int64_t v, parse_source_date_epoch(sde));
  return std::optional<std::int64_t>{v};
}

Status check_created(std::int64_t t, std::string_view where, Code code) {
  if (t < 0 || t > kMaxCreated)
    return make_error(code, "R11: " + std::string(where) + ": " + std::to_string(t) + " is outside " + kRange);
  return ok_status();
}

Result<std::int64_t> resolve_created(std::optional<std::int64_t> from_file, std::string_view where) {
  if (from_file) {
    FWSEAL_TRY(check_created(*from_file, where));
    return *from_file;
  }
  FWSEAL_ASSIGN(std::optional<std::int64_t> sde, source_date_epoch_from_env());
  return sde.value_or(0);
}

std::string describe_created(std::int64_t t) {
  return t == 0 ? std::string(kCreatedNotRecorded) : rfc3339_utc(t);
}

}  // namespace fwseal
