// The fwseal subcommands. Each takes the arguments after its name and returns
// the process exit code; only this layer prints.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fwseal/base/error.h"

namespace fwseal::cli {

using Argv = std::vector<std::string>;

int cmd_package(const Argv& args);
int cmd_sign(const Argv& args);
int cmd_verify(const Argv& args);
int cmd_inspect(const Argv& args);
int cmd_extract(const Argv& args);
int cmd_hsm(const Argv& args);
int cmd_trust(const Argv& args);
int cmd_ca(const Argv& args);  // cmd_ca.cpp: fwseal ca self-sign | issue | crl
int cmd_sbom(const Argv& args);
int cmd_audit(const Argv& args);
int cmd_provenance(const Argv& args);
int cmd_pipeline(const Argv& args);
int cmd_inventory(const Argv& args);  // cmd_inventory.cpp: add | add-sbom | query | product

// Prints "fwseal: <message>" on stderr and returns the error's exit code.
int fail(const Error& e);
// The same for a usage error, followed by the command's usage line. After
// ask_for_help() (main saw --help or -h), it prints the usage on stdout and
// returns 0 instead: every command refuses the option it does not parse, so
// each command and subcommand answers --help with its own usage.
int usage_error(const std::string& message, const char* usage);
void ask_for_help();

// --json (docs/JSON.md): main() saw --json and names the run's document
// ("verify", "sbom-diff"). Then fail() and usage_error() print the failure
// document on stdout as well, and print_json() prints the command's result.
void ask_for_json(std::string document);
bool json_asked();
// json_document(name) merged with `fields`, printed on stdout.
void print_json(const nlohmann::json& fields);


}  // namespace fwseal::cli
