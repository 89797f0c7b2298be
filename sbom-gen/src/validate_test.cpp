#include "fwseal/sbom/validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace fwseal::sbom {
namespace {

using nlohmann::json;

json minimal() {
  return json::parse(R"({
    "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
    "serialNumber": "urn:uuid:3e671687-395b-81f5-a30f-a58921a69b79",
    "metadata": {"timestamp": "2024-01-01T00:00:00Z",
                 "component": {"bom-ref": "product", "type": "firmware", "name": "gw", "version": "1"}},
    "components": [
      {"bom-ref": "image:rootfs", "type": "operating-system", "name": "rootfs",
       "hashes": [{"alg": "SHA-256", "content": "0000000000000000000000000000000000000000000000000000000000000000"}]},
      {"bom-ref": "pkg:generic/zlib@1.3", "type": "library", "name": "zlib", "version": "1.3",
       "purl": "pkg:generic/zlib@1.3", "licenses": [{"license": {"id": "Zlib"}}],
       "components": [{"bom-ref": "nested", "type": "file", "name": "libz.so"}]}
    ],
    "dependencies": [{"ref": "product", "dependsOn": ["image:rootfs"]},
                     {"ref": "image:rootfs", "dependsOn": ["pkg:generic/zlib@1.3", "nested"]}]
  })");
}

TEST(Validate, AcceptsAMinimalBom) {
  auto s = validate_sbom(minimal().dump());
  EXPECT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(testing::run_schema_validator(minimal().dump()).first, 0);
}

// SPDX's values for a licence field that holds no licence stand alone as an
// expression; the licence policy reports them as unknown.
TEST(Validate, NoassertionAndNoneAsTheWholeExpression) {
  for (const char* value : {"NOASSERTION", "NONE"}) {
    json bom = minimal();
    bom["components"][1]["licenses"] = json::array({{{"expression", value}}});
    auto s = validate_sbom(bom.dump());
    EXPECT_TRUE(s.ok()) << value << ": " << s.error().message;
    bom["components"][1]["licenses"] = json::array({{{"expression", std::string("MIT AND ") + value}}});
    EXPECT_FALSE(validate_sbom(bom.dump()).ok()) << value;
  }
}

struct Case {
  const char* name;
  std::function<void(json&)> change;
  const char* message;
};

class Invalid : public ::testing::TestWithParam<Case> {};

