// End-to-end: the --json convention of docs/JSON.md, command by command. Every
// document is one object on stdout, keys sorted with a two-space indent and a
// final newline, named by "format" and "format_version", whose "code" and
// "exit_code" are how the run ended; a failure prints its document too.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "support/workspace.h"

namespace fwseal::test {
namespace {

using nlohmann::json;

class JsonOutput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ws_ = new Workspace("json");
    ws_->keygen("k", "ed25519");
    ws_->write_spec();
  }
  static void TearDownTestSuite() { delete ws_; }
  static Workspace* ws_;
};
Workspace* JsonOutput::ws_ = nullptr;

// The run's stdout as the one document of docs/JSON.md named `format`, with
// the run's exit code in it.
json document(const RunResult& r, const std::string& format) {
  json j = json::parse(r.out);  // one document: trailing text would throw
  // The documented schema (docs/schemas/fwseal-output.schema.json), by an independent validator.
  TempDir dir;
  write_bytes(dir / "doc.json", r.out);
  auto schema = run({"/usr/bin/python3", source_dir() + "/tests/tools/validate_json_schema.py",
                     source_dir() + "/docs/schemas/fwseal-output.schema.json", dir / "doc.json"});
  EXPECT_EQ(schema.exit_code, 0) << format << ": " << schema.out << schema.err;
  EXPECT_EQ(r.out, j.dump(2) + "\n") << "keys sorted, two-space indent, a final newline";
  EXPECT_EQ(j["format"], format);
  EXPECT_EQ(j["format_version"], 1);
  EXPECT_EQ(j["exit_code"], r.exit_code);
  EXPECT_TRUE(j["code"].is_string());
  return j;
}

