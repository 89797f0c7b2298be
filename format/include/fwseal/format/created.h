// R11: the one place a package's `created` time is decided. A release file's
// or spec's `created` wins; else SOURCE_DATE_EPOCH (reproducible-builds.org:
// decimal seconds since 1970); else 0. Every value must lie in 0..kMaxCreated
// (the tar mtime of a plain ustar header), so a time that could not be packaged
// is refused where it is given, not when the manifest is written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fwseal/base/error.h"

namespace fwseal {

// SOURCE_DATE_EPOCH's text: decimal digits only, 0..kMaxCreated. Code::usage,
// message starting "R11: SOURCE_DATE_EPOCH".
Result<std::int64_t> parse_source_date_epoch(std::string_view text);

// SOURCE_DATE_EPOCH from the environment: nullopt if unset or empty.
Result<std::optional<std::int64_t>> source_date_epoch_from_env();

// `from_file` (the `created` member named `where`) if present, checked against
// R11's range (Code::malformed); else SOURCE_DATE_EPOCH; else 0.
Result<std::int64_t> resolve_created(std::optional<std::int64_t> from_file, std::string_view where);

// A time given by other means (an option, a library caller) within R11's range;
// `code` for the error, whose message names `where`.
Status check_created(std::int64_t t, std::string_view where, Code code = Code::malformed);

// How messages and reports show a `created` time: RFC 3339 UTC, except 0, which
// R11 records when neither the spec nor SOURCE_DATE_EPOCH gave a time. That is
// shown as kCreatedNotRecorded, never as 1970-01-01.
inline constexpr std::string_view kCreatedNotRecorded =
    "not recorded (created 0: no time given by the spec or SOURCE_DATE_EPOCH)";
std::string describe_created(std::int64_t t);

// The note `fwseal package` prints when it records 0: reproducible-builds.org's
// advice is a fixed time from the source (the last commit), not the clock.
inline constexpr std::string_view kCreatedZeroNote =
    "created is 0 (not recorded): give the spec a `created` time or set SOURCE_DATE_EPOCH, "
    "e.g. to the last commit's time (git log -1 --format=%ct)";

}  // namespace fwseal
