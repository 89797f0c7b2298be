#include "fwseal/packager/spec.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "fwseal/format/layout.h"
#include "fwseal/testing/matchers.h"
#include "fwseal/testing/temp_dir.h"

namespace fwseal::packager {
namespace {

using nlohmann::json;
using fwseal::test::TempDir;
using fwseal::test::write_bytes;

// Files every spec below may name, relative to the spec's directory.
class SpecFiles {
 public:
  SpecFiles() {
    write_bytes(dir_ / "kernel.bin", "kernel bytes");
    write_bytes(dir_ / "rootfs.bin", "rootfs bytes");
    write_bytes(dir_ / "sbom.json", R"({"bomFormat":"CycloneDX","specVersion":"1.5"})");
    write_bytes(dir_ / "not-json.json", R"({"bomFormat": )");
    write_bytes(dir_ / "array.json", R"([1, 2])");
    write_bytes(dir_ / "dup.json", R"({"a": 1, "a": 2})");
    std::filesystem::create_directories(dir_ / "subdir");
    ::mkfifo((dir_ / "fifo").c_str(), 0644);
    // Larger than kMaxSbomBytes without using the disk.
    write_bytes(dir_ / "huge.json", "");
    ::truncate((dir_ / "huge.json").c_str(), static_cast<off_t>(kMaxSbomBytes + 1));
  }
  const std::string& path() const { return dir_.path(); }