TEST_F(JsonOutput, ReleaseCommandsOnSuccess) {
  const std::string pkg = ws_->path("j.fwpkg");
  auto p = ws_->fwseal({"package", "--spec", ws_->path("spec.json"), "-o", pkg, "--json"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  json pj = document(p, "fwseal-package");
  EXPECT_EQ(pj["code"], "ok");
  EXPECT_EQ(pj["package"], pkg);
  EXPECT_EQ(pj["signed"], false);
  EXPECT_EQ(pj["security_version"], "3");  // decimal text everywhere
  EXPECT_EQ(pj["images"].size(), 3u);

  auto s = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("k"), "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  json sj = document(s, "fwseal-sign");
  EXPECT_EQ(sj["manifest_sha256"], pj["manifest_sha256"]);
  EXPECT_EQ(sj["algorithm"], "ed25519");
  EXPECT_EQ(sj["signatures"], 1);

  auto t = ws_->fwseal({"trust", "create", "-o", ws_->path("t.json"), "--pubkey", ws_->path("k.pub.pem"), "--json"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  json tj = document(t, "fwseal-trust-create");
  EXPECT_EQ(tj["keys"][0]["name"], "k");
  EXPECT_EQ(tj["keys"][0]["key_id"], sj["key_id"]);

  // The same fact has the same name and type in package, inspect, verify and extract.
  auto i = ws_->fwseal({"inspect", pkg, "--json"});
  json ij = document(i, "fwseal-inspect");
  auto v = ws_->fwseal({"verify", pkg, "--trust", ws_->path("t.json"), "--json"});
  json vj = document(v, "fwseal-verify");
  std::filesystem::create_directory(ws_->path("x"));
  auto x = ws_->fwseal({"extract", pkg, "-C", ws_->path("x"), "--trust", ws_->path("t.json"), "--json"});
  ASSERT_EQ(x.exit_code, 0) << x.err;
  json xj = document(x, "fwseal-extract");
  for (const json* j : {&ij, &vj, &xj}) {
    for (const char* fact : {"manifest_sha256", "product", "version", "security_version", "created", "hardware", "images"})
      EXPECT_EQ((*j)[fact], pj[fact]) << fact << " in " << (*j)["format"];
  }
  EXPECT_TRUE(vj["created"].is_string());  // RFC 3339 text, as inspect writes it
  EXPECT_EQ(vj["created"], ij["created"]);

  // fwseal-verify writes the same document as fwseal verify.
  auto sv = ws_->verify({pkg, "--trust", ws_->path("t.json"), "--json"});
  EXPECT_EQ(sv.out, v.out);
  // --quiet: nothing on stdout, the exit code says it.
  auto q = ws_->verify({pkg, "--trust", ws_->path("t.json"), "--quiet"});
  EXPECT_EQ(q.exit_code, 0);
  EXPECT_EQ(q.out, "");
}

TEST_F(JsonOutput, FailuresPrintTheirDocument) {
  // A spec given as nothing: package used to print nothing on stdout.
  auto p = ws_->fwseal({"package", "--spec", ws_->path("missing.json"), "-o", ws_->path("m.fwpkg"), "--json"});
  EXPECT_EQ(p.exit_code, 3);
  json pj = document(p, "fwseal-package");
  EXPECT_EQ(pj["code"], "io");
  EXPECT_THAT(pj["message"].get<std::string>(), ::testing::HasSubstr("missing.json"));
  EXPECT_THAT(p.err, ::testing::StartsWith("fwseal: "));

  // A usage error: the document and, on stderr, the usage.
  auto u = ws_->fwseal({"sign", "--json"});
  EXPECT_EQ(u.exit_code, 2);
  json uj = document(u, "fwseal-sign");
  EXPECT_EQ(uj["code"], "usage");
  EXPECT_EQ(uj["message"], "expected one package");

  // A command that ends with a verdict other than success keeps its findings.
  auto bad = ws_->verify({ws_->path("spec.json"), "--trust", ws_->path("t.json"), "--json"});
  EXPECT_EQ(bad.exit_code, 10);
  json bj = document(bad, "fwseal-verify");
  EXPECT_EQ(bj["verdict"], "invalid");
  EXPECT_EQ(bj["code"], "malformed");

  // sbom diff follows diff(1): exit 1 and code "different" when they differ.
  auto d = ws_->fwseal({"sbom", "diff", ws_->path("nothing-a.json"), ws_->path("nothing-b.json"), "--json"});
  EXPECT_EQ(d.exit_code, 3);
  EXPECT_EQ(document(d, "fwseal-sbom-diff")["code"], "io");
}

TEST_F(JsonOutput, QuietPrintsNothingOnSuccess) {
  const std::string pkg = ws_->path("q.fwpkg");
  auto p = ws_->fwseal({"package", "--spec", ws_->path("spec.json"), "-o", pkg, "--quiet"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(p.out, "");
  auto s = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("k"), "--quiet"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(s.out, "");
  auto t = ws_->fwseal({"trust", "create", "-o", ws_->path("tq.json"), "--pubkey", ws_->path("k.pub.pem"), "--quiet"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_EQ(t.out, "");
  auto a = ws_->fwseal({"audit", "verify", ws_->path("hsm/audit.log"), "--quiet"});
  EXPECT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, "");
  auto aj = ws_->fwseal({"audit", "verify", ws_->path("hsm/audit.log"), "--json"});
  json j = document(aj, "fwseal-audit-verify");
  EXPECT_EQ(j["valid"], true);
  EXPECT_GE(j["lines"].get<int>(), 1);
}

TEST_F(JsonOutput, HsmAndInventoryCommands) {
  auto init = ws_->fwseal({"hsm", "init", "--token", "second", "--json"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_EQ(document(init, "fwseal-hsm-init")["token"], "second");
  auto keygen = ws_->fwseal({"hsm", "keygen", "--key", "pkcs11:token=second;object=k2", "--alg", "ecdsa-p256", "--json"});
  ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
  json kj = document(keygen, "fwseal-hsm-keygen");
  EXPECT_EQ(kj["algorithm"], "ecdsa-p256");
  EXPECT_EQ(kj["label"], "k2");
  auto pub = ws_->fwseal({"hsm", "pubkey", "--key", "pkcs11:token=second;object=k2", "-o", ws_->path("k2.pem"), "--json"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  EXPECT_EQ(document(pub, "fwseal-hsm-pubkey")["key_id"], kj["key_id"]);
  auto list = ws_->fwseal({"hsm", "list", "--token", "second", "--json"});
  EXPECT_EQ(document(list, "fwseal-hsm-list")["keys"][0]["key_id"], kj["key_id"]);
  // Without -o the PEM is stdout, so --json is a usage error, with its document.
  auto no_out = ws_->fwseal({"hsm", "pubkey", "--key", "pkcs11:token=second;object=k2", "--json"});
  EXPECT_EQ(no_out.exit_code, 2);
  EXPECT_EQ(document(no_out, "fwseal-hsm-pubkey")["code"], "usage");

  const std::string db = "sqlite:" + ws_->path("inv.db");
  auto product = ws_->fwseal({"inventory", "product", "acme-cam", "--launched", "2026-01-01", "--db", db, "--json"});
  ASSERT_EQ(product.exit_code, 0) << product.err;
  EXPECT_EQ(document(product, "fwseal-inventory-product")["launched"], "2026-01-01");
  auto empty = ws_->fwseal({"inventory", "list", "--db", db, "--json"});
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_EQ(document(empty, "fwseal-inventory-list")["releases"], json::array());
  auto quiet = ws_->fwseal({"inventory", "product", "acme-cam", "--launched", "2026-01-01", "--db", db, "--quiet"});
  EXPECT_EQ(quiet.exit_code, 0);
  EXPECT_EQ(quiet.out, "");
}

}  // namespace
}  // namespace fwseal::test
