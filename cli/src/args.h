// A small command-line parser for fwseal's subcommands: `--name value`,
// `--name=value`, flags, and positionals. Unknown options are usage errors.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fwseal/base/error.h"

namespace fwseal::cli {

struct OptionSpec {
  std::set<std::string> with_value;  // e.g. "--key"
  std::set<std::string> repeatable;  // subset of with_value that may repeat
  std::set<std::string> flags;       // e.g. "--json"
};

class Args {
 public:
  static Result<Args> parse(const std::vector<std::string>& argv, const OptionSpec& spec);
  bool flag(const std::string& name) const { return flags_.count(name) != 0; }
  std::optional<std::string> value(const std::string& name) const;
  std::vector<std::string> values(const std::string& name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }
  // The value of a required option, or Code::usage naming it.
  Result<std::string> required(const std::string& name) const;

 private:
  std::set<std::string> flags_;
  std::multimap<std::string, std::string> values_;
  std::vector<std::string> positionals_;
};

}  // namespace fwseal::cli
