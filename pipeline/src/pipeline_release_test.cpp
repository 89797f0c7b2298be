// The release file reader: every rule, by its message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "fwseal/packager/spec.h"
#include "fwseal/pipeline/plan.h"
#include "fwseal/pipeline/release.h"

namespace fwseal::pipeline {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ReleaseFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fwseal-release-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    for (const char* f : {"a.bin", "b.bin", "c.bin"}) std::ofstream(dir_ + "/" + f) << f;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  Result<Release> parse(const std::string& text) { return parse_release(text, dir_, "r.json"); }
  // The minimal release file with `member` added must be refused as
  // malformed, naming `where`.
  void expect_refused(const std::string& member, const std::string& where) {
    std::string text = kMinimalText;
    text.insert(text.rfind('}'), ", " + member);
    auto e = parse(text);
    ASSERT_FALSE(e.ok()) << member;
    EXPECT_EQ(e.error().code, Code::malformed) << member;
    EXPECT_THAT(e.error().message, ::testing::HasSubstr(where)) << member;
  }
  static const char* const kMinimalText;
  std::string dir_;
};

constexpr const char* kMinimal = R"({
  // comments are allowed
  "product": "acme-cam", "version": "1.4.2", "security_version": 3,
  "hardware": ["rev-c", "rev-b"],
  "images": [{"name": "boot", "type": "bootloader", "path": "a.bin"}],
  "signing": {"keys": [{"uri": "pkcs11:token=t;object=k"}]}
})";
const char* const ReleaseFile::kMinimalText = kMinimal;

TEST_F(ReleaseFile, MinimalReleaseHasOneUnnamedVariant) {
  auto r = parse(kMinimal);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->name, "acme-cam-1.4.2");
  EXPECT_FALSE(r->has_variants);
  ASSERT_EQ(r->variants.size(), 1u);
  EXPECT_EQ(r->variants[0].name, "");
  EXPECT_EQ(r->variants[0].hardware, (std::vector<std::string>{"rev-b", "rev-c"}));
  EXPECT_EQ(r->variants[0].images[0].path, dir_ + "/a.bin");
  EXPECT_TRUE(r->reproducibility.check);
  EXPECT_TRUE(r->trust.pin_signing_keys);
}

TEST_F(ReleaseFile, UnknownMembersAreNamed) {
  std::string text = kMinimal;
  text.insert(text.rfind('}'), R"(, "colour": "blue")");
  auto r = parse(text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::malformed);
  EXPECT_THAT(r.error().message, HasSubstr("colour"));

  std::string nested = kMinimal;
  nested.replace(nested.find(R"({"uri")"), 1, R"({"pin": "1", )");
  auto n = parse(nested);
  ASSERT_FALSE(n.ok());
  EXPECT_THAT(n.error().message, HasSubstr("release.signing.keys[0]"));
  EXPECT_THAT(n.error().message, HasSubstr("pin"));
}

TEST_F(ReleaseFile, MissingImageFileIsNamed) {
  std::string text = kMinimal;
  text.replace(text.find("a.bin"), 5, "missing.bin");
  auto r = parse(text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::malformed);
  EXPECT_THAT(r.error().message, HasSubstr("release.images[0].path: cannot open"));
}

TEST_F(ReleaseFile, NeedsASigningKey) {
  std::string text = kMinimal;
  text.replace(text.find(R"({"uri": "pkcs11:token=t;object=k"})"), 34, "");
  auto r = parse(text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "release.signing.keys: at least one signing key is required");
  std::string bad_uri = kMinimal;
  bad_uri.replace(bad_uri.find("pkcs11:token"), 6, "http");
  EXPECT_THAT(parse(bad_uri).error().message, HasSubstr("release.signing.keys[0].uri: expected a PKCS#11 URI"));
}