 private:
  TempDir dir_;
};

const SpecFiles& files() {
  static const SpecFiles f;  // shared by every case; removed at exit
  return f;
}

json base_spec() {
  return json{{"product", "acme-gateway"},
              {"version", "1.2.3"},
              {"security_version", 7},
              {"hardware", {"board-b", "board-a"}},
              {"images", {{{"name", "kernel"}, {"type", "kernel"}, {"path", "kernel.bin"}},
                          {{"name", "rootfs"}, {"type", "rootfs"}, {"path", "rootfs.bin"}}}}};
}

std::string with(const std::function<void(json&)>& change) {
  json j = base_spec();
  change(j);
  return j.dump(2);
}

struct BadSpec {
  std::string name;
  std::string text;
  Code code;
  std::string message;  // a substring of the error message
};

void PrintTo(const BadSpec& c, std::ostream* os) { *os << c.name; }

std::vector<BadSpec> bad_specs() {
  const Code m = Code::malformed;
  return {
      {"NotJson", R"({"product": )", m, "spec: invalid JSON"},
      {"NotAnObject", "[1]", m, "spec: expected a JSON object"},
      {"UnknownTopMember", with([](json& j) { j["signing_key"] = "x"; }), m, "spec.signing_key: unknown member"},
      {"MissingProduct", with([](json& j) { j.erase("product"); }), m, "spec.product: missing"},
      {"ProductNotString", with([](json& j) { j["product"] = 5; }), m, "spec.product: expected a string"},
      {"ProductControlChar", with([](json& j) { j["product"] = "acme\x01"; }), m,
       "spec.product: \"acme\\x01\" contains a control character"},
      {"EmptyVersion", with([](json& j) { j["version"] = ""; }), m, "spec.version: must be 1 to 128 bytes, got 0"},
      {"MissingSecurityVersion", with([](json& j) { j.erase("security_version"); }), m,
       "spec.security_version: missing"},
      {"NegativeSecurityVersion", with([](json& j) { j["security_version"] = -1; }), m,
       "spec.security_version: expected a non-negative integer or a decimal string"},
      {"FractionalSecurityVersion", with([](json& j) { j["security_version"] = 1.5; }), m,
       "spec.security_version: expected a non-negative integer or a decimal string"},
      {"SecurityVersionNumberAbove2To53", with([](json& j) { j["security_version"] = 9007199254740992ull; }), m,
       "spec.security_version: 9007199254740992 is above 2^53-1; write it as a decimal string"},
      {"SecurityVersionLeadingZero", with([](json& j) { j["security_version"] = "07"; }), m,
       "spec.security_version: security version must be a decimal number without leading zeros"},
      {"SecurityVersionAbove2To64", with([](json& j) { j["security_version"] = "18446744073709551616"; }), m,
       "spec.security_version: security version \"18446744073709551616\" is not a decimal number"},
      {"MissingHardware", with([](json& j) { j.erase("hardware"); }), m, "spec.hardware: missing"},
      {"HardwareNotArray", with([](json& j) { j["hardware"] = "board-a"; }), m, "spec.hardware: expected an array"},
      {"NoHardware", with([](json& j) { j["hardware"] = json::array(); }), m,
       "spec.hardware: at least one hardware id is required"},
      {"HardwareIdNotString", with([](json& j) { j["hardware"][1] = 3; }), m, "spec.hardware[1]: expected a string"},
      {"HardwareIdWithSpace", with([](json& j) { j["hardware"][0] = "board a"; }), m,
       "spec.hardware[0]: hardware id \"board a\" has a space"},
      {"DuplicateHardwareId", with([](json& j) { j["hardware"] = {"a", "b", "a"}; }), m,
       "spec.hardware[2]: duplicate hardware id \"a\" (also spec.hardware[0])"},
      {"NegativeCreated", with([](json& j) { j["created"] = -5; }), m,
       "spec.created: expected a non-negative integer"},
      {"CreatedAsString", with([](json& j) { j["created"] = "1700000000"; }), m,
       "spec.created: expected a non-negative integer"},
      {"MissingImages", with([](json& j) { j.erase("images"); }), m, "spec.images: missing"},
      {"NoImages", with([](json& j) { j["images"] = json::array(); }), m,
       "spec.images: at least one image is required"},
      {"TooManyImages",
       with([](json& j) {
         for (int i = 0; i < 255; ++i) j["images"].push_back(j["images"][0]);
       }),
       m, "spec.images: 257 items, more than the limit of 256"},
      {"ImageNotObject", with([](json& j) { j["images"][1] = "rootfs.bin"; }), m,
       "spec.images[1]: expected a JSON object"},
      {"UnknownImageMember", with([](json& j) { j["images"][1]["size"] = 5; }), m,
       "spec.images[1].size: unknown member"},
      {"MissingImagePath", with([](json& j) { j["images"][0].erase("path"); }), m, "spec.images[0].path: missing"},
      {"ImageNameWithSlash", with([](json& j) { j["images"][1]["name"] = "a/b"; }), m,
       "spec.images[1].name: image name \"a/b\" has a character other than letters, digits"},
      {"ImageNameDotDot", with([](json& j) { j["images"][0]["name"] = ".."; }), m,
       "spec.images[0].name: image name \"..\" has a character other than"},
      {"ImageNameInnerDotDot", with([](json& j) { j["images"][0]["name"] = "a..b"; }), m,
       "spec.images[0].name: image name \"a..b\" contains \"..\""},
      {"ImageNameControlChar", with([](json& j) { j["images"][0]["name"] = "a\nb"; }), m,
       "spec.images[0].name: image name \"a\\x0ab\" has a character other than"},
      {"ImageNameNul", with([](json& j) { j["images"][0]["name"] = std::string("a\0b", 3); }), m,
       "spec.images[0].name: image name \"a\\x00b\" has a character other than"},
      {"ImageNameEmpty", with([](json& j) { j["images"][0]["name"] = ""; }), m,
       "spec.images[0].name: image name must be 1 to 64 characters, got 0"},
      {"DuplicateImageName", with([](json& j) { j["images"][1]["name"] = "kernel"; }), m,
       "spec.images[1].name: duplicate image name \"kernel\" (also spec.images[0])"},
      {"BadImageType", with([](json& j) { j["images"][0]["type"] = "Kernel"; }), m,
       "spec.images[0].type: \"Kernel\" must be lowercase letters"},
      {"MissingImageFile", with([](json& j) { j["images"][1]["path"] = "missing.bin"; }), m,
       "spec.images[1].path: cannot open \""},
      {"ImagePathIsDirectory", with([](json& j) { j["images"][0]["path"] = "subdir"; }), m,
       "/subdir\" is a directory, not a regular file"},
      {"ImagePathIsFifo", with([](json& j) { j["images"][0]["path"] = "fifo"; }), m,
       "/fifo\" is a FIFO, not a regular file"},
      {"ImagePathThroughFile", with([](json& j) { j["images"][0]["path"] = "kernel.bin/x"; }), m,
       "/kernel.bin/x\": Not a directory"},
      {"ImagePathEmpty", with([](json& j) { j["images"][0]["path"] = ""; }), m,
       "spec.images[0].path: must not be empty"},
      {"ImagePathNul", with([](json& j) { j["images"][0]["path"] = std::string("kernel.bin\0x", 12); }), m,
       "spec.images[0].path: contains a NUL character"},
      {"SbomNotString", with([](json& j) { j["sbom"] = true; }), m, "spec.sbom: expected a string"},
      {"SbomMissingFile", with([](json& j) { j["sbom"] = "nope.json"; }), m,
       "nope.json\": No such file or directory"},
      {"SbomNotJson", with([](json& j) { j["sbom"] = "not-json.json"; }), m, "spec.sbom: invalid JSON"},
      {"SbomNotObject", with([](json& j) { j["sbom"] = "array.json"; }), m,
       "spec.sbom: an SBOM must be a JSON object"},
      {"SbomDuplicateMember", with([](json& j) { j["sbom"] = "dup.json"; }), m,
       "spec.sbom: duplicate member name \"a\""},
      {"SbomGenerationUnknownMember", with([](json& j) { j["sbom"] = {{"supplier", "Acme"}, {"format", "spdx"}}; }), m,
       "spec.sbom.format: unknown member"},
      {"SbomGenerationSupplierControlChar", with([](json& j) { j["sbom"] = {{"supplier", "Acme\n"}}; }), m,
       "spec.sbom.supplier: \"Acme\\x0a\" contains a control character"},
      {"SbomGenerationComponentsNotArray", with([](json& j) { j["sbom"] = {{"components", "c.json"}}; }), m,
       "spec.sbom.components: expected an array"},
      {"SbomGenerationComponentNotString", with([](json& j) { j["sbom"] = {{"components", {7}}}; }), m,
       "spec.sbom.components[0]: expected a file path"},
      {"SbomGenerationComponentMissing", with([](json& j) { j["sbom"] = {{"components", {"sbom.json", "none.csv"}}}; }),
       m, "spec.sbom.components[1]: cannot open \""},
      {"SbomGenerationSha512NotBoolean", with([](json& j) { j["sbom"] = {{"sha512", "yes"}}; }), m,
       "spec.sbom.sha512: expected true or false"},
      {"SbomGenerationComponentIsDirectory", with([](json& j) { j["sbom"] = {{"components", {"subdir"}}}; }), m,
       "spec.sbom.components[0]: \""},
      {"SbomManufacturerUnknownMember",
       with([](json& j) { j["sbom"] = {{"manufacturer", {{"name", "Acme"}, {"address", "Berlin"}}}}; }), m,
       "spec.sbom.manufacturer.address: unknown member"},
      {"SbomManufacturerWithoutName", with([](json& j) { j["sbom"] = {{"manufacturer", {{"url", {"https://a.example"}}}}}; }),
       m, "spec.sbom.manufacturer.name: missing"},
      {"SbomManufacturerUrlNotString", with([](json& j) { j["sbom"] = {{"manufacturer", {{"name", "Acme"}, {"url", {1}}}}}; }),
       m, "spec.sbom.manufacturer.url[0]: expected a string"},
      {"SbomManufacturerContactUnknownMember",
       with([](json& j) { j["sbom"] = {{"manufacturer", {{"name", "Acme"}, {"contact", {{"phone", "1"}}}}}}; }), m,
       "spec.sbom.manufacturer.contact.phone: unknown member"},
      {"SbomAuthorsNotArray", with([](json& j) { j["sbom"] = {{"authors", "me"}}; }), m,
       "spec.sbom.authors: expected an array"},
      {"SbomAuthorEmailControlChar",
       with([](json& j) { j["sbom"] = {{"authors", {{{"name", "Rel"}, {"email", "a@b\x1b"}}}}}; }), m,
       "spec.sbom.authors[0].email: \"a@b\\x1b\" contains a control character"},
      {"SbomTooLarge", with([](json& j) { j["sbom"] = "huge.json"; }), m,
       "bytes, more than the limit of 67108864"},
  };
}

class BadSpecTest : public ::testing::TestWithParam<BadSpec> {};

TEST_P(BadSpecTest, FailsNamingTheField) {
  const BadSpec& c = GetParam();
  auto r = parse_spec(c.text, files().path());
  ASSERT_FALSE(r.ok()) << c.text;
  EXPECT_EQ(r.error().code, c.code) << r.error().message;
  EXPECT_NE(r.error().message.find(c.message), std::string::npos)
      << "message: " << r.error().message << "\nexpected to contain: " << c.message;
}

INSTANTIATE_TEST_SUITE_P(Spec, BadSpecTest, ::testing::ValuesIn(bad_specs()),
                         [](const ::testing::TestParamInfo<BadSpec>& p) { return p.param.name; });

TEST(Spec, ParsesCommentsAndSortsHardware) {
  const std::string text = R"(// release spec
{
  "product": "acme-gateway", /* shown to users */
  "version": "1.2.3",
  "security_version": 7,
  "hardware": ["board-b", "board-a", "board-c"],
  "created": 1700000000,
  "images": [
    {"name": "rootfs", "type": "rootfs", "path": "rootfs.bin"},  // order kept
    {"name": "kernel", "type": "kernel", "path": ")" +
                           files().path() + R"(/kernel.bin"}
  ],
  "sbom": "sbom.json"
})";
  auto r = parse_spec(text, files().path());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->product, "acme-gateway");
  EXPECT_EQ(r->version, "1.2.3");
  EXPECT_EQ(r->security_version, 7u);
  EXPECT_EQ(r->hardware, (std::vector<std::string>{"board-a", "board-b", "board-c"}));
  ASSERT_TRUE(r->created.has_value());
  EXPECT_EQ(*r->created, 1700000000);
  ASSERT_EQ(r->images.size(), 2u);
  EXPECT_EQ(r->images[0].name, "rootfs");
  EXPECT_EQ(r->images[0].path, files().path() + "/rootfs.bin");  // relative: joined to the base
  EXPECT_EQ(r->images[1].path, files().path() + "/kernel.bin");  // absolute: kept
  ASSERT_TRUE(r->sbom.has_value());
  EXPECT_EQ(*r->sbom, R"({"bomFormat":"CycloneDX","specVersion":"1.5"})");
  EXPECT_EQ(r->sbom_path, files().path() + "/sbom.json");
}

