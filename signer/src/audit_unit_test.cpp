// The audit log without an HSM: records, redaction, appending, torn tails,
// write-ahead signing and the verifier's diagnoses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <filesystem>

#include "fwseal/base/file.h"
#include "fwseal/format/layout.h"
#include "fwseal/signer/audit.h"
#include "fwseal/testing/software_key.h"

namespace fwseal::signer {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

std::string slurp(const std::string& path) { return read_file(path).value(); }
void spit(const std::string& path, const std::string& data) { ASSERT_TRUE(write_file_atomic(path, data).ok()); }

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t nl = text.find('\n', at);
    out.push_back(text.substr(at, nl - at + 1));
    at = nl + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l;
  return out;
}

// A key whose sign() always fails, as an HSM that refuses would.
class FailingKey final : public SigningKey {
 public:
  explicit FailingKey(const SigningKey& real) : real_(real) {}
  Algorithm algorithm() const override { return real_.algorithm(); }
  const KeyId& key_id() const override { return real_.key_id(); }
  const EVP_PKEY* public_key() const override { return real_.public_key(); }
  Result<std::string> sign(std::string_view) const override {
    return make_error(Code::hsm, "C_Sign failed: CKR_DEVICE_ERROR");
  }

 private:
  const SigningKey& real_;
};

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fwseal-audit-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    log_ = dir_ + "/audit.log";
    pkg_ = dir_ + "/p.fwpkg";
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write_package() {
    Manifest m;  // version 1: the signer appends entries (signer_test covers version 2)
    m.format_version = kManifestFormatVersion1;
    m.signature_space = 0;
    m.product = "cam";
    m.version = "2.0";
    m.hardware = {"hw"};
    m.created = 42;
    std::string image = "firmware";
    m.images = {{"app", "application", image.size(), sha256(image)}};
    std::string bytes = *serialize_manifest(m);
    std::string out = *tar_header("manifest.json", bytes.size(), 42) + bytes;
    out.resize(padded_size(out.size()), '\0');
    out += *tar_header("image/app", image.size(), 42) + image;
    out.resize(padded_size(out.size()), '\0');
    out += end_of_archive();
    spit(pkg_, out);
    digest_ = to_hex(sha256(bytes));
  }

  std::unique_ptr<SigningKey> key() {
    ossl::PKey k(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    std::string path = dir_ + "/k" + std::to_string(counter_++) + ".pem";
    FILE* f = std::fopen(path.c_str(), "w");
    PEM_write_PrivateKey(f, k.get(), nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    return std::move(test::load_software_key(path).value());
  }

  AuditEvent event(const std::string& result = "signed") {
    AuditEvent e;
    e.package = "p.fwpkg";
    e.key_uri = "pkcs11:token=t;object=k";
    e.product = "cam";
    e.version = "2.0";
    e.result = result;
    return e;
  }

  void append_n(int n) {
    for (int i = 0; i < n; ++i) {
      auto log = AuditLog::open(log_);
      ASSERT_TRUE(log.ok()) << log.error().message;
      auto r = log->append(event());
      ASSERT_TRUE(r.ok()) << r.error().message;
    }
  }

  std::string verify_error() {
    auto v = verify_audit_log(log_);
    EXPECT_FALSE(v.ok());
    if (v.ok()) return {};
    EXPECT_EQ(v.error().code, Code::malformed);
    return v.error().message;
  }

  std::string dir_, log_, pkg_, digest_;
  int counter_ = 0;
};

TEST(AuditRedact, RemovesPinAttributesOnly) {
  EXPECT_EQ(redact_key_uri("pkcs11:token=t;object=k"), "pkcs11:token=t;object=k");
  EXPECT_EQ(redact_key_uri("pkcs11:token=t;object=k?pin-source=file:/s/pin"), "pkcs11:token=t;object=k");
  EXPECT_EQ(redact_key_uri("pkcs11:token=t;object=k?pin-value=1234&module-path=/m.so"),
            "pkcs11:token=t;object=k?module-path=/m.so");
  EXPECT_EQ(redact_key_uri("pkcs11:token=t;PIN-Value=1234;object=k?module-path=/m.so&pin-source=/p"),
            "pkcs11:token=t;object=k?module-path=/m.so");
  EXPECT_EQ(redact_key_uri("pkcs11:token=t;object=k?pin%2dvalue=1234"), "pkcs11:token=t;object=k");
}

TEST_F(AuditTest, LinesChainFromGenesis) {
  append_n(3);
  auto lines = split_lines(slurp(log_));
  ASSERT_EQ(lines.size(), 3u);
  auto r1 = parse_audit_record(lines[0].substr(0, lines[0].size() - 1), "l1");
  auto r3 = parse_audit_record(lines[2].substr(0, lines[2].size() - 1), "l3");
  ASSERT_TRUE(r1.ok() && r3.ok());
  EXPECT_EQ(r1->seq, 1u);
  EXPECT_EQ(r1->prev, kAuditGenesis);
  EXPECT_EQ(r3->seq, 3u);
  EXPECT_EQ(r3->prev, sha256_hex(lines[1]));
  EXPECT_THAT(r1->time, ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"));
  auto s = verify_audit_log(log_);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->lines, 3u);
  EXPECT_EQ(s->head, sha256_hex(lines[2]));
  // Anchors: a head recorded earlier must still be in the log.
  EXPECT_TRUE(verify_audit_log(log_, {sha256_hex(lines[1])}).ok());
  auto gone = verify_audit_log(log_, {std::string(64, 'a')});
  ASSERT_FALSE(gone.ok());
  EXPECT_THAT(gone.error().message, HasSubstr("no line hashes to the anchor"));
}

TEST_F(AuditTest, PinNeverWritten) {
  auto log = AuditLog::open(log_);
  ASSERT_TRUE(log.ok());
  AuditEvent e = event();
  e.key_uri = "pkcs11:token=t;object=k?pin-source=file:/secret/pin-file";
  ASSERT_TRUE(log->append(e).ok());
  std::string text = slurp(log_);
  EXPECT_THAT(text, Not(HasSubstr("pin")));
  EXPECT_THAT(text, HasSubstr("\"key_uri\":\"pkcs11:token=t;object=k\""));
}

TEST_F(AuditTest, DiagnosesEachTampering) {
  append_n(5);
  const auto lines = split_lines(slurp(log_));
  auto expect = [&](std::vector<std::string> l, const std::string& message) {
    spit(log_, join(l));
    EXPECT_THAT(verify_error(), HasSubstr(message));
  };
  {  // edit a field of line 3, keeping the JSON canonical
    auto l = lines;
    auto at = l[2].find("\"product\":\"cam\"");
    ASSERT_NE(at, std::string::npos);
    l[2].replace(at, 15, "\"product\":\"car\"");
    expect(l, "line 3 was changed");
  }
  {
    auto l = lines;
    l.erase(l.begin() + 2);
    expect(l, "line 3 was removed");
  }
  {
    auto l = lines;
    l.insert(l.begin() + 2, lines[0]);
    expect(l, "line 3 was inserted: it is a copy of line 1");
  }
  {
    auto l = lines;
    std::swap(l[1], l[2]);
    expect(l, "lines 2 and 3 are out of order");
  }
  {
    auto l = lines;
    l[4] = l[4].substr(0, l[4].size() / 2);
    expect(l, "line 5 is torn");
  }
  {
    auto l = lines;
    l[3] = "{\"not\":\"a record\"}\n";
    expect(l, "line 4 is not a valid audit record");
  }
}

TEST_F(AuditTest, ForgedInsertionIsNamed) {
  append_n(4);
  auto lines = split_lines(slurp(log_));
  // A forger writes a well-formed line 3 that chains to line 2.
  auto rec = parse_audit_record(lines[2].substr(0, lines[2].size() - 1), "l3").value();
  rec.event.product = "forged";
  auto forged = serialize_audit_record(rec).value();
  lines.insert(lines.begin() + 2, forged);
  spit(log_, join(lines));
  EXPECT_THAT(verify_error(), HasSubstr("line 3 was inserted"));
}

TEST_F(AuditTest, TornTailIsCutAndRecorded) {
  append_n(2);
  std::string text = slurp(log_);
  std::string torn = R"({"algorithm":"ed25519","format":"fwse)";
  spit(log_, text + torn);
  EXPECT_THAT(verify_error(), HasSubstr("line 3 is torn"));
  auto log = AuditLog::open(log_);
  ASSERT_TRUE(log.ok()) << log.error().message;
  ASSERT_TRUE(log->torn_tail().has_value());
  EXPECT_EQ(log->torn_tail()->offset, text.size());
  auto r = log->append(event());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->seq, 3u);
  ASSERT_TRUE(r->repaired.has_value());
  EXPECT_EQ(r->repaired->text, torn);
  auto s = verify_audit_log(log_);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->lines, 3u);
  EXPECT_EQ(s->repaired_lines, std::vector<std::uint64_t>{3});
  EXPECT_THAT(slurp(log_), HasSubstr(R"("repaired":{"bytes":37,"offset":)"));
}

