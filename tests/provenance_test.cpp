// End-to-end: signed build provenance (docs/AUDIT.md "Provenance") with real
// SoftHSM2 keys: fwseal provenance create, fwseal verify / fwseal-verify
// --provenance, and each way a provenance file can be wrong.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "fwseal/base/digest.h"
#include "support/workspace.h"

namespace fwseal::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

std::string b64d(const std::string& s) { return base64_decode(s, "test").value(); }

class Provenance : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ws_ = new Workspace("prov");
    ws_->keygen("release", "ecdsa-p256");
    ws_->keygen("build", "ed25519");
    ws_->keygen("build-p384", "ecdsa-p384");
    ws_->keygen("stranger", "ed25519");
    pkg_ = ws_->signed_package({"release"}, "cam.fwpkg");
    trust_ = ws_->trust({"release", "build", "build-p384"});
    auto r = ws_->fwseal({"provenance", "create", "--spec", ws_->path("spec.json"), "--package", pkg_, "--key",
                          ws_->key_uri("build")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("wrote provenance " + pkg_ + ".intoto.jsonl"));
    prov_ = pkg_ + ".intoto.jsonl";
    // The spec of another release.
    write_bytes(ws_->path("spec2.json"), R"({"product": "acme-cam", "version": "1.4.3", "security_version": 3,
      "hardware": ["rev-b", "rev-c"], "created": 1790000000,
      "images": [{"name": "bootloader", "type": "bootloader", "path": "a.bin"}]})");
  }
  static void TearDownTestSuite() { delete ws_; }

  static json envelope(const std::string& file) { return json::parse(read_bytes(file)); }
  static json statement(const std::string& file) { return json::parse(b64d(envelope(file)["payload"])); }

  static Workspace* ws_;
  static std::string pkg_, trust_, prov_;
};
Workspace* Provenance::ws_ = nullptr;
std::string Provenance::pkg_, Provenance::trust_, Provenance::prov_;

TEST_F(Provenance, VerifiesWithBothVerifiers) {
  auto f = ws_->fwseal({"verify", pkg_, "--trust", trust_, "--provenance", prov_});
  EXPECT_EQ(f.exit_code, 0) << f.err;
  EXPECT_THAT(f.out, HasSubstr("VALID"));
  EXPECT_THAT(f.out, HasSubstr("provenance: " + prov_ + ": acme-cam-1.4.2.fwpkg built by urn:fwseal:builder:fwseal@"));
  EXPECT_THAT(f.out, HasSubstr("from spec spec.json and 3 input files, signed by trusted key"));
  auto v = ws_->verify({pkg_, "--trust", trust_, "--provenance", prov_});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  auto j = ws_->verify({pkg_, "--trust", trust_, "--provenance", prov_, "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  auto report = json::parse(j.out);
  EXPECT_EQ(report["verdict"], "valid");
  EXPECT_EQ(report["provenance"]["subject"], "acme-cam-1.4.2.fwpkg");
  EXPECT_EQ(report["provenance"]["spec"], "spec.json");
}

TEST_F(Provenance, StatementIsInTotoSlsaWithTheManifestDigest) {
  auto env = envelope(prov_);
  EXPECT_EQ(env["payloadType"], "application/vnd.in-toto+json");
  ASSERT_EQ(env["signatures"].size(), 1u);
  auto s = statement(prov_);
  EXPECT_EQ(s["_type"], "https://in-toto.io/Statement/v1");
  EXPECT_EQ(s["predicateType"], "https://slsa.dev/provenance/v1");
  auto manifest = run({"/bin/sh", "-c", "tar -xOf '" + pkg_ + "' manifest.json"});
  ASSERT_EQ(manifest.exit_code, 0);
  EXPECT_EQ(s["subject"][0]["name"], "acme-cam-1.4.2.fwpkg");
  EXPECT_EQ(s["subject"][0]["digest"]["sha256"], sha256_hex(manifest.out));
  const auto& def = s["predicate"]["buildDefinition"];
  EXPECT_EQ(def["buildType"], "urn:fwseal:buildtype:package:v1");
  EXPECT_EQ(def["externalParameters"]["spec"]["name"], "spec.json");
  EXPECT_EQ(def["externalParameters"]["spec"]["digest"]["sha256"], sha256_hex(read_bytes(ws_->path("spec.json"))));
  const auto& deps = def["resolvedDependencies"];
  ASSERT_EQ(deps.size(), 4u);
  EXPECT_EQ(deps[0]["annotations"]["fwseal.role"], "spec");
  EXPECT_EQ(deps[1]["name"], "a.bin");
  EXPECT_EQ(deps[1]["annotations"]["fwseal.image"], "bootloader");
  EXPECT_EQ(deps[1]["digest"]["sha256"], sha256_hex(read_bytes(ws_->path("a.bin"))));
  EXPECT_EQ(deps[2]["name"], "b.bin");
  const auto& run_details = s["predicate"]["runDetails"];
  EXPECT_THAT(run_details["builder"]["id"].get<std::string>(), HasSubstr("urn:fwseal:builder:fwseal@"));
  // The spec's time, not the clock: the statement is reproducible.
  EXPECT_EQ(run_details["metadata"]["startedOn"], "2026-09-21T14:13:20Z");
  EXPECT_EQ(run_details["metadata"]["finishedOn"], "2026-09-21T14:13:20Z");
  EXPECT_EQ(run_details["metadata"]["invocationId"], "urn:fwseal:manifest:" + sha256_hex(manifest.out));
  // The signing went into the audit log.
  std::string log = read_bytes(ws_->path("hsm/audit.log"));
  EXPECT_THAT(log, HasSubstr("\"target\":\"provenance\""));
}

TEST_F(Provenance, Ed25519ProvenanceIsReproducible) {
  auto again = ws_->path("again.intoto.jsonl");
  RunOptions o;
  o.env["SOURCE_DATE_EPOCH"] = "5";  // the spec's `created` wins, as when packaging
  auto r = ws_->fwseal({"provenance", "create", "--spec", ws_->path("spec.json"), "--package", pkg_, "--key",
                        ws_->key_uri("build"), "-o", again, "--quiet"}, o);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_bytes(again), read_bytes(prov_));
}

TEST_F(Provenance, StillVerifiesAfterMoreSignatures) {
  std::string pkg = ws_->path("more.fwpkg");
  fs::copy_file(pkg_, pkg, fs::copy_options::overwrite_existing);
  ASSERT_EQ(ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("build-p384")}).exit_code, 0);
  ASSERT_NE(read_bytes(pkg), read_bytes(pkg_));
  auto v = ws_->verify({pkg, "--trust", trust_, "--provenance", prov_});
  EXPECT_EQ(v.exit_code, 0) << v.err;
}