TEST_P(Invalid, NamesTheJsonPath) {
  json bom = minimal();
  GetParam().change(bom);
  auto s = validate_sbom(bom.dump());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Code::malformed);
  EXPECT_EQ(s.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Checks, Invalid,
    ::testing::Values(
        Case{"format", [](json& b) { b["bomFormat"] = "SPDX"; }, "sbom: $.bomFormat: expected \"CycloneDX\""},
        Case{"no format", [](json& b) { b.erase("bomFormat"); }, "sbom: $.bomFormat: missing"},
        Case{"spec", [](json& b) { b["specVersion"] = "1.3"; },
             "sbom: $.specVersion: CycloneDX \"1.3\" is not supported; fwseal validates CycloneDX 1.4, 1.5 and 1.6"},
        Case{"serial", [](json& b) { b["serialNumber"] = "urn:uuid:XYZ"; },
             "sbom: $.serialNumber: expected urn:uuid: and a lowercase RFC 4122 UUID"},
        Case{"version", [](json& b) { b["version"] = 0; }, "sbom: $.version: expected an integer of at least 1"},
        Case{"timestamp", [](json& b) { b["metadata"]["timestamp"] = "yesterday"; },
             "sbom: $.metadata.timestamp: expected an RFC 3339 date-time"},
        Case{"type", [](json& b) { b["components"][1]["type"] = "lib"; },
             "sbom: $.components[1].type: \"lib\" is not a CycloneDX component type"},
        Case{"name", [](json& b) { b["components"][0].erase("name"); }, "sbom: $.components[0].name: missing"},
        Case{"duplicate ref", [](json& b) { b["components"][1]["components"][0]["bom-ref"] = "image:rootfs"; },
             "sbom: $.components[1].components[0].bom-ref: duplicate bom-ref \"image:rootfs\""},
        Case{"dangling ref", [](json& b) { b["dependencies"][1]["dependsOn"][1] = "gone"; },
             "sbom: $.dependencies[1].dependsOn[1]: \"gone\" is not the bom-ref of anything in the BOM"},
        Case{"dangling dependency", [](json& b) { b["dependencies"][0]["ref"] = "nobody"; },
             "sbom: $.dependencies[0].ref: \"nobody\" is not the bom-ref of anything in the BOM"},
        Case{"two entries", [](json& b) { b["dependencies"][1]["ref"] = "product"; },
             "sbom: $.dependencies[1].ref: \"product\" has two dependency entries"},
        Case{"hash alg", [](json& b) { b["components"][0]["hashes"][0]["alg"] = "SHA256"; },
             "sbom: $.components[0].hashes[0].alg: \"SHA256\" is not a CycloneDX hash algorithm"},
        Case{"hash length", [](json& b) { b["components"][0]["hashes"][0]["content"] = "abcd"; },
             "sbom: $.components[0].hashes[0].content: not 64 hex digits for SHA-256"},
        Case{"purl", [](json& b) { b["components"][1]["purl"] = "zlib@1.3"; },
             "sbom: $.components[1].purl: invalid purl \"zlib@1.3\": does not start with \"pkg:\""},
        Case{"licence id", [](json& b) { b["components"][1]["licenses"][0]["license"]["id"] = "Zlib-2"; },
             "sbom: $.components[1].licenses[0].license.id: not an SPDX licence id"},
        Case{"expression and id", [](json& b) { b["components"][1]["licenses"].push_back({{"expression", "MIT"}}); },
             "sbom: $.components[1].licenses[1]: an expression must be the only entry of licenses"},
        Case{"expression", [](json& b) { b["components"][1]["licenses"] = json::parse(R"([{"expression":"MIT AND"}])"); },
             "sbom: $.components[1].licenses[0].expression: invalid SPDX licence expression: ends where a licence was "
             "expected"},
        Case{"root", [](json& b) { b = json::array(); }, "sbom: $: expected a JSON object"},
        // What only the official schema says.
        Case{"unknown member", [](json& b) { b["components"][1]["colour"] = "red"; },
             "sbom: $.components[1]: CycloneDX 1.6 schema: Object contains a property that could not be validated "
             "using 'properties' or 'additionalProperties' constraints: 'colour'"},
        Case{"1.6 member in 1.5", [](json& b) {
               b["specVersion"] = "1.5";
               b["components"][1]["licenses"][0]["license"]["acknowledgement"] = "declared";
             },
             "sbom: $.components[1].licenses[0].license: CycloneDX 1.5 schema: Object contains a property that could "
             "not be validated using 'properties' or 'additionalProperties' constraints: 'acknowledgement'"},
        Case{"repeated dependsOn", [](json& b) { b["dependencies"][0]["dependsOn"].push_back("image:rootfs"); },
             "sbom: $.dependencies[0].dependsOn: CycloneDX 1.6 schema: item 1 repeats an earlier item (uniqueItems)"},
        Case{"media type", [](json& b) { b["components"][1]["mime-type"] = "Text Plain"; },
             "sbom: $.components[1].mime-type: CycloneDX 1.6 schema: does not match the pattern "
             "^[-+a-z0-9.]+/[-+a-z0-9.]+$"},
        // 1 MiB that std::regex (valijson's own pattern check) would match
        // with one stack frame per character, overflowing the stack.
        Case{"long media type", [](json& b) { b["components"][1]["mime-type"] = std::string(1 << 20, 'a'); },
             "sbom: $.components[1].mime-type: CycloneDX 1.6 schema: does not match the pattern "
             "^[-+a-z0-9.]+/[-+a-z0-9.]+$"},
        Case{"long timestamp", [](json& b) { b["metadata"]["timestamp"] = "2024-01-01T00:00:00." + std::string(1 << 20, '1') + "Z"; },
             "sbom: $.metadata.timestamp: expected an RFC 3339 date-time"},
        Case{"1.4 without version", [](json& b) {
               b["specVersion"] = "1.4";
               b.erase("version");
             },
             "sbom: $: CycloneDX 1.4 schema: Missing required property 'version'"}));