TEST_F(ReleaseFile, VariantsShareAndReplaceImages) {
  auto r = parse(R"({
    "product": "cam", "version": "2", "security_version": "18446744073709551615",
    "images": [{"name": "boot", "type": "bootloader", "path": "a.bin"},
               {"name": "app", "type": "application", "path": "b.bin"}],
    "components": [{"name": "libfoo", "version": "1.0", "license": "MIT"}],
    "signing": {"keys": [{"uri": "pkcs11:token=t;object=k"}]},
    "variants": [
      {"name": "x100", "hardware": ["x100"]},
      {"name": "x200", "hardware": ["x200"], "images": [{"name": "app", "type": "application", "path": "c.bin"},
                                                       {"name": "dsp", "type": "firmware", "path": "c.bin"}]}
    ]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->variants.size(), 2u);
  EXPECT_EQ(r->security_version, 18446744073709551615u);
  const auto& x200 = r->variants[1];
  ASSERT_EQ(x200.images.size(), 3u);
  EXPECT_EQ(x200.images[1].path, dir_ + "/c.bin");  // replaced in place
  EXPECT_EQ(x200.images[2].name, "dsp");            // added after the shared ones
  EXPECT_EQ(x200.components.size(), 1u);
}

TEST_F(ReleaseFile, VariantRules) {
  const std::string head = R"({"product": "cam", "version": "2", "security_version": 1,
    "images": [{"name": "boot", "type": "bootloader", "path": "a.bin"}],
    "signing": {"keys": [{"uri": "pkcs11:token=t;object=k"}]}, "variants": )";
  EXPECT_EQ(parse(head + R"([{"name": "a"}]})").error().message,
            "release.variants[0].hardware: missing (and the release has no top-level hardware)");
  EXPECT_EQ(parse(head + R"([{"name": "a", "hardware": ["h"]}, {"name": "a", "hardware": ["h"]}]})").error().message,
            "release.variants[1].name: duplicate variant name \"a\" (also release.variants[0])");
  EXPECT_THAT(parse(head + R"([{"name": "../x", "hardware": ["h"]}]})").error().message,
              HasSubstr("release.variants[0].name"));
  EXPECT_EQ(parse(head + "[]}").error().message,
            "release.variants: at least one variant is required (or leave \"variants\" out)");
}

TEST_F(ReleaseFile, TrustThatTrustsNothingIsRefused) {
  std::string text = kMinimal;
  text.insert(text.rfind('}'), R"(, "trust": {"pin_signing_keys": false})");
  EXPECT_THAT(parse(text).error().message, HasSubstr("release.trust: pin_signing_keys is false"));
}

TEST_F(ReleaseFile, BuildNinjaEdgesDependOnWhatTheyRead) {
  auto r = parse(kMinimal);
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto plan = make_plan(*r, "/o", 7, Tools{"/bin/fwseal", "/bin/fwseal-verify"}, true);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  const std::string n = build_ninja(*plan);
  const std::string w = "/o/.fwseal/v/release/";
  // package (and its SBOM): images, spec; sign (pool hsm): the unsigned
  // package and the key ids; verify: the package and trust.json; repro: package, variant.json.
  EXPECT_THAT(n, HasSubstr("build " + w + "unsigned.stamp " + w + "sbom.cdx.json: step " + dir_ + "/a.bin " + w +
                           "package.json\n"));
  EXPECT_THAT(n, HasSubstr("'--sbom-out' '" + w + "sbom.cdx.json'"));
  // A failed package step leaves no SBOM behind for the report to show.
  EXPECT_THAT(n, HasSubstr("rm -f '" + w + "unsigned.stamp' '" + w + "sbom.cdx.json'; echo $$rc > '" + w + "package.code'"));
  EXPECT_THAT(n, HasSubstr("build " + w + "acme-cam-1.4.2.fwpkg: step " + w + "unsigned.stamp /o/.fwseal/keys.json\n"));
  EXPECT_THAT(n, HasSubstr("  pool = hsm\n"));
  EXPECT_THAT(n, HasSubstr("build " + w + "verify.json: step " + w + "acme-cam-1.4.2.fwpkg /o/.fwseal/trust.json\n"));
  EXPECT_THAT(n, HasSubstr("build " + w + "repro.json: step " + w + "acme-cam-1.4.2.fwpkg " + w + "variant.json"));
  EXPECT_THAT(n, Not(HasSubstr("'sbom' 'generate'")));
  // The spec: the release time, and an SBOM generated from the images.
  auto spec = nlohmann::json::parse(package_spec(plan->variants[0], {dir_ + "/a.bin"}, {"components/0-c.json"}),
                                    nullptr, true, /*ignore_comments=*/true);
  EXPECT_EQ(spec["created"], 7);
  EXPECT_EQ(spec["sbom"]["components"], nlohmann::json::array({"components/0-c.json"}));
  EXPECT_EQ(spec["sbom"]["sha512"], false);
  // The variant as the repro step reads it back.
  auto v = parse_variant_json(variant_json(plan->variants[0]), "variant.json");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->package_name, "acme-cam-1.4.2.fwpkg");
  EXPECT_EQ(v->created, 7);
  EXPECT_EQ(v->images[0].path, dir_ + "/a.bin");
}