TEST(Spec, CreatedAndSbomAreOptional) {
  auto r = parse_spec(with([](json&) {}), files().path());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->created.has_value());
  EXPECT_FALSE(r->sbom.has_value());
}

TEST(Spec, SbomToGenerate) {
  auto r = parse_spec(with([&](json& j) {
                        j["sbom"] = {{"supplier", "Acme Ltd"},
                                     {"components", {"sbom.json", files().path() + "/kernel.bin"}}};
                      }),
                      files().path());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->sbom.has_value());
  ASSERT_TRUE(r->sbom_generation.has_value());
  EXPECT_EQ(r->sbom_generation->supplier, "Acme Ltd");
  EXPECT_EQ(r->sbom_generation->components,
            (std::vector<std::string>{files().path() + "/sbom.json", files().path() + "/kernel.bin"}));
  auto empty = parse_spec(with([](json& j) { j["sbom"] = json::object(); }), files().path());
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  ASSERT_TRUE(empty->sbom_generation.has_value());
  EXPECT_EQ(empty->sbom_generation->supplier, "");
  EXPECT_TRUE(empty->sbom_generation->components.empty());
  EXPECT_FALSE(empty->sbom_generation->sha512);
  auto parties = parse_spec(with([](json& j) {
                              j["sbom"] = json::parse(R"({"manufacturer": {"name": "Acme GmbH", "url": ["https://acme.example"],
                                                           "contact": {"name": "PSIRT", "email": "psirt@acme.example"}},
                                                          "authors": [{"name": "Release team", "email": "rel@acme.example"},
                                                                      {"name": "QA"}]})");
                            }),
                            files().path());
  ASSERT_TRUE(parties.ok()) << parties.error().message;
  const auto& g = *parties->sbom_generation;
  EXPECT_EQ(g.manufacturer.name, "Acme GmbH");
  EXPECT_EQ(g.manufacturer.urls, std::vector<std::string>{"https://acme.example"});
  EXPECT_EQ(g.manufacturer.contact_name, "PSIRT");
  EXPECT_EQ(g.manufacturer.contact_email, "psirt@acme.example");
  ASSERT_EQ(g.authors.size(), 2u);
  EXPECT_EQ(g.authors[0].email, "rel@acme.example");
  EXPECT_EQ(g.authors[1].name, "QA");
  EXPECT_EQ(g.authors[1].email, "");
  auto sha512 = parse_spec(with([](json& j) { j["sbom"] = {{"sha512", true}}; }), files().path());
  ASSERT_TRUE(sha512.ok()) << sha512.error().message;
  EXPECT_TRUE(sha512->sbom_generation->sha512);
}

