// fwseal's commands over CLI11: each command defines its arguments once, with
// their descriptions, on a Command (fwseal/verifier/command_line.h, shared
// with fwseal-verify); --help, the usage line of an error, the man pages and
// the bash completion all come from those definitions. A command's run
// function reads what was given through Args.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/verifier/command_line.h"

namespace fwseal::cli {

using cmdline::Command;

// A view over the parsed arguments of one Command. Options are named by any
// of their names ("-o" or "--output"); asking for one the command does not
// define is a bug, answered as if it was not given.
class Args {
 public:
  explicit Args(const Command& command);
  bool flag(const std::string& name) const;
  std::optional<std::string> value(const std::string& name) const;
  std::vector<std::string> values(const std::string& name) const;
  // Every positional argument, in the order the command defines them.
  const std::vector<std::string>& positionals() const { return positionals_; }
  // The value of an option, or Code::usage naming it (for an option that is
  // required only in some uses of the command).
  Result<std::string> required(const std::string& name) const;

 private:
  const Command& command_;
  std::vector<std::string> positionals_;
};

using Run = int (*)(const Args&);

// `fwseal ... NAME`, run by `run` once its arguments parsed.
Command& add_command(Command& parent, const std::string& name, const std::string& description, Run run);

// The options many commands share, with one description each.
void add_output_switches(Command& c);  // -q/--quiet, --json
void add_module_option(Command& c);    // --module PATH

}  // namespace fwseal::cli
