// The rules of docs/FORMAT.md in messages. Every refusal of a package rule
// (R1...R28) or a trust-file rule (T1...T10) starts with the rule's number:
//
//   R2: image/kernel: padding byte at offset 1842 is not zero
//   T5: trust.json: trust.keys[1].public_key: not a PEM public key ...
//
// The check of a rule puts its number there. A check several rules share
// (canonical JSON, names, hex, base64, certificates) leaves it to its caller,
// which knows which rule it is checking.
#pragma once

#include <string_view>
#include <utility>

#include "fwseal/base/error.h"

namespace fwseal {

// `e` with "<rule>: " before its message (rule "R2", "T5"). A message that
// already starts with a rule keeps it: the check nearest to the fault named
// it. Errors that break no rule keep their messages as they are: I/O, usage,
// internal, HSM (only the codes 10 to 15 and 17 are rule failures).
Error with_rule(std::string_view rule, Error e);

template <class T>
Result<T> with_rule(std::string_view rule, Result<T> r) {
  if (r.ok()) return r;
  return with_rule(rule, std::move(r).error());
}

// `e` under `rule` whatever rule it named before, for a caller whose rule
// covers all it asked of a shared step: signatures.json's header and its end
// are R24, where another entry's would be R1 and R4.
Error replace_rule(std::string_view rule, Error e);

// The rule `message` starts with: "R2" of "R2: image/kernel: ...", or "".
std::string_view rule_of(std::string_view message);

// `message` after its rule: "image/kernel: ..." of "R2: image/kernel: ...".
std::string_view without_rule(std::string_view message);

// `e` with "<context>: " before its message, after the rule if it has one:
// "T5: trust.json: trust.keys[1]...", "R2: cam.fwpkg: image/kernel: ...".
Error with_context(std::string_view context, Error e);

}  // namespace fwseal
