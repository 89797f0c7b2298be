// Triage that lasts: statements that a vulnerability does or does not affect
// a package (in a version range, in one product), recorded by hand with
// `fwseal inventory triage` or imported from VEX documents (CycloneDX 1.6,
// OpenVEX 0.2, CSAF 2.0 VEX), and applied by every scan: the most specific
// statement that covers a finding decides its status, so one decision covers
// every later release that carries the same package range.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/inventory/store.h"

namespace fwseal::inventory {

// What a statement is about: a package by purl (type, namespace, name; a
// Debian-family name may be the source package) or by CPE vendor and
// product, optionally one version of it or a vers: range, optionally in one
// product only.
struct Scope {
  std::string kind = "purl";  // "purl" or "cpe"
  std::string type, ns, name;  // cpe: type "cpe", ns the vendor, name the product
  std::string version;         // "" for every version (or those of `vers`)
  std::string vers;            // "" or a vers: range
  std::string product;         // "" for every product
  std::string text;            // as a person reads it: "pkg:deb/debian/openssl vers:deb/<3.0.16 in gw"
};

struct Statement {
  std::string vulnerability;  // an advisory id or alias: "CVE-2023-5678", "DSA-5678-1"
  Scope scope;
  std::string status;         // not_affected, affected, fixed, under_investigation
  std::string justification;  // OpenVEX/CSAF or CycloneDX vocabulary, "" if none
  std::string detail;         // why, or what to do (impact or action statement)
  std::string author;
  std::string created;        // RFC 3339
  std::string source;         // "triage", or the VEX file and its format
};

// The scope of `--purl PURL [--range vers:...] [--product P]` or `--cpe CPE`:
// a purl's version (if any) is the one version; qualifiers and subpath are
// not part of a scope. Code::usage naming the option for a purl, CPE or
// range that does not parse, a version and a range together, or a range
// whose scheme does not fit the purl type.
Result<Scope> make_scope(const std::optional<std::string>& purl, const std::optional<std::string>& cpe,
                         const std::optional<std::string>& range, const std::optional<std::string>& product);

// Code::usage for an unknown status or justification, a not_affected
// statement with neither justification nor detail, a vulnerability id that
// is empty, longer than 256 bytes or not printable text.
Status check_statement(const Statement& s);

// Records one statement (its own transaction).
Status record_statement(Connection& db, const Statement& s);

// Every statement, oldest first.
Result<std::vector<Statement>> list_statements(Connection& db);

// The statements as a table (vulnerability, status, scope, justification,
// author, time, source) or, with `json`, an array of objects.
std::string statements_text(const std::vector<Statement>& statements, bool json);

struct VexImport {
  std::string format;  // "cyclonedx", "openvex", "csaf"
  std::size_t statements = 0;
  std::vector<std::string> skipped;  // products without a purl or CPE, one line each
};

// The statements of one VEX document: CycloneDX 1.6 ("vulnerabilities" with
// "analysis" and "affects" naming components of the same BOM), OpenVEX 0.2
// ("statements" naming purls, subcomponents first), CSAF 2.0 VEX
// ("product_status" over a product tree whose products carry a purl or CPE).
// Statuses and justifications are mapped onto the four VEX statuses
// (docs/INVENTORY.md). Code::malformed naming `where` and the member for a
// document of none of these shapes or a statement that cannot be read; a
// product that names no package (no purl or CPE) is listed in `skipped`.
Result<std::pair<std::vector<Statement>, VexImport>> parse_vex(std::string_view json, std::string_view where);

// Reads and records a VEX file in one transaction: all its statements or none.
Result<VexImport> import_vex(Connection& db, const std::string& path);

// Finding-side view of a scope match.
struct Package {
  std::string purl, cpe, version;  // the component's purl, CPE and version
  std::string product;             // the release's product
};

// The most specific statement that covers `package` for any of `ids` (an
// advisory id and its aliases): one product over every product, then one
// version over a range over every version; the one recorded last among
// equals. A pointer into `statements`, nullptr when none covers it.
const Statement* deciding_statement(const std::vector<Statement>& statements,
                                            const std::vector<std::string>& ids, const Package& package);

}  // namespace fwseal::inventory