TEST(Spec, SecurityVersionAbove2To53AsString) {
  auto r = parse_spec(with([](json& j) { j["security_version"] = "18446744073709551615"; }), files().path());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->security_version, 18446744073709551615ull);
  auto small = parse_spec(with([](json& j) { j["security_version"] = "0"; }), files().path());
  ASSERT_TRUE(small.ok()) << small.error().message;
  EXPECT_EQ(small->security_version, 0u);
}

TEST(Spec, LoadResolvesPathsAgainstTheSpecDirectory) {
  TempDir dir;
  write_bytes(dir / "fw/kernel.bin", "k");
  write_bytes(dir / "release/spec.json",
              R"({"product":"p","version":"v","security_version":1,"hardware":["h"],
                  "images":[{"name":"kernel","type":"kernel","path":"../fw/kernel.bin"}]})");
  auto r = load_spec(dir / "release/spec.json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->images[0].path, dir / "release/../fw/kernel.bin");

  // Relative spec path: relative image paths stay relative to the same place.
  std::string cwd = std::filesystem::current_path();
  ASSERT_EQ(::chdir(dir.path().c_str()), 0);
  auto rel = load_spec("release/spec.json");
  ASSERT_EQ(::chdir(cwd.c_str()), 0);
  ASSERT_TRUE(rel.ok()) << rel.error().message;
  EXPECT_EQ(rel->images[0].path, "release/../fw/kernel.bin");
}

