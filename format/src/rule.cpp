#include "fwseal/format/rule.h"

#include <string>

namespace fwseal {
namespace {

// Exit codes 10 to 15: a package or a trust file breaks a rule.
bool breaks_a_rule(Code code) {
  switch (code) {
    case Code::malformed:
    case Code::digest:
    case Code::signature:
    case Code::untrusted:
    case Code::rollback:
    case Code::hardware:
    case Code::decryption:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string_view rule_of(std::string_view message) {
  // "R" or "T", a number without a leading zero, then ": ".
  std::size_t digits = 0;
  while (1 + digits < message.size() && message[1 + digits] >= '0' && message[1 + digits] <= '9') ++digits;
  const bool rule = !message.empty() && (message[0] == 'R' || message[0] == 'T') && digits > 0 &&
                    message[1] != '0' && message.substr(1 + digits).starts_with(": ");
  return rule ? message.substr(0, 1 + digits) : std::string_view();
}

std::string_view without_rule(std::string_view message) {
  const std::string_view rule = rule_of(message);
  return rule.empty() ? message : message.substr(rule.size() + 2);
}

Error with_rule(std::string_view rule, Error e) {
  if (!breaks_a_rule(e.code) || !rule_of(e.message).empty()) return e;
  e.message.insert(0, std::string(rule) + ": ");
  return e;
}

Error replace_rule(std::string_view rule, Error e) {
  if (!breaks_a_rule(e.code)) return e;
  e.message = std::string(without_rule(e.message));
  return with_rule(rule, std::move(e));
}

Error with_context(std::string_view context, Error e) {
  const std::string_view rule = rule_of(e.message);
  e.message.insert(rule.empty() ? 0 : rule.size() + 2, std::string(context) + ": ");
  return e;
}

}  // namespace fwseal