TEST(Validate, StrictJson) {
  EXPECT_NE(validate_sbom("{\"bomFormat\":\"CycloneDX\",\"bomFormat\":\"x\"}").error().message.find("duplicate member"),
            std::string::npos);
  EXPECT_NE(validate_sbom("{").error().message.find("sbom: invalid JSON"), std::string::npos);
}

}  // namespace
}  // namespace fwseal::sbom

namespace fwseal::sbom {
namespace {

std::string official(const std::string& name) {
  return testing::read_text(std::string(FWSEAL_SBOM_TESTDATA) + "/cyclonedx/" + name);
}

// Examples of the CycloneDX specification repository's own test suite
// (testdata/cyclonedx/README.md): what it calls valid, fwseal accepts.
TEST(Validate, OfficialValidDocuments) {
  for (const char* v : {"1.4", "1.5", "1.6"}) {
    for (const char* kind : {"bom", "component-types", "license-expression", "metadata-author", "dependency",
                             "external-reference"}) {
      std::string name = std::string("valid-") + kind + "-" + v + ".json";
      auto version = validated_spec_version(official(name));
      EXPECT_TRUE(version.ok()) << name << ": " << version.error().message;
      if (version.ok()) {
        EXPECT_EQ(*version, v) << name;
      }
    }
  }
  auto s = validate_sbom(official("valid-metadata-manufacturer-1.6.json"));
  EXPECT_TRUE(s.ok()) << s.error().message;
}

TEST(Validate, OfficialInvalidDocuments) {
  for (const char* v : {"1.4", "1.5", "1.6"}) {
    const std::string schema = std::string("CycloneDX ") + v + " schema: ";
    auto bad_hash = validate_sbom(official(std::string("invalid-hash-sha256-") + v + ".json"));
    ASSERT_FALSE(bad_hash.ok()) << v;
    EXPECT_EQ(bad_hash.error().message, "sbom: $.components[0].hashes[2].content: not 64 hex digits for SHA-256");
    auto format = validate_sbom(official(std::string("invalid-bomformat-") + v + ".json"));
    ASSERT_FALSE(format.ok()) << v;
    EXPECT_EQ(format.error().message, "sbom: $.bomFormat: expected \"CycloneDX\"");
    auto service = validate_sbom(official(std::string("invalid-service-data-") + v + ".json"));
    ASSERT_FALSE(service.ok()) << v;
    EXPECT_EQ(service.error().code, Code::malformed);
    EXPECT_THAT(service.error().message, ::testing::StartsWith("sbom: $.services[0]"));
    EXPECT_THAT(service.error().message, ::testing::HasSubstr(schema));
  }
}

// fwseal renames the schema keyword "format" before valijson reads the
// schema; a property named "format" must stay a property.
TEST(Validate, PropertyNamedFormatIsStillChecked) {
  json bom = minimal();
  bom["components"].push_back(json::parse(R"({"bom-ref": "key", "type": "cryptographic-asset", "name": "fw-key",
    "cryptoProperties": {"assetType": "related-crypto-material", "relatedCryptoMaterialProperties": {"format": "PEM"}}})"));
  auto s = validate_sbom(bom.dump());
  EXPECT_TRUE(s.ok()) << s.error().message;
  bom["components"][2]["cryptoProperties"]["relatedCryptoMaterialProperties"]["format"] = 5;
  s = validate_sbom(bom.dump());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "sbom: $.components[2].cryptoProperties.relatedCryptoMaterialProperties.format: CycloneDX 1.6 schema: Value "
            "type not permitted by 'type' constraint");
}

// uniqueItems, checked by valijson's pairwise comparison, takes minutes
// for 20,000 components; fwseal's set check is linear.
TEST(Validate, ManyComponentsInLinearTime) {
  json bom = minimal();
  for (int i = 0; i < 5000; ++i) {
    std::string purl = "pkg:generic/lib" + std::to_string(i) + "@1.0";
    bom["components"].push_back({{"bom-ref", purl}, {"type", "library"}, {"name", "lib" + std::to_string(i)},
                                 {"version", "1.0"}, {"purl", purl}});
    bom["dependencies"][1]["dependsOn"].push_back(purl);
  }
  auto start = std::chrono::steady_clock::now();
  auto s = validate_sbom(bom.dump());
  EXPECT_TRUE(s.ok()) << s.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

}  // namespace
}  // namespace fwseal::sbom
