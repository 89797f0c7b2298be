#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "fwseal/base/interrupt.h"

#include "commands.h"

namespace {

constexpr const char* kUsage = R"(usage: fwseal <command> [options]

Release packages:
  package  --spec SPEC.json -o PKG            assemble a reproducible package
  sign     PKG --key URI [--cert CHAIN.pem]   add a signature made inside an HSM
  verify   PKG|- --trust TRUST.json [--hw ID] [--installed-security-version N] [--json]
  inspect  PKG [--json]                       show what a package claims (unverified)
  extract  PKG -C DIR --trust TRUST.json      verify, then write the images into DIR
  trust    create -o TRUST.json --pubkey PEM... [--threshold N] [--hw ID]... [--min-security-version N]
  pipeline run RELEASE.json [-o DIR] [-j N]   SBOM, package, sign, verify, provenance, repro check, report
  provenance create --spec SPEC.json --package PKG --key URI [-o FILE]   signed in-toto/SLSA provenance
  audit    verify LOG [--anchor SHA256]       check the signing audit log's hash chain
  sbom     generate|validate|diff|extract     CycloneDX SBOMs (sbom-gen/README.md)
  inventory add|add-sbom|query|product        every release's SBOM in one place (docs/INVENTORY.md)
  ca       self-sign|issue|crl                a small CA whose keys stay in the HSM (docs/TRUST.md)

Keys in a PKCS#11 token (SoftHSM2 by default):
  hsm init    --token NAME
  hsm keygen  --key URI --alg ecdsa-p256|ecdsa-p384|ed25519|rsa-pss-3072|rsa-pss-4096
  hsm list    [--token NAME]
  hsm pubkey  --key URI [-o FILE]

Keys are PKCS#11 URIs (RFC 7512), e.g. pkcs11:token=release;object=fw-signing.
The PIN comes from FWSEAL_PIN, FWSEAL_PIN_FILE, the URI's pin-source, or a prompt.
Exit codes: 0 ok, 1 internal, 2 usage, 3 I/O, 10 malformed, 11 digest, 12 signature,
13 untrusted, 14 rollback, 15 hardware, 20 HSM, 21 HSM login. See docs/.
)";

}  // namespace

// The --json document of a run: the command, and its subcommand for the
// commands that have them ("sbom-diff", "hsm-list").
static std::string json_document_name(const std::string& command, const fwseal::cli::Argv& args) {
  static const char* const kWithSubcommands[] = {"hsm", "trust", "ca", "sbom", "audit", "provenance", "pipeline", "inventory"};
  for (const char* c : kWithSubcommands)
    if (command == c && !args.empty() && !args[0].empty() && args[0][0] != '-') return command + "-" + args[0];
  return command;
}

int main(int argc, char** argv) {
  using namespace fwseal::cli;
  fwseal::install_interrupt_cleanup();  // SIGINT, SIGTERM, SIGHUP remove what the run created
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string command = argv[1];
  Argv args(argv + 2, argv + argc);
  if (command == "help") {  // fwseal help CMD [SUB]: the same as fwseal CMD [SUB] --help
    if (args.empty()) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    command = args.front();
    args.erase(args.begin());
    args.push_back("--help");
  }
  for (const auto& a : args) {
    if (a == "--") break;
    if (a == "--help" || a == "-h") ask_for_help();
    if (a == "--json") ask_for_json(json_document_name(command, args));
  }
  try {
    if (command == "package") return cmd_package(args);
    if (command == "sign") return cmd_sign(args);
    if (command == "verify") return cmd_verify(args);
    if (command == "inspect") return cmd_inspect(args);
    if (command == "extract") return cmd_extract(args);
    if (command == "hsm") return cmd_hsm(args);
    if (command == "trust") return cmd_trust(args);
    if (command == "ca") return cmd_ca(args);
    if (command == "sbom") return cmd_sbom(args);
    if (command == "audit") return cmd_audit(args);
    if (command == "provenance") return cmd_provenance(args);
    if (command == "pipeline") return cmd_pipeline(args);
    if (command == "inventory") return cmd_inventory(args);
    if (command == "--version" || command == "version") {
      std::printf("fwseal %s\n", FWSEAL_VERSION);
      return 0;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fwseal: internal error: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "fwseal: unknown command \"%s\"\n%s", command.c_str(), kUsage);
  return 2;
}