TEST_F(AuditTest, RefusesToAppendAfterAnInvalidLastLine) {
  append_n(1);
  spit(log_, slurp(log_) + "garbage\n");
  auto log = AuditLog::open(log_);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.error().code, Code::malformed);
  EXPECT_THAT(log.error().message, HasSubstr("line 2, the last, is not a valid audit record"));
}

TEST_F(AuditTest, SignedLineBeforeTheSignatureAndRefusals) {
  write_package();
  auto k = key();
  AuditContext ctx{log_, "pkcs11:token=t;object=k", "alice"};
  auto r = sign_package_audited(pkg_, *k, ctx);
  ASSERT_TRUE(r.ok()) << r.error().message;
  // The same key again: refused by the signer, and logged as refused.
  auto again = sign_package_audited(pkg_, *k, ctx);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Code::usage);
  // A key that fails inside the HSM.
  auto k2 = key();
  FailingKey failing(*k2);
  auto f = sign_package_audited(pkg_, failing, ctx);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, Code::hsm);

  auto lines = split_lines(slurp(log_));
  ASSERT_EQ(lines.size(), 3u);
  auto l1 = parse_audit_record(lines[0].substr(0, lines[0].size() - 1), "1").value();
  EXPECT_EQ(l1.event.result, "signed");
  EXPECT_EQ(l1.event.operator_name, "alice");
  EXPECT_EQ(to_hex(l1.event.manifest_digest), digest_);
  EXPECT_EQ(l1.event.product, "cam");
  EXPECT_EQ(l1.event.version, "2.0");
  EXPECT_EQ(l1.event.target, "manifest");
  EXPECT_EQ(l1.event.key_id, key_id_of(k->public_key()).value());
  EXPECT_THAT(lines[1], HasSubstr("\"result\":\"refused: "));
  EXPECT_THAT(lines[1], HasSubstr("already signed by key"));
  EXPECT_THAT(lines[2], HasSubstr("\"result\":\"refused: C_Sign failed: CKR_DEVICE_ERROR\""));
  auto s = verify_audit_log(log_);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->keys[to_hex(l1.event.key_id)].signed_count, 1u);
  EXPECT_EQ(s->keys[to_hex(l1.event.key_id)].refused_count, 1u);
}