// Issue 13, point 4: encrypted images in a release file reach the package
// spec, the package and sign edges (with the secret) and variant.json (which
// the reproducibility rebuild reads).
TEST_F(ReleaseFile, EncryptedImagesAndTheSecretReachEveryStep) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519");
  ASSERT_NE(key, nullptr);
  FILE* f = std::fopen((dir_ + "/fleet.pub.pem").c_str(), "w");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(PEM_write_PUBKEY(f, key), 1);
  std::fclose(f);
  EVP_PKEY_free(key);
  std::string text = kMinimal;
  const std::string image_end = R"("path": "a.bin"})";
  text.replace(text.find(image_end), image_end.size(),
               R"("path": "a.bin", "encryption": {"recipients": ["fleet.pub.pem"], "chunk_size": 8192}})");
  std::string with_key = text;
  with_key.insert(with_key.rfind('}'), R"(, "encryption": {"key": "pkcs11:token=t;object=secret"})");
  const std::string signing = R"("signing": {)";
  with_key.replace(with_key.find(signing), signing.size(), R"("signing": {"module": "a.bin", )");
  auto r = parse(with_key);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->variants[0].images[0].encryption);
  EXPECT_EQ(r->variants[0].images[0].encryption->recipients, std::vector<std::string>{dir_ + "/fleet.pub.pem"});
  EXPECT_EQ(r->variants[0].images[0].encryption->chunk_size, 8192u);
  auto plan = make_plan(*r, "/o", 7, Tools{"/bin/fwseal", "/bin/fwseal-verify"}, true);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  const VariantPlan& vp = plan->variants[0];
  EXPECT_EQ(encryption_args(vp), (std::vector<std::string>{"--encryption-key", "pkcs11:token=t;object=secret",
                                                            "--module", dir_ + "/a.bin"}));
  auto spec = nlohmann::json::parse(package_spec(vp, {"inputs/0-a.bin"}, {}), nullptr, true, true);
  EXPECT_EQ(spec["images"][0]["encryption"]["recipients"], nlohmann::json::array({dir_ + "/fleet.pub.pem"}));
  EXPECT_EQ(spec["images"][0]["encryption"]["chunk_size"], 8192);
  const std::string n = build_ninja(*plan);
  // Both commands that package (the package edge, and the sign edge when it
  // packages again) are given the secret; a new recipient key packages again.
  std::size_t count = 0;
  for (std::size_t at = n.find("'--encryption-key' 'pkcs11:token=t;object=secret' '--module'"); at != std::string::npos;
       at = n.find("'--encryption-key' 'pkcs11:token=t;object=secret' '--module'", at + 1))
    ++count;
  EXPECT_EQ(count, 2u);
  EXPECT_THAT(n, HasSubstr(" " + dir_ + "/fleet.pub.pem"));
  auto v = parse_variant_json(variant_json(vp), "variant.json");
  ASSERT_TRUE(v.ok()) << v.error().message;
  ASSERT_TRUE(v->encryption);
  EXPECT_EQ(v->encryption->key, "pkcs11:token=t;object=secret");
  EXPECT_EQ(v->module, dir_ + "/a.bin");
  ASSERT_TRUE(v->images[0].encryption);
  EXPECT_EQ(v->images[0].encryption->chunk_size, 8192u);
  EXPECT_EQ(encryption_args(*v), encryption_args(vp));

  // A secret file: owner-only, an input of the package edge.
  std::ofstream(dir_ + "/release.secret") << std::string(40, 'x');
  ::chmod((dir_ + "/release.secret").c_str(), 0600);
  std::string with_file = text;
  with_file.insert(with_file.rfind('}'), R"(, "encryption": {"secret": "release.secret"})");
  r = parse(with_file);
  ASSERT_TRUE(r.ok()) << r.error().message;
  plan = make_plan(*r, "/o", 7, Tools{"/bin/fwseal", "/bin/fwseal-verify"}, true);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(encryption_args(plan->variants[0]),
            (std::vector<std::string>{"--encryption-secret", dir_ + "/release.secret"}));
  EXPECT_THAT(build_ninja(*plan), HasSubstr(" " + dir_ + "/release.secret"));
  v = parse_variant_json(variant_json(plan->variants[0]), "variant.json");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(encryption_args(*v), encryption_args(plan->variants[0]));

  // Without encrypted images, nothing: no option, no member.
  auto plain = make_plan(*parse(kMinimal), "/o", 7, Tools{"/bin/fwseal", "/bin/fwseal-verify"}, true);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(encryption_args(plain->variants[0]).empty());
  EXPECT_THAT(build_ninja(*plain), Not(HasSubstr("encryption")));

  ::chmod((dir_ + "/release.secret").c_str(), 0640);
  auto loose = parse(with_file);
  ASSERT_FALSE(loose.ok());
  EXPECT_THAT(loose.error().message, HasSubstr("release.encryption.secret: "));
  auto unknown = parse(text.insert(text.rfind('}'), R"(, "encryption": {"key": "pkcs11:object=s", "pin": "1"})"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.error().message, HasSubstr("release.encryption.pin: unknown member"));
}

