// The command line of `fwseal-verify` and `fwseal verify`: one implementation,
// two entry points.
//
//   PKG|- --trust TRUST.json [--hw ID]... [--installed-security-version N] [--provenance FILE]
//   [--decrypt-key KEY.pem (fwseal verify: URI|KEY.pem)] [--quiet] [--json]
//
// The arguments are defined once (cli.cpp, over command_line.h), with their
// descriptions: -h/--help prints them on stdout, exit 0.
// Valid: a one-line summary on stdout, exit 0. Invalid: one line
// "<program>: <message>" on stderr and the exit code of docs/USAGE.md (2 usage,
// 3 unreadable package or trust file, 10-15 as verify_package decides).
// --json prints report_json on stdout in both cases.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

#include "fwseal/base/error.h"
#include "fwseal/format/encryption.h"

namespace fwseal::verifier {

// Opens a --decrypt-key that is a key URI ("pkcs11:…"): ECDH inside the
// token. fwseal-verify loads no PKCS#11 module, so it has none and refuses a
// URI (exit 2, naming the commands that take one); `fwseal verify` passes one
// over hsm/.
using TokenKeyOpener = std::function<Result<std::unique_ptr<enc::RecipientKey>>(const std::string& uri)>;

// argv[0] is the program (or subcommand) name and is skipped. `program` names
// the command in its help and synopsis ("fwseal-verify", "fwseal verify"); its
// first word starts each error line. With a `version`, --version prints it.
int verify_main(int argc, char** argv);
int verify_main(int argc, char** argv, std::ostream& out, std::ostream& err, std::string_view program,
                std::string_view version = {}, const TokenKeyOpener& open_token_key = {});

std::string verify_usage(std::string_view program);

}  // namespace fwseal::verifier
