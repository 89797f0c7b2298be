#include "fwseal/inventory/vex.h"

#include <gtest/gtest.h>

#include "fwseal/base/file.h"
#include "fwseal/inventory/add.h"
#include "fwseal/inventory/scan.h"
#include "test_inventory.h"

namespace fwseal::inventory {
namespace {

std::string read_data(const std::string& name) {
  return read_file(std::string(FWSEAL_SOURCE_DIR) + "/tests/data/vex/" + name).value();
}

Statement statement(const std::string& vuln, Scope scope, const std::string& status, const std::string& created) {
  Statement s;
  s.vulnerability = vuln;
  s.scope = std::move(scope);
  s.status = status;
  s.detail = "because";
  s.author = "t";
  s.created = created;
  s.source = "triage";
  return s;
}

Scope scope(const std::string& purl, const std::optional<std::string>& range = std::nullopt,
            const std::optional<std::string>& product = std::nullopt) {
  return make_scope(purl, std::nullopt, range, product).value();
}

TEST(Vex, TheMostSpecificStatementDecides) {
  const std::vector<Statement> list = {
      statement("CVE-1", scope("pkg:deb/debian/openssl"), "affected", "1"),
      statement("CVE-1", scope("pkg:deb/debian/openssl", "vers:deb/>=3.0.0|<3.0.14"), "not_affected", "2"),
      statement("CVE-1", scope("pkg:deb/debian/openssl@3.0.11-1~deb12u2"), "under_investigation", "3"),
      statement("CVE-1", scope("pkg:deb/debian/openssl", std::nullopt, std::string("cam")), "fixed", "4"),
  };
  // The source package's version is the one a Debian scope compares.
  auto package = [](const std::string& version, const std::string& product) {
    return Package{"pkg:deb/debian/libssl3@" + version + "?arch=amd64&upstream=openssl%40" + version, "", version, product};
  };
  auto decide = [&](const Package& p, const std::vector<std::string>& ids = {"DSA-1", "CVE-1"}) {
    auto s = deciding_statement(list, ids, p);
    return s ? s->status : std::string("none");
  };
  EXPECT_EQ(decide(package("3.0.11-1~deb12u2", "gw")), "under_investigation");  // one version over a range
  EXPECT_EQ(decide(package("3.0.13-1~deb12u1", "gw")), "not_affected");         // a range over every version
  EXPECT_EQ(decide(package("3.0.15-1~deb12u1", "gw")), "affected");             // every version
  EXPECT_EQ(decide(package("3.0.11-1~deb12u2", "cam")), "fixed");               // one product over the rest
  EXPECT_EQ(decide(package("3.0.11-1~deb12u2", "gw"), {"DSA-2", "CVE-2"}), "none");
  EXPECT_EQ(decide(Package{"pkg:deb/debian/curl@7.88.1-10", "", "7.88.1-10", "gw"}), "none");
  // Among equals, the one recorded last.
  auto later = list;
  later.push_back(statement("CVE-1", scope("pkg:deb/debian/openssl"), "fixed", "5"));
  EXPECT_EQ(deciding_statement(later, {"CVE-1"}, package("3.0.15-1~deb12u1", "gw"))->status, "fixed");
  // By CPE, for a fingerprinted component.
  auto by_cpe = make_scope(std::nullopt, std::string("cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*"),
                           std::string("vers:generic/<1.37.0"), std::nullopt);
  ASSERT_TRUE(by_cpe.ok()) << by_cpe.error().message;
  auto cpe_list = std::vector<Statement>{statement("CVE-2022-48174", *by_cpe, "not_affected", "1")};
  EXPECT_EQ(deciding_statement(cpe_list, {"CVE-2022-48174"},
                               Package{"pkg:generic/busybox@1.36.1", "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*",
                                       "1.36.1", "gw"})
                ->status,
            "not_affected");
  EXPECT_FALSE(deciding_statement(cpe_list, {"CVE-2022-48174"},
                                  Package{"pkg:generic/busybox@1.37.0", "cpe:2.3:a:busybox:busybox:1.37.0:*:*:*:*:*:*:*",
                                          "1.37.0", "gw"}));
}

TEST(Vex, BadTriageIsRefusedWithOneLine) {
  struct Case {
    std::optional<std::string> purl, cpe, range;
    std::string message;
  } cases[] = {
      {std::nullopt, std::nullopt, std::nullopt, "give one of --purl and --cpe"},
      {std::string("pkg:deb/debian/openssl@1"), std::nullopt, std::string("vers:deb/<2"),
       "--range: the package already names one version (1); give one or the other"},
      {std::string("pkg:deb/debian/openssl"), std::nullopt, std::string("vers:semver/<2.0.0"),
       "--range: semver versions do not fit a deb package (use vers:deb/...)"},
      {std::nullopt, std::string("cpe:2.3:a:*:busybox:*:*:*:*:*:*:*:*"), std::nullopt,
       "--cpe: not a CPE 2.3 name with a vendor and product: \"cpe:2.3:a:*:busybox:*:*:*:*:*:*:*:*\""},
  };
  for (const auto& c : cases) {
    auto s = make_scope(c.purl, c.cpe, c.range, std::nullopt);
    ASSERT_FALSE(s.ok()) << c.message;
    EXPECT_EQ(s.error().code, Code::usage);
    EXPECT_EQ(s.error().message, c.message);
  }
  Statement s = statement("CVE-1", scope("pkg:npm/left-pad"), "not_affected", "1");
  s.detail.clear();
  EXPECT_EQ(check_statement(s).error().message,
            "a not_affected statement needs a --justification or a --detail saying why");
  s.justification = "trust_me";
  EXPECT_EQ(check_statement(s).error().message.substr(0, 50), "--justification \"trust_me\": must be one of compone");
  s.justification = "vulnerable_code_not_present";
  EXPECT_TRUE(check_statement(s).ok());
  s.status = "wontfix";
  EXPECT_EQ(check_statement(s).error().message,
            "--status \"wontfix\": must be one of not_affected, affected, fixed, under_investigation");
  s.status = "fixed";
  s.vulnerability = "CVE 1";
  EXPECT_EQ(check_statement(s).error().message, "vulnerability id \"CVE 1\" is not an advisory id");
}

// The specifications' own examples: what names a package becomes a
// statement; a product named by neither purl nor CPE is listed as skipped.
TEST(Vex, SpecificationExamples) {
  auto openvex = parse_vex(read_data("openvex-spec-v0.2.0-minimal-example.json"), "ov.json");
  ASSERT_TRUE(openvex.ok()) << openvex.error().message;
  EXPECT_EQ(openvex->second.format, "openvex");
  ASSERT_EQ(openvex->first.size(), 2u);
  EXPECT_EQ(openvex->first[0].vulnerability, "CVE-2023-12345");
  EXPECT_EQ(openvex->first[0].status, "fixed");
  EXPECT_EQ(openvex->first[0].scope.text, "pkg:apk/wolfi/git@2.39.0-r1");
  EXPECT_EQ(openvex->first[0].author, "Wolfi J Inkinson");
  EXPECT_EQ(openvex->first[0].source, "ov.json (openvex)");

  auto cdx = parse_vex(read_data("cdx-vex-valid-vulnerability-1.6.json"), "cdx.json");
  ASSERT_TRUE(cdx.ok()) << cdx.error().message;
  ASSERT_EQ(cdx->first.size(), 1u);
  EXPECT_EQ(cdx->first[0].vulnerability, "SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111");
  EXPECT_EQ(cdx->first[0].status, "not_affected");
  EXPECT_EQ(cdx->first[0].justification, "code_not_reachable");
  EXPECT_EQ(cdx->first[0].scope.text, "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.4");

  auto cisa = parse_vex(read_data("cdx-vex-1.4-cisa-case1-not_affected.json"), "cisa.json");
  ASSERT_TRUE(cisa.ok()) << cisa.error().message;
  EXPECT_TRUE(cisa->first.empty());
  ASSERT_EQ(cisa->second.skipped.size(), 1u);
  EXPECT_EQ(cisa->second.skipped[0],
            "cisa.json.vulnerabilities[0].affects[0]: product-ABC names no component with a purl or CPE in this document");

  auto csaf = parse_vex(read_data("csaf-vex-2022-evd-uc-01-na-001.json"), "csaf.json");
  ASSERT_TRUE(csaf.ok()) << csaf.error().message;
  EXPECT_EQ(csaf->second.format, "csaf");
  EXPECT_TRUE(csaf->first.empty());
  ASSERT_EQ(csaf->second.skipped.size(), 1u);
  EXPECT_EQ(csaf->second.skipped[0],
            "csaf.json.vulnerabilities[0].product_status.known_not_affected: CSAFPID-0001 names no product with a purl or CPE");
}

TEST(Vex, CsafProductsWithPurlsAndRelationships) {
  // The CSAF 2.0 VEX profile's shape, with product identification helpers.
  auto csaf = parse_vex(R"({"document":{"category":"csaf_vex","csaf_version":"2.0","publisher":{"name":"Acme PSIRT"},
    "tracking":{"current_release_date":"2026-01-02T00:00:00Z"}},
    "product_tree":{"branches":[{"category":"vendor","name":"Acme","branches":[{"category":"product_version",
      "name":"3.0.11","product":{"name":"openssl 3.0.11","product_id":"P1",
      "product_identification_helper":{"purl":"pkg:deb/debian/openssl@3.0.11-1~deb12u2"}}}]}],
      "full_product_names":[{"name":"gw 1.0","product_id":"GW"}],
      "relationships":[{"category":"default_component_of","product_reference":"P1","relates_to_product_reference":"GW",
        "full_product_name":{"name":"openssl in gw","product_id":"P1:GW"}}]},
    "vulnerabilities":[{"cve":"CVE-2023-5678","product_status":{"known_not_affected":["P1:GW"],"known_affected":["GW"]},
      "flags":[{"label":"vulnerable_code_not_in_execute_path","product_ids":["P1:GW"]}],
      "threats":[{"category":"impact","details":"DH keys are never generated","product_ids":["P1:GW"]}]}]})",
                        "c.json");
  ASSERT_TRUE(csaf.ok()) << csaf.error().message;
  ASSERT_EQ(csaf->first.size(), 1u);
  const Statement& s = csaf->first[0];
  EXPECT_EQ(s.vulnerability, "CVE-2023-5678");
  EXPECT_EQ(s.status, "not_affected");
  EXPECT_EQ(s.justification, "vulnerable_code_not_in_execute_path");
  EXPECT_EQ(s.detail, "DH keys are never generated");
  EXPECT_EQ(s.author, "Acme PSIRT");
  EXPECT_EQ(s.scope.text, "pkg:deb/debian/openssl@3.0.11-1~deb12u2");
  ASSERT_EQ(csaf->second.skipped.size(), 1u);  // GW: no purl

  auto other = parse_vex(R"({"document":{"category":"csaf_security_advisory","csaf_version":"2.0"}})", "a.json");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().message, "a.json.document.category: a CSAF document of category \"csaf_security_advisory\", not csaf_vex");
  auto none = parse_vex(R"({"statements":[]})", "n.json");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message,
            "n.json: not a VEX document: neither CycloneDX (bomFormat), OpenVEX (@context) nor CSAF (document.category csaf_vex)");
  auto bad_state = parse_vex(R"({"bomFormat":"CycloneDX","specVersion":"1.6","components":[],
    "vulnerabilities":[{"id":"CVE-1","analysis":{"state":"fine"},"affects":[]}]})",
                             "b.json");
  ASSERT_FALSE(bad_state.ok());
  EXPECT_EQ(bad_state.error().message, "b.json.vulnerabilities[0].analysis.state: not a CycloneDX analysis state: \"fine\"");
  auto unexplained = parse_vex(R"({"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"CVE-1"},
    "products":[{"@id":"pkg:npm/a@1.0.0"}],"status":"not_affected"}]})",
                               "u.json");
  ASSERT_FALSE(unexplained.ok());
  EXPECT_EQ(unexplained.error().message,
            "u.json: statement 1 (CVE-1, pkg:npm/a@1.0.0): a not_affected statement needs a --justification or a "
            "--detail saying why");
}

