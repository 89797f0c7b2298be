// The command-line layer both programs share, over CLI11 (Debian's
// libcli11-dev): each command of `fwseal` and `fwseal-verify` defines its
// arguments once, with a description, on a Command. From those definitions
// come the --help text (the layout below), the synopsis printed with a usage
// error, the man pages and the bash completion (both read --help).
//
// It lives beside fwseal-verify's command line because fwseal-verify links
// nothing of cli/; `fwseal` uses it through fwseal_verify_cli.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fwseal::cmdline {

// One command or subcommand. Unknown arguments are kept (not thrown) so that
// usage_message() can name the first of them; -h/--help prints the help.
class Command : public CLI::App {
 public:
  using Run = std::function<int(const Command&)>;

  Command(std::string name, std::string description);

  // A subcommand of this one; `run` is what it does once its arguments parsed
  // (empty for a command that only groups subcommands).
  Command& add_command(const std::string& name, const std::string& description, Run run = nullptr);

  // A positional argument, `count` values (-1: one or more); `missing` is the
  // usage error when it is absent ("expected one package").
  CLI::Option* add_positional(const std::string& name, const std::string& description, const std::string& missing,
                              int count = 1);
  // An option with one value; `metavar` names the value in the help ("URI").
  CLI::Option* add_value(const std::string& names, const std::string& metavar, const std::string& description);
  // The same, given any number of times (--hw A --hw B).
  CLI::Option* add_values(const std::string& names, const std::string& metavar, const std::string& description);
  // A flag: no value (--json=1 is a usage error).
  CLI::Option* add_switch(const std::string& names, const std::string& description);

  const Run& run() const { return run_; }
  // "fwseal hsm keygen": the names from the root down.
  std::string full_name() const;
  // The one-line synopsis made from the definitions: positionals, required
  // options, then [optional ones]; wrapped, continuation lines indented.
  std::string synopsis() const;
  // What a usage error shows: the synopsis of a command that runs; for one
  // that groups subcommands, the synopsis of each command under it, one
  // after the other ("fwseal audit verify LOG [--anchor SHA256] ...").
  std::string usage() const;
  // The usage error for a positional that is absent.
  std::string missing_message(const CLI::Option* positional) const;

  // Parses `args` (without the program name). Returns the deepest command
  // selected; *error is set to the one-line usage message when the arguments
  // are wrong, *help when -h/--help was given (the help is help_text()).
  Command& parse(std::vector<std::string> args, std::string* error, bool* help);
  // The --help text of this command.
  std::string help_text() const;

 private:
  Run run_;
  std::map<const CLI::Option*, std::string> missing_;
};

// The first argument no definition took, if any ("--bogus", "extra.bin").
std::optional<std::string> first_unknown(const CLI::App& app);

}  // namespace fwseal::cmdline