TEST_F(AuditTest, NoSignatureWithoutItsLine) {
  write_package();
  const std::string before = slurp(pkg_);
  auto k = key();
  // The log's directory cannot be created: nothing is signed.
  AuditContext ctx{dir_ + "/missing/deeper/audit.log", "pkcs11:token=t;object=k", ""};
  auto r = sign_package_audited(pkg_, *k, ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::io);
  EXPECT_EQ(slurp(pkg_), before);
  // An invalid log: nothing is signed either.
  spit(log_, "not a log\n");
  AuditContext bad{log_, "pkcs11:token=t;object=k", ""};
  auto b = sign_package_audited(pkg_, *k, bad);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, Code::malformed);
  EXPECT_EQ(slurp(pkg_), before);
}

TEST_F(AuditTest, ImportedSignaturesAreLogged) {
  write_package();
  auto k = key();
  auto tbs = to_be_signed(pkg_).value();
  auto sig = k->sign(tbs).value();
  AuditContext ctx{log_, "", "bob"};
  auto bad_sig = sig;
  bad_sig[3] = static_cast<char>(bad_sig[3] ^ 1);
  auto refused = import_signature_audited(pkg_, k->public_key(), bad_sig, ctx);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Code::signature);
  auto ok = import_signature_audited(pkg_, k->public_key(), sig, ctx);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  auto lines = split_lines(slurp(log_));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr("\"result\":\"refused: imported signature refused"));
  EXPECT_THAT(lines[1], HasSubstr("\"result\":\"signed\""));
  EXPECT_THAT(lines[1], HasSubstr("\"source\":\"import\""));
  EXPECT_THAT(lines[1], Not(HasSubstr("key_uri")));
  EXPECT_TRUE(verify_audit_log(log_).ok());
}

TEST_F(AuditTest, LogPathOrder) {
  ::setenv("FWSEAL_AUDIT_LOG", "/env/audit.log", 1);
  EXPECT_EQ(audit_log_path("/flag.log", "/home"), "/flag.log");
  EXPECT_EQ(audit_log_path("", "/home"), "/env/audit.log");
  ::unsetenv("FWSEAL_AUDIT_LOG");
  EXPECT_EQ(audit_log_path("", "/home"), "/home/audit.log");
}

}  // namespace
}  // namespace fwseal::signer
