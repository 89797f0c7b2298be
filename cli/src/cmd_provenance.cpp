// fwseal provenance create: an in-toto/SLSA provenance statement for a
// package, signed with an HSM key as a DSSE envelope (docs/AUDIT.md).
#include <cstdio>
#include <cstdlib>

#include "args.h"
#include "commands.h"
#include "fwseal/format/package_reader.h"
#include "fwseal/format/created.h"
#include "fwseal/base/file.h"
#include "fwseal/hsm/signing_key.h"
#include "fwseal/packager/spec.h"
#include "fwseal/signer/audit.h"
#include "fwseal/signer/provenance.h"
#include "hsm_options.h"

namespace fwseal::cli {

namespace {

int provenance_create(const Args& args) {
  const std::string spec_path = *args.value("--spec");
  const std::string pkg = *args.value("--package");
  const std::string uri = *args.value("--key");
  const std::string out = args.value("-o").value_or(pkg + ".intoto.jsonl");

  // Everything that can be checked without the key comes first.
  auto spec = packager::load_spec(spec_path);
  if (!spec.ok()) return fail(spec.error());
  auto head = read_unverified_package(pkg);
  if (!head.ok()) return fail(head.error());
  if (auto s = packager::check_built_from(*spec, head->manifest.content, pkg); !s.ok()) return fail(s.error());

  signer::ProvenanceRequest req;
  req.package_path = pkg;
  req.parameters_path = spec_path;
  for (const auto& img : spec->images) req.inputs.push_back({"image", img.name, img.path});
  if (spec->sbom) req.inputs.push_back({"sbom", "", spec->sbom_path});
  if (spec->created) {
    req.time = *spec->created;
  } else {
    auto sde = source_date_epoch_from_env();
    if (!sde.ok()) return fail(sde.error());
    req.time = *sde;  // neither: the manifest's `created`
  }
  req.invocation_id = args.value("--invocation-id").value_or("");
  req.builder_version = FWSEAL_VERSION;
  auto statement = signer::build_provenance(req);
  if (!statement.ok()) return fail(statement.error());

  const signer::AuditContext audit{
      signer::audit_log_path(args.value("--audit-log").value_or(""), hsm::home_dir(hsm_options(args))), uri, ""};
  if (auto log = signer::AuditLog::open(audit.log_path); !log.ok()) return fail(log.error());
  auto key = hsm::open_signing_key(hsm_options(args), uri);
  if (!key.ok()) return fail(key.error());
  auto file = signer::sign_provenance(*statement, **key, audit, pkg);
  if (!file.ok()) return fail(file.error());
  if (auto w = write_file_atomic(out, *file); !w.ok()) return fail(w.error());
  if (args.flag("--json"))
    print_json({{"provenance", out}, {"package", pkg}, {"subject", statement->subject_name},
                {"manifest_sha256", to_hex(statement->manifest_digest)}, {"materials", statement->materials.size()},
                {"key_id", to_hex((*key)->key_id())}});
  else if (!args.flag("--quiet"))
    std::printf("wrote provenance %s for %s (manifest sha256 %s), %zu inputs, signed with key %s\n", out.c_str(),
                statement->subject_name.c_str(), to_hex(statement->manifest_digest).c_str(),
                statement->materials.size(), to_hex((*key)->key_id()).c_str());
  return 0;
}

}  // namespace

void add_provenance_command(Command& fwseal) {
  Command& provenance = fwseal.add_command("provenance", "in-toto/SLSA provenance of a package (docs/AUDIT.md)");
  Command& c = add_command(provenance, "create", "write a provenance statement for a package, signed with an HSM key", provenance_create);
  c.add_value("--spec", "SPEC.json", "the spec the package was built from")->required();
  c.add_value("--package", "PKG", "the package the statement is about")->required();
  c.add_value("-k,--key", "URI", "the signing key in its token, a PKCS#11 URI")->required();
  c.add_value("-o,--output", "FILE", "where to write it (default PKG.intoto.jsonl)");
  add_module_option(c);
  c.add_value("--audit-log", "FILE", "the signing audit log (default: the one in $FWSEAL_HOME)");
  c.add_value("--invocation-id", "ID", "the build's id, recorded in the statement (a CI job URL, say)");
  add_output_switches(c);
}

}  // namespace fwseal::cli
