#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "fwseal/base/interrupt.h"

#include "commands.h"

namespace {

// The --json document of a run: the command, and its subcommand for the
// commands that have them ("sbom-diff", "hsm-list", "inventory-vex").
std::string json_document_name(const fwseal::cli::Command& leaf) {
  std::string name;
  int words = 0;
  for (const CLI::App* a = &leaf; a->get_parent() != nullptr; a = a->get_parent()) {
    name = a->get_name() + (name.empty() ? "" : "-" + name);
    ++words;
  }
  while (words-- > 2) name.resize(name.rfind('-'));
  return name;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace fwseal::cli;
  fwseal::install_interrupt_cleanup();  // SIGINT, SIGTERM, SIGHUP remove what the run created
  auto fwseal = fwseal_commands();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs(fwseal->help_text().c_str(), stderr);
    return 2;
  }
  if (args[0] == "help") {  // fwseal help [CMD [SUB]]: the same as fwseal [CMD [SUB]] --help
    args.erase(args.begin());
    args.push_back("--help");
  } else if (args[0] == "version") {
    args[0] = "--version";
  }
  if (!args.empty() && args[0] == "verify") return run_verify({args.begin() + 1, args.end()});

  std::string error;
  bool help = false;
  Command& command = fwseal->parse(args, &error, &help);
  if (help) {
    std::fputs(command.help_text().c_str(), stdout);
    return 0;
  }
  if (&command == fwseal.get() && error.empty() && command.get_option("--version")->count() > 0) {
    std::printf("fwseal %s\n", FWSEAL_VERSION);
    return 0;
  }
  set_usage(&command == fwseal.get() ? command.synopsis() : command.usage());
  if (const CLI::Option* json = command.get_option_no_throw("--json"); json && json->count() > 0)
    ask_for_json(json_document_name(command));
  if (!error.empty()) return usage_error(error);
  if (!command.run()) return usage_error("expected a command; fwseal --help lists them");
  try {
    return command.run()(command);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fwseal: internal error: %s\n", e.what());
    return 1;
  }
}