TEST_F(Provenance, OpensslChecksTheDsseSignatureByHand) {
  // PAE = "DSSEv1" SP len(type) SP type SP len(payload) SP payload
  auto env = envelope(prov_);
  std::string payload = b64d(env["payload"]);
  std::string type = env["payloadType"];
  write_bytes(ws_->path("pae.bin"), "DSSEv1 " + std::to_string(type.size()) + " " + type + " " +
                                      std::to_string(payload.size()) + " " + payload);
  write_bytes(ws_->path("dsse.sig"), b64d(env["signatures"][0]["sig"]));
  auto r = run({"openssl", "pkeyutl", "-verify", "-pubin", "-inkey", ws_->path("build.pub.pem"), "-rawin", "-in",
                ws_->path("pae.bin"), "-sigfile", ws_->path("dsse.sig")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(Provenance, EditedPayloadIs12) {
  auto env = envelope(prov_);
  std::string payload = b64d(env["payload"]);
  payload.replace(payload.find("\"a.bin\""), 7, "\"A.bin\"");
  env["payload"] = base64_encode(payload);
  auto file = ws_->path("edited.intoto.jsonl");
  write_bytes(file, env.dump() + "\n");
  auto v = ws_->verify({pkg_, "--trust", trust_, "--provenance", file});
  EXPECT_EQ(v.exit_code, 12);
  EXPECT_THAT(v.err, HasSubstr("does not verify: the statement or the signature was changed"));
  EXPECT_EQ(v.err.find('\n'), v.err.size() - 1);
}

TEST_F(Provenance, WrongSubjectIs11) {
  // A valid provenance, signed by a trusted key, for another package.
  auto other = ws_->path("other.fwpkg");
  ASSERT_EQ(ws_->fwseal({"package", "--spec", ws_->path("spec2.json"), "-o", other}).exit_code, 0);
  auto file = ws_->path("other.intoto.jsonl");
  auto c = ws_->fwseal({"provenance", "create", "--spec", ws_->path("spec2.json"), "--package", other, "--key",
                        ws_->key_uri("build"), "-o", file});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto v = ws_->fwseal({"verify", pkg_, "--trust", trust_, "--provenance", file});
  EXPECT_EQ(v.exit_code, 11);
  EXPECT_THAT(v.err, HasSubstr("subject acme-cam-1.4.3.fwpkg has sha256"));
  EXPECT_THAT(v.err, HasSubstr("the provenance describes another package"));
}

TEST_F(Provenance, UntrustedKeyIs13) {
  auto file = ws_->path("stranger.intoto.jsonl");
  auto c = ws_->fwseal({"provenance", "create", "--spec", ws_->path("spec.json"), "--package", pkg_, "--key",
                        ws_->key_uri("stranger"), "-o", file});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto v = ws_->verify({pkg_, "--trust", trust_, "--provenance", file});
  EXPECT_EQ(v.exit_code, 13);
  EXPECT_THAT(v.err, HasSubstr("not signed by a key in trust.json"));
  EXPECT_THAT(v.err, HasSubstr("is not in trust.json"));
}

TEST_F(Provenance, MalformedIs10AndMissingIs3) {
  auto file = ws_->path("junk.intoto.jsonl");
  write_bytes(file, "{\"payload\":\"not base64!\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[]}\n");
  auto v = ws_->verify({pkg_, "--trust", trust_, "--provenance", file});
  EXPECT_EQ(v.exit_code, 10);
  EXPECT_THAT(v.err, HasSubstr("junk.intoto.jsonl.payload"));
  auto missing = ws_->verify({pkg_, "--trust", trust_, "--provenance", ws_->path("none.intoto.jsonl")});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_THAT(missing.err, HasSubstr("none.intoto.jsonl"));
  // The package is checked first: a provenance never rescues a bad package.
  auto untrusted_pkg = ws_->verify({pkg_, "--trust", ws_->trust({"stranger"}, {}, "s.json"), "--provenance", prov_});
  EXPECT_EQ(untrusted_pkg.exit_code, 13);
  EXPECT_THAT(untrusted_pkg.err, Not(HasSubstr("provenance")));
}

TEST_F(Provenance, CreateRefusesInputsThePackageDoesNotHold) {
  // An image changed after packaging.
  std::string a = read_bytes(ws_->path("a.bin"));
  write_bytes(ws_->path("a.bin"), a + "x");
  auto r = ws_->fwseal({"provenance", "create", "--spec", ws_->path("spec.json"), "--package", pkg_, "--key",
                        ws_->key_uri("build"), "-o", ws_->path("never.intoto.jsonl")});
  write_bytes(ws_->path("a.bin"), a);
  EXPECT_EQ(r.exit_code, 11);
  EXPECT_THAT(r.err, HasSubstr("image bootloader"));
  EXPECT_THAT(r.err, HasSubstr("the package was not built from these inputs"));
  EXPECT_FALSE(fs::exists(ws_->path("never.intoto.jsonl")));
  // Another spec.
  auto s = ws_->fwseal({"provenance", "create", "--spec", ws_->path("spec2.json"), "--package", pkg_, "--key",
                        ws_->key_uri("build"), "-o", ws_->path("never.intoto.jsonl")});
  EXPECT_EQ(s.exit_code, 11);
  EXPECT_THAT(s.err, HasSubstr("spec.version"));
  auto u = ws_->fwseal({"provenance", "create", "--spec", ws_->path("spec.json"), "--package", pkg_});
  EXPECT_EQ(u.exit_code, 2);
  EXPECT_THAT(u.err, HasSubstr("missing --key"));
}

TEST_F(Provenance, PinSourceNeverLeaks) {
  auto log = ws_->path("prov-pin.log");
  const std::string pin_file = ws_->path("secret-pin-file");
  fs::copy_file(ws_->path("pin"), pin_file, fs::copy_options::overwrite_existing);
  RunOptions o;
  o.unset = {"FWSEAL_PIN_FILE"};
  auto file = ws_->path("pin.intoto.jsonl");
  auto r = ws_->fwseal({"provenance", "create", "--spec", ws_->path("spec.json"), "--package", pkg_, "--key",
                        ws_->key_uri("build") + "?pin-source=file:" + pin_file, "-o", file, "--audit-log", log},
                       o);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& text : {read_bytes(log), read_bytes(file), r.out})
    for (const auto& secret : {std::string("1234-user"), std::string("pin-source"), pin_file})
      EXPECT_THAT(text, Not(HasSubstr(secret)));
}

}  // namespace
}  // namespace fwseal::test