class VexStore : public ::testing::TestWithParam<std::string> {
 protected:
  TestInventory inventory_{GetParam()};
};

// One decision covers the later releases carrying the same range; the gate
// counts only open findings; an import is all or nothing.
TEST_P(VexStore, TriageCarriesForwardAndGatesCountOpenFindings) {
  auto db = inventory_.open();
  ASSERT_NE(db, nullptr);
  auto sbom = [](const std::string& version, int serial) {
    char tail[13];
    std::snprintf(tail, sizeof tail, "%012d", serial);
    return R"({"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-)" +
           std::string(tail) + R"(","version":1,"components":[{"bom-ref":"a","type":"library","name":"libssl3",
      "version":")" + version + R"(","purl":"pkg:deb/debian/libssl3@)" + version +
           R"(?arch=amd64&distro=debian-12&upstream=openssl"}]})";
  };
  ASSERT_TRUE(add_sbom(*db, sbom("3.0.11-1~deb12u1", 1), "s", "gw", "1.0", false).ok());
  ASSERT_TRUE(add_sbom(*db, sbom("3.0.11-1~deb12u2", 2), "s", "gw", "1.1", false).ok());
  ASSERT_TRUE(add_sbom(*db, sbom("3.0.11-1~deb12u2", 3), "s", "cam", "1.0", false).ok());
  auto imported = import_advisories(*db, inventory_.dir().write("dsa.json", R"({"id":"DSA-5678-1",
    "modified":"2024-01-31T00:00:00Z","aliases":["CVE-2023-5678"],"affected":[{"package":{"ecosystem":"Debian:12",
    "name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.13-1~deb12u1"}]}]}]})"));
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  auto statuses = [&](ScanOptions o = {}) {
    std::vector<std::string> out;
    auto findings = scan(*db, o);
    EXPECT_TRUE(findings.ok()) << findings.error().message;
    if (!findings.ok()) return out;
    for (const auto& f : *findings) out.push_back(f.product + "@" + f.version + " " + f.status);
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(statuses(), (std::vector<std::string>{"cam@1.0 untriaged", "gw@1.0 untriaged", "gw@1.1 untriaged"}));
  // Triage by the alias and the source package, for a range: every release
  // in it is covered, one product is decided otherwise.
  ASSERT_TRUE(record_statement(*db, statement("CVE-2023-5678", scope("pkg:deb/debian/openssl", "vers:deb/>=3.0.11-1~deb12u2|<3.0.13-1~deb12u1"),
                                              "not_affected", "2026-01-01T00:00:00Z"))
                  .ok());
  ASSERT_TRUE(record_statement(*db, statement("DSA-5678-1", scope("pkg:deb/debian/openssl", std::nullopt, std::string("cam")),
                                              "affected", "2026-01-02T00:00:00Z"))
                  .ok());
  EXPECT_EQ(statuses(), (std::vector<std::string>{"cam@1.0 affected", "gw@1.0 untriaged", "gw@1.1 not_affected"}));
  // A later release with the same package version is covered already.
  ASSERT_TRUE(add_sbom(*db, sbom("3.0.11-1~deb12u2", 4), "s", "gw", "1.2", false).ok());
  ScanOptions open;
  open.open_only = true;
  EXPECT_EQ(statuses(open), (std::vector<std::string>{"cam@1.0 affected", "gw@1.0 untriaged"}));
  ScanOptions untriaged;
  untriaged.untriaged_only = true;
  EXPECT_EQ(statuses(untriaged), (std::vector<std::string>{"gw@1.0 untriaged"}));
  auto all = scan(*db, {});
  ASSERT_TRUE(all.ok()) << all.error().message;
  for (const auto& f : *all)
    EXPECT_EQ(at_or_above(f, Severity::low), f.status != "not_affected") << f.product << f.version;

  // A VEX file with one bad statement records none of it.
  auto bad = import_vex(*db, inventory_.dir().write("bad.json", R"({"@context":"https://openvex.dev/ns/v0.2.0",
    "author":"a","timestamp":"2026-01-01T00:00:00Z","statements":[
    {"vulnerability":{"name":"CVE-2023-5678"},"products":[{"@id":"pkg:deb/debian/openssl@3.0.11-1~deb12u1"}],
     "status":"fixed"},
    {"vulnerability":{"name":"CVE-2023-5678"},"products":[{"@id":"pkg:deb/debian/openssl"}],"status":"done"}]})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Code::malformed);
  EXPECT_EQ(list_statements(*db).value().size(), 2u);
  auto good = import_vex(*db, inventory_.dir().write("good.json", R"({"@context":"https://openvex.dev/ns/v0.2.0",
    "author":"Acme PSIRT","timestamp":"2026-01-01T00:00:00Z","statements":[
    {"vulnerability":{"name":"CVE-2023-5678"},"products":[{"@id":"pkg:deb/debian/openssl@3.0.11-1~deb12u1"}],
     "status":"fixed","status_notes":"patched"}]})"));
  ASSERT_TRUE(good.ok()) << good.error().message;
  EXPECT_EQ(good->statements, 1u);
  EXPECT_EQ(statuses(), (std::vector<std::string>{"cam@1.0 affected", "gw@1.0 fixed", "gw@1.1 not_affected",
                                                  "gw@1.2 not_affected"}));
}

INSTANTIATE_TEST_SUITE_P(Engines, VexStore, kEngines, engine_name);

}  // namespace
}  // namespace fwseal::inventory
