#include "args.h"

namespace fwseal::cli {

Args::Args(const Command& command) : command_(command) {
  for (const CLI::Option* o : command.get_options([](const CLI::Option* o) { return !o->nonpositional(); }))
    positionals_.insert(positionals_.end(), o->results().begin(), o->results().end());
}

bool Args::flag(const std::string& name) const {
  const CLI::Option* o = command_.get_option_no_throw(name);
  return o != nullptr && o->count() > 0;
}

std::optional<std::string> Args::value(const std::string& name) const {
  const CLI::Option* o = command_.get_option_no_throw(name);
  if (o == nullptr || o->results().empty()) return std::nullopt;
  return o->results().front();
}

std::vector<std::string> Args::values(const std::string& name) const {
  const CLI::Option* o = command_.get_option_no_throw(name);
  return o == nullptr ? std::vector<std::string>{} : o->results();
}

Result<std::string> Args::required(const std::string& name) const {
  auto v = value(name);
  if (!v) return make_error(Code::usage, "missing " + name);
  return *v;
}

Command& add_command(Command& parent, const std::string& name, const std::string& description, Run run) {
  return parent.add_command(name, description, [run](const Command& c) { return run(Args(c)); });
}

void add_output_switches(Command& c) {
  c.add_switch("-q,--quiet", "print nothing on stdout but what was asked for; errors still go to stderr");
  c.add_switch("--json", "print the result as one JSON document on stdout (docs/JSON.md)");
}

void add_module_option(Command& c) {
  c.add_value("--module", "PATH",
              "the PKCS#11 module (default: the key URI's module-path, $FWSEAL_PKCS11_MODULE, SoftHSM2)");
}

}  // namespace fwseal::cli
