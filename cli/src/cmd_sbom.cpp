#include <cstdio>
#include <cstdlib>
#include <optional>

#include "args.h"
#include "commands.h"
#include "fwseal/format/created.h"
#include "fwseal/base/digest.h"
#include "fwseal/base/file.h"
#include "fwseal/base/json_output.h"
#include "fwseal/format/canonical_json.h"
#include "fwseal/format/layout.h"
#include "fwseal/packager/spec.h"
#include "fwseal/sbom/diff.h"
#include "fwseal/sbom/licence_policy.h"
#include "fwseal/sbom/sbom.h"
#include "fwseal/sbom/validate.h"
#include "fwseal/verifier/sbom.h"

namespace fwseal::cli {

namespace {

// --parties FILE: the manufacturer and authors, written as in a package
// spec's "sbom" object, so that `fwseal sbom generate` can make the SBOM
// `fwseal package` embeds.
Status read_parties(const std::string& path, sbom::SbomConfig& config) {
  FWSEAL_ASSIGN(std::string text, read_file(path, 1 << 20));
  FWSEAL_ASSIGN(nlohmann::json j, parse_json_strict(text, path));
  FWSEAL_TRY(check_members(j, {"manufacturer", "authors"}, path));
  packager::SbomGeneration parties;
  FWSEAL_TRY(packager::parse_sbom_parties(j, path, parties));
  const auto& m = parties.manufacturer;
  config.manufacturer = {m.name, m.urls, m.contact_name, m.contact_email};
  for (const auto& a : parties.authors) config.authors.push_back({a.name, a.email});
  return ok_status();
}

int generate(const Args& args) {
  sbom::SbomConfig config;
  auto product = args.required("--product");
  auto version = args.required("--version");
  auto out = args.required("-o");
  if (!product.ok() || !version.ok() || !out.ok())
    return usage_error(!product.ok() ? product.error().message : !version.ok() ? version.error().message : out.error().message);
  config.product = *product;
  config.version = *version;
  config.supplier = args.value("--supplier").value_or("");
  for (const auto& image : args.values("--image")) {
    auto eq = image.find('=');
    if (eq == std::string::npos || eq == 0) return usage_error("--image wants NAME=PATH or NAME:TYPE=PATH, got " + image);
    std::string name = image.substr(0, eq), type = "firmware";
    if (auto colon = name.find(':'); colon != std::string::npos) {
      type = name.substr(colon + 1);
      name.resize(colon);
    }
    config.images.push_back({name, type, image.substr(eq + 1)});
  }
  if (config.images.empty()) return usage_error("at least one --image is required");
  config.components_files = args.values("--components");
  config.sha512 = args.flag("--sha512");
  if (auto parties = args.value("--parties")) {
    if (auto s = read_parties(*parties, config); !s.ok()) return fail(s.error());
  }
  auto t = resolve_created(std::nullopt, "SOURCE_DATE_EPOCH");
  if (!t.ok()) return fail(t.error());
  config.timestamp = *t;
  config.tool_version = FWSEAL_VERSION;
  auto bom = sbom::generate_sbom(config);
  if (!bom.ok()) return fail(bom.error());
  auto w = write_file_atomic(*out, bom->json);
  if (!w.ok()) return fail(w.error());
  for (const auto& warning : bom->warnings) std::fprintf(stderr, "fwseal: warning: %s\n", warning.c_str());
  if (args.flag("--json"))
    print_json({{"sbom", *out}, {"size", bom->json.size()}, {"sha256", to_hex(sha256(bom->json))}, {"warnings", bom->warnings}});
  return 0;
}

int validate(const Args& args) {
  if (args.positionals().size() != 1) return usage_error("expected one SBOM file");
  auto bytes = read_file(args.positionals()[0], kMaxSbomBytes);
  if (!bytes.ok()) return fail(bytes.error());
  auto version = sbom::validated_spec_version(*bytes);
  if (!version.ok()) return fail(make_error(version.error().code, args.positionals()[0] + ": " + version.error().message));
  if (args.flag("--json"))
    print_json({{"sbom", args.positionals()[0]}, {"valid", true}, {"spec_version", *version}});
  else if (!args.flag("--quiet"))
    std::printf("%s: valid CycloneDX %s SBOM\n", args.positionals()[0].c_str(), version->c_str());
  return 0;
}

int diff(const Args& args) {
  if (args.positionals().size() != 2) return usage_error("expected OLD and NEW");
  auto old_bom = verifier::read_sbom_input(args.positionals()[0], args.value("--trust"), kMaxSbomBytes);
  if (!old_bom.ok()) return old_bom.error().code == Code::usage ? usage_error(old_bom.error().message) : fail(old_bom.error());
  auto new_bom = verifier::read_sbom_input(args.positionals()[1], args.value("--trust"), kMaxSbomBytes);
  if (!new_bom.ok()) return new_bom.error().code == Code::usage ? usage_error(new_bom.error().message) : fail(new_bom.error());
  auto d = sbom::diff_sbom(*old_bom, *new_bom);
  if (!d.ok()) return fail(d.error());
  // diff(1)'s convention: 0 the same, 1 different ("code": "different" in --json).
  if (args.flag("--json")) {
    auto doc = nlohmann::json::parse(sbom::diff_to_json(*d));
    if (!d->empty()) doc.update({{"code", "different"}, {"exit_code", 1}});
    print_json(doc);
  } else if (!args.flag("--quiet")) {
    std::fputs(sbom::diff_to_text(*d).c_str(), stdout);
  }
  return d->empty() ? 0 : 1;
}

// Why a licence check fails the gate (exit 16), if it does.
std::optional<Error> licence_failure(const sbom::LicenceCheck& result) {
  if (result.pass()) return std::nullopt;
  std::string counts;
  for (auto v : {sbom::LicenceVerdict::denied, sbom::LicenceVerdict::not_allowed, sbom::LicenceVerdict::unknown,
                 sbom::LicenceVerdict::conflict}) {
    if (const std::size_t n = result.count(v))
      counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " " +
                (v == sbom::LicenceVerdict::not_allowed ? std::string("not allowed")
                 : v == sbom::LicenceVerdict::conflict  ? std::string("in conflict with signed boot")
                                                        : std::string(sbom::verdict_name(v)));
  }
  const std::size_t failing = result.components.size() - result.count(sbom::LicenceVerdict::allowed);
  return make_error(Code::gate, "licence policy failed: " + std::to_string(failing) + " of " +
                                    std::to_string(result.components.size()) + " components (" + counts + ")");
}

// The licence policy over an SBOM, or over the SBOM of a package that verifies.
int check(const Args& args) {
  if (args.positionals().size() != 1) return usage_error("expected one SBOM or package");
  auto policy_path = args.required("--policy");
  if (!policy_path.ok()) return usage_error(policy_path.error().message);
  auto policy = sbom::load_licence_policy(*policy_path);
  if (!policy.ok()) return fail(policy.error());
  const std::string& input = args.positionals()[0];
  auto bom = verifier::read_sbom_input(input, args.value("--trust"), kMaxSbomBytes);
  if (!bom.ok()) return bom.error().code == Code::usage ? usage_error(bom.error().message) : fail(bom.error());
  auto result = sbom::check_licences(*bom, *policy);
  if (!result.ok()) return fail(make_error(result.error().code, input + ": " + result.error().message));
  std::optional<Error> failure = licence_failure(*result);
  if (args.flag("--json")) {
    auto doc = nlohmann::json::parse(sbom::licence_check_to_json(*result));
    if (failure) doc.update(json_failure("sbom-check", *failure));
    print_json(doc);
  } else if (!args.flag("--quiet")) {
    std::fputs(sbom::licence_check_to_text(*result).c_str(), stdout);
  }
  return failure ? fail(*failure) : 0;
}

int extract(const Args& args) {
  if (args.positionals().size() != 1) return usage_error("expected one package");
  auto trust = args.value("--trust");
  if (!trust) return usage_error("--trust TRUST.json is required: the SBOM is handed out only from a verified package");
  auto bom = verifier::verified_sbom(args.positionals()[0], trust);
  if (!bom.ok()) return fail(bom.error());
  if (auto out = args.value("-o")) {
    auto w = write_file_atomic(*out, *bom);
    if (!w.ok()) return fail(w.error());
    if (args.flag("--json")) print_json({{"sbom", *out}, {"size", bom->size()}, {"sha256", to_hex(sha256(*bom))}});
    return 0;
  }
  if (args.flag("--json")) return usage_error("--json goes with -o FILE (without it, stdout is the SBOM)");
  std::fwrite(bom->data(), 1, bom->size(), stdout);
  return 0;
}

}  // namespace

void add_sbom_command(Command& fwseal) {
  Command& sbom = fwseal.add_command("sbom", "CycloneDX SBOMs: generate, validate, diff, licence policy, extract (sbom-gen/README.md)");

  Command& gen = add_command(sbom, "generate", "generate the CycloneDX SBOM of a set of images", generate);
  gen.add_value("--product", "NAME", "the product")->required();
  gen.add_value("--version", "V", "the product's version")->required();
  gen.add_value("--supplier", "S", "the supplier's name");
  gen.add_values("--image", "NAME[:TYPE]=PATH", "an image to describe (at least one; TYPE default firmware)");
  gen.add_values("--components", "FILE", "declared components, merged with what is discovered");
  gen.add_value("--parties", "FILE",
                "a JSON object {\"manufacturer\": {...}, \"authors\": [...]} as in a spec's \"sbom\"");
  gen.add_switch("--sha512", "add SHA-512 digests beside SHA-256");
  gen.add_value("-o,--output", "SBOM.cdx.json", "the SBOM to write")->required();

  Command& val = add_command(sbom, "validate", "check an SBOM against the CycloneDX schema", validate);
  val.add_positional("SBOM", "the SBOM file", "expected one SBOM file");

  Command& dif = add_command(sbom, "diff", "compare two SBOMs or packages' SBOMs (exit 0 the same, 1 different)", diff);
  dif.add_positional("OLD", "an SBOM file or a package", "expected OLD and NEW");
  dif.add_positional("NEW", "an SBOM file or a package", "expected OLD and NEW");
  dif.add_value("--trust", "TRUST.json", "the trust policy packages must satisfy before their SBOM is read");

  Command& chk = add_command(sbom, "check", "apply a licence policy (exit 0 passed, 16 failed)", check);
  chk.add_positional("SBOM|PKG", "an SBOM file or a package", "expected one SBOM or package");
  chk.add_value("--policy", "POLICY.json", "the licence policy")->required();
  chk.add_value("--trust", "TRUST.json", "the trust policy a package must satisfy before its SBOM is read");

  Command& ext = add_command(sbom, "extract", "print or write the SBOM of a package that verifies", extract);
  ext.add_positional("PKG", "the package", "expected one package");
  ext.add_value("--trust", "TRUST.json", "the trust policy the package must satisfy (required)");
  ext.add_value("-o,--output", "SBOM.cdx.json", "write the SBOM there instead of stdout (--json needs it)");

  for (Command* c : {&gen, &val, &dif, &chk, &ext}) add_output_switches(*c);
}

}  // namespace fwseal::cli}  // namespace fwseal::cli