TEST_F(ReleaseFile, Sha512InTheSbomIsAskedFor) {
  auto plain = parse(kMinimal);
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_FALSE(plain->sbom_sha512);
  auto plan = make_plan(*plain, "/o", 7, Tools{"/bin/fwseal", "/bin/fwseal-verify"}, true);
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(package_spec(plan->variants[0], {"a.bin"}, {}), HasSubstr("\"sha512\": false"));

  std::string text = kMinimal;
  text.insert(text.rfind('}'), R"(, "sbom": {"sha512": true})");
  auto r = parse(text);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->sbom_sha512);
  plan = make_plan(*r, "/o", 7, Tools{"/bin/fwseal", "/bin/fwseal-verify"}, true);
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(package_spec(plan->variants[0], {"a.bin"}, {}), HasSubstr("\"sha512\": true"));
  auto v = parse_variant_json(variant_json(plan->variants[0]), "variant.json");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_TRUE(v->sbom_sha512);  // the reproducibility rebuild makes the same SBOM

  for (const char* bad : {R"("sbom": {"sha512": "yes"})", R"("sbom": {"sha1": true})", R"("sbom": true)"})
    expect_refused(bad, "release.sbom");
}

TEST_F(ReleaseFile, ManufacturerAndAuthorsReachThePackageSpec) {
  std::string text = kMinimal;
  text.insert(text.rfind('}'), R"(, "supplier": "Acme Cameras Ltd", "sbom": {
    "manufacturer": {"name": "Acme Cameras GmbH", "url": ["https://acme.example"], "contact": {"email": "psirt@acme.example"}},
    "authors": [{"name": "Release engineering", "email": "release@acme.example"}]})");
  auto r = parse(text);
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto plan = make_plan(*r, "/o", 7, Tools{"/bin/fwseal", "/bin/fwseal-verify"}, true);
  ASSERT_TRUE(plan.ok());
  auto spec = nlohmann::json::parse(package_spec(plan->variants[0], {"a.bin"}, {}), nullptr, true, true);
  EXPECT_EQ(spec["sbom"]["supplier"], "Acme Cameras Ltd");
  EXPECT_EQ(spec["sbom"]["manufacturer"]["name"], "Acme Cameras GmbH");
  EXPECT_EQ(spec["sbom"]["manufacturer"]["contact"]["email"], "psirt@acme.example");
  EXPECT_EQ(spec["sbom"]["authors"][0]["email"], "release@acme.example");
  // The package spec reads them as the spec of a hand-written release would.
  auto parsed = packager::parse_spec(package_spec(plan->variants[0], {dir_ + "/a.bin"}, {}), dir_);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->sbom_generation->manufacturer.urls, std::vector<std::string>{"https://acme.example"});
  auto v = parse_variant_json(variant_json(plan->variants[0]), "variant.json");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->sbom_parties, r->sbom_parties);  // the reproducibility rebuild makes the same SBOM

  expect_refused(R"("sbom": {"authors": [{"name": "a", "mail": "a@b"}]})", "release.sbom.authors[0].mail: unknown member");
  expect_refused(R"("sbom": {"manufacturer": {"name": "Acme\u0007"}})",
                 "release.sbom.manufacturer.name: \"Acme\\x07\" contains a control character");
}

