// The fwseal commands. Each add_* function defines a command and its
// subcommands, with their arguments and descriptions, under `fwseal`
// (args.h); only this layer prints.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "args.h"
#include "fwseal/base/error.h"

namespace fwseal::cli {

void add_package_command(Command& fwseal);
void add_sign_command(Command& fwseal);
void add_verify_command(Command& fwseal);  // cmd_verify.cpp: fwseal-verify's own command line
void add_inspect_command(Command& fwseal);
void add_extract_command(Command& fwseal);
void add_trust_command(Command& fwseal);
void add_pipeline_command(Command& fwseal);
void add_provenance_command(Command& fwseal);
void add_audit_command(Command& fwseal);
void add_sbom_command(Command& fwseal);
void add_inventory_command(Command& fwseal);  // cmd_inventory.cpp, cmd_inventory_risk.cpp
void add_ca_command(Command& fwseal);         // cmd_ca.cpp: self-sign | issue | crl
void add_hsm_command(Command& fwseal);

// `fwseal` with every command, as --help lists them.
std::unique_ptr<Command> fwseal_commands();
// `fwseal verify ARGS...`: fwseal-verify, one implementation, one decision.
int run_verify(const std::vector<std::string>& args);

// Prints "fwseal: <message>" on stderr and returns the error's exit code.
int fail(const Error& e);
// The same for a usage error, followed by the usage line of the command that
// runs (set_usage).
int usage_error(const std::string& message);
void set_usage(std::string synopsis);

// --json (docs/JSON.md): main() saw --json and names the run's document
// ("verify", "sbom-diff"). Then fail() and usage_error() print the failure
// document on stdout as well, and print_json() prints the command's result.
void ask_for_json(std::string document);
bool json_asked();
// json_document(name) merged with `fields`, printed on stdout.
void print_json(const nlohmann::json& fields);

}  // namespace fwseal::cli
