#include "commands.h"



namespace fwseal::cli {

std::unique_ptr<Command> fwseal_commands() {
  auto fwseal = std::make_unique<Command>(
      "fwseal", "Signed, reproducible, auditable firmware release packages, with keys kept in an HSM.");
  fwseal->add_switch("--version", "print the version and exit");
  add_package_command(*fwseal);
  add_sign_command(*fwseal);
  add_verify_command(*fwseal);
  add_inspect_command(*fwseal);
  add_extract_command(*fwseal);
  add_trust_command(*fwseal);
  add_pipeline_command(*fwseal);
  add_provenance_command(*fwseal);
  add_audit_command(*fwseal);
  add_sbom_command(*fwseal);
  add_inventory_command(*fwseal);
  add_ca_command(*fwseal);
  add_hsm_command(*fwseal);
  fwseal->footer(
      "Keys are PKCS#11 URIs (RFC 7512), e.g. pkcs11:token=release;object=fw-signing.\n"
      "The PIN comes from FWSEAL_PIN, FWSEAL_PIN_FILE, the URI's pin-source, or a prompt; never from argv.\n"
      "\"fwseal help COMMAND [SUBCOMMAND]\" is \"fwseal COMMAND [SUBCOMMAND] --help\".\n"
      "Exit codes: 0 ok, 1 internal, 2 usage, 3 I/O, 10 malformed, 11 digest, 12 signature,\n"
      "13 untrusted, 14 rollback, 15 hardware, 16 policy, 20 HSM, 21 HSM login. See docs/USAGE.md.");
  return fwseal;
}

}  // namespace fwseal::cli