TEST(Spec, LoadNamesTheFileInSyntaxErrors) {
  TempDir dir;
  write_bytes(dir / "spec.json", "{\n  \"product\": \"p\",\n}");
  auto r = load_spec(dir / "spec.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::malformed);
  EXPECT_EQ(r.error().message.rfind(dir / "spec.json: invalid JSON: parse error at line 3", 0), 0u)
      << r.error().message;
}

TEST(Spec, MissingSpecFileIsAnIoError) {
  TempDir dir;
  auto r = load_spec(dir / "nope.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::io);
  EXPECT_NE(r.error().message.find("nope.json: cannot open: No such file or directory"), std::string::npos)
      << r.error().message;
}

TEST(Spec, CheckSbom) {
  EXPECT_TRUE(check_sbom(R"({"bomFormat":"CycloneDX"})", "SBOM").ok());
  auto big = check_sbom(std::string(kMaxSbomBytes + 1, ' '), "SBOM");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, Code::malformed);
  EXPECT_EQ(big.error().message, "SBOM: SBOM of 67108865 bytes, more than the limit of 67108864");
  auto invalid_utf8 = check_sbom("{\"a\":\"\xff\"}", "SBOM");
  ASSERT_FALSE(invalid_utf8.ok());
  EXPECT_EQ(invalid_utf8.error().message.rfind("SBOM: invalid JSON", 0), 0u) << invalid_utf8.error().message;
}

}  // namespace
}  // namespace fwseal::packager
