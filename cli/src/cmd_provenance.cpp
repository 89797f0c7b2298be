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

constexpr const char* kProvenanceUsage =
    "fwseal provenance create --spec SPEC.json --package PKG --key URI [-o FILE] [--module PATH]\n"
    "       [--audit-log FILE] [--invocation-id ID] [--quiet | --json]   (default FILE: PKG.intoto.jsonl)";

}  // namespace

int cmd_provenance(const Argv& argv) {
  if (argv.empty() || argv[0] != "create") return usage_error("expected the subcommand create", kProvenanceUsage);
  auto args = Args::parse(Argv(argv.begin() + 1, argv.end()),
                          {{"--spec", "--package", "--key", "-o", "--output", "--module", "--audit-log", "--invocation-id"},
                           {},
                           {"--quiet", "--json"}});
  if (!args.ok()) return usage_error(args.error().message, kProvenanceUsage);
  if (!args->positionals().empty()) return usage_error("unexpected argument " + args->positionals()[0], kProvenanceUsage);
  for (const char* required : {"--spec", "--package", "--key"})
    if (!args->value(required)) return usage_error(std::string("missing ") + required, kProvenanceUsage);
  const std::string spec_path = *args->value("--spec");
  const std::string pkg = *args->value("--package");
  const std::string uri = *args->value("--key");
  const std::string out = args->value("-o").value_or(args->value("--output").value_or(pkg + ".intoto.jsonl"));

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
  req.invocation_id = args->value("--invocation-id").value_or("");
  req.builder_version = FWSEAL_VERSION;
  auto statement = signer::build_provenance(req);
  if (!statement.ok()) return fail(statement.error());

  const signer::AuditContext audit{
      signer::audit_log_path(args->value("--audit-log").value_or(""), hsm::home_dir(hsm_options(*args))), uri, ""};
  if (auto log = signer::AuditLog::open(audit.log_path); !log.ok()) return fail(log.error());
  auto key = hsm::open_signing_key(hsm_options(*args), uri);
  if (!key.ok()) return fail(key.error());
  auto file = signer::sign_provenance(*statement, **key, audit, pkg);
  if (!file.ok()) return fail(file.error());
  if (auto w = write_file_atomic(out, *file); !w.ok()) return fail(w.error());
  if (args->flag("--json"))
    print_json({{"provenance", out}, {"package", pkg}, {"subject", statement->subject_name},
                {"manifest_sha256", to_hex(statement->manifest_digest)}, {"materials", statement->materials.size()},
                {"key_id", to_hex((*key)->key_id())}});
  else if (!args->flag("--quiet"))
    std::printf("wrote provenance %s for %s (manifest sha256 %s), %zu inputs, signed with key %s\n", out.c_str(),
                statement->subject_name.c_str(), to_hex(statement->manifest_digest).c_str(),
                statement->materials.size(), to_hex((*key)->key_id()).c_str());
  return 0;
}

}  // namespace fwseal::cli