TEST_F(ReleaseFile, LicencePolicyIsReadFirstAndCheckedBeforeSigning) {
  // Without one there is no licences edge, and signing waits for nothing more.
  auto plain = parse(kMinimal);
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain->licence_policy, "");
  auto plain_plan = make_plan(*plain, "/o", 7, Tools{"/bin/fwseal", "/bin/fwseal-verify"}, true);
  ASSERT_TRUE(plain_plan.ok());
  EXPECT_THAT(build_ninja(*plain_plan), Not(HasSubstr("licences.json")));
  EXPECT_THAT(build_ninja(*plain_plan), Not(HasSubstr("'sbom' 'check'")));

  std::ofstream(dir_ + "/licences.json") << R"({"allow": ["MIT", "GPL-2.0-only"], "signed_boot": true})";
  std::string text = kMinimal;
  text.insert(text.rfind('}'), R"(, "licence_policy": "licences.json")");
  auto r = parse(text);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->licence_policy, dir_ + "/licences.json");
  auto plan = make_plan(*r, "/o", 7, Tools{"/bin/fwseal", "/bin/fwseal-verify"}, true);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  const std::string n = build_ninja(*plan);
  const std::string w = "/o/.fwseal/v/release/";
  // The check reads the SBOM and the policy; the sign edge waits for its report.
  EXPECT_THAT(n, HasSubstr("build " + w + "licences.json: step " + w + "sbom.cdx.json " + dir_ + "/licences.json\n"));
  EXPECT_THAT(n, HasSubstr("'/bin/fwseal' 'sbom' 'check' '--policy' '" + dir_ + "/licences.json' '" + w +
                           "sbom.cdx.json' '--json' > '" + w + "licences.json.tmp'"));
  EXPECT_THAT(n, HasSubstr("echo $$rc > '" + w + "licences.code'"));
  EXPECT_THAT(n, HasSubstr("build " + w + "acme-cam-1.4.2.fwpkg: step " + w + "unsigned.stamp /o/.fwseal/keys.json " +
                           w + "licences.json\n"));

  // A policy mistake fails the release file, before any work.
  std::ofstream(dir_ + "/typo.json") << R"({"allow": ["MIT", "GPL2"]})";
  std::string typo = kMinimal;
  typo.insert(typo.rfind('}'), R"(, "licence_policy": "typo.json")");
  auto bad = parse(typo);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Code::malformed);
  EXPECT_EQ(bad.error().message, "release.licence_policy: " + dir_ +
                                     "/typo.json: policy.allow[1]: unknown SPDX licence id \"GPL2\" (a licence without "
                                     "an SPDX id is written LicenseRef-NAME)");
  std::string missing = kMinimal;
  missing.insert(missing.rfind('}'), R"(, "licence_policy": "none.json")");
  EXPECT_THAT(parse(missing).error().message, HasSubstr("release.licence_policy: cannot open"));
}

TEST(Plan, QuotesForShellAndNinja) {
  EXPECT_EQ(shell_quote("it's"), R"('it'\''s')");
  EXPECT_EQ(ninja_path("/a b/c:d$"), "/a$ b/c$:d$$");
}

}  // namespace
}  // namespace fwseal::pipeline
