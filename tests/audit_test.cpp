// End-to-end: the signing audit log (docs/AUDIT.md) with real SoftHSM2 keys:
// one line per signature, where the log lives, no PIN in it, every kind of
// tampering named by line, and writers killed mid-append.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "fwseal/signer/audit.h"
#include "support/workspace.h"

namespace fwseal::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string::npos) {
      out.push_back(text.substr(at));
      break;
    }
    out.push_back(text.substr(at, nl - at + 1));
    at = nl + 1;
  }
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l;
  return s;
}

nlohmann::json record(const std::string& line) { return nlohmann::json::parse(line); }

// "manifest sha256 <hex>" from `fwseal sign`'s output.
std::string printed_digest(const std::string& out) {
  auto at = out.find("manifest sha256 ");
  return at == std::string::npos ? "" : out.substr(at + 16, 64);
}

class Audit : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ws_ = new Workspace("audit");
    ws_->keygen("k-ed", "ed25519");
    ws_->keygen("k-p256", "ecdsa-p256");
    auto r = ws_->fwseal({"package", "--spec", ws_->write_spec(), "-o", ws_->path("base.fwpkg")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete ws_; }

  // A fresh unsigned copy of the package.
  static std::string package(const std::string& name) {
    fs::copy_file(ws_->path("base.fwpkg"), ws_->path(name), fs::copy_options::overwrite_existing);
    return ws_->path(name);
  }

  // Signs `n` fresh packages with k-ed into `log`.
  static void sign_n(const std::string& log, int n) {
    for (int i = 0; i < n; ++i) {
      auto pkg = package("n" + std::to_string(i) + ".fwpkg");
      auto r = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("k-ed"), "--audit-log", log});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }

  static Workspace* ws_;
};
Workspace* Audit::ws_ = nullptr;

TEST_F(Audit, EverySignatureAppendsOneChainedLine) {
  auto pkg = package("one.fwpkg");
  RunOptions o;
  o.env["FWSEAL_OPERATOR"] = "release-bot";
  auto s1 = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("k-ed")}, o);
  ASSERT_EQ(s1.exit_code, 0) << s1.err;
  auto s2 = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("k-p256")}, o);
  ASSERT_EQ(s2.exit_code, 0) << s2.err;
  // Default place: $FWSEAL_HOME/audit.log.
  const std::string log = ws_->path("hsm/audit.log");
  auto lines = lines_of(read_bytes(log));
  ASSERT_GE(lines.size(), 2u);
  auto a = record(lines[lines.size() - 2]);
  auto b = record(lines.back());
  EXPECT_EQ(a["result"], "signed");
  EXPECT_EQ(a["operator"], "release-bot");
  EXPECT_FALSE(a["login"].get<std::string>().empty());
  EXPECT_FALSE(a["host"].get<std::string>().empty());
  EXPECT_EQ(a["key_uri"], ws_->key_uri("k-ed"));
  EXPECT_EQ(a["algorithm"], "ed25519");
  EXPECT_EQ(b["algorithm"], "ecdsa-p256");
  EXPECT_EQ(a["manifest_sha256"], printed_digest(s1.out));
  EXPECT_EQ(a["product"], "acme-cam");
  EXPECT_EQ(a["version"], "1.4.2");
  EXPECT_EQ(a["target"], "manifest");
  EXPECT_EQ(a["source"], "hsm");
  EXPECT_EQ(a["package"], pkg);
  EXPECT_THAT(a["time"].get<std::string>(), ::testing::MatchesRegex("20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"));
  EXPECT_EQ(b["seq"].get<std::uint64_t>(), a["seq"].get<std::uint64_t>() + 1);
  EXPECT_EQ(b["prev"], sha256_hex(lines[lines.size() - 2]));
  // The key id is the one the token reports.
  auto inspect = ws_->fwseal({"inspect", pkg, "--json"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  std::set<std::string> signed_by;
  const auto inspected = nlohmann::json::parse(inspect.out);
  for (const auto& sig : inspected["signatures"]) signed_by.insert(sig["key_id"].get<std::string>());
  EXPECT_EQ(signed_by, (std::set<std::string>{a["key_id"], b["key_id"]}));

  auto v = ws_->fwseal({"audit", "verify", log});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_THAT(v.out, HasSubstr("valid, " + std::to_string(lines.size()) + " lines"));
  EXPECT_THAT(v.out, HasSubstr(a["key_id"].get<std::string>()));
  EXPECT_THAT(v.out, HasSubstr("head sha256 " + sha256_hex(lines.back())));
}

TEST_F(Audit, LogPathFlagThenEnvironmentThenHome) {
  auto env_log = ws_->path("env-audit.log");
  RunOptions o;
  o.env["FWSEAL_AUDIT_LOG"] = env_log;
  auto e = ws_->fwseal({"sign", package("env.fwpkg"), "--key", ws_->key_uri("k-ed")}, o);
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(lines_of(read_bytes(env_log)).size(), 1u);
  auto flag_log = ws_->path("flag-audit.log");
  auto f = ws_->fwseal({"sign", package("flag.fwpkg"), "--key", ws_->key_uri("k-ed"), "--audit-log", flag_log}, o);
  ASSERT_EQ(f.exit_code, 0) << f.err;
  EXPECT_EQ(lines_of(read_bytes(flag_log)).size(), 1u);
  EXPECT_EQ(lines_of(read_bytes(env_log)).size(), 1u);
}

TEST_F(Audit, RefusalsAfterTheKeyIsOpenAreLogged) {
  auto log = ws_->path("refused.log");
  auto pkg = package("refused.fwpkg");
  ASSERT_EQ(ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("k-ed"), "--audit-log", log}).exit_code, 0);
  auto again = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("k-ed"), "--audit-log", log});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, HasSubstr("already signed"));
  auto lines = lines_of(read_bytes(log));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(record(lines[1])["result"].get<std::string>(), HasSubstr("refused: "));
  EXPECT_THAT(record(lines[1])["result"].get<std::string>(), HasSubstr("already signed by key"));
  // Failures before a key is in hand (no such key) write nothing.
  auto missing = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("no-such-key"), "--audit-log", log});
  EXPECT_EQ(missing.exit_code, 20);
  EXPECT_EQ(lines_of(read_bytes(log)).size(), 2u);
  EXPECT_EQ(ws_->fwseal({"audit", "verify", log}).exit_code, 0);
}

TEST_F(Audit, ABrokenLogStopsSigningBeforeTheHsm) {
  auto log = ws_->path("broken.log");
  write_bytes(log, "this is not an audit log\n");
  auto pkg = package("broken.fwpkg");
  const std::string before = read_bytes(pkg);
  auto r = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("k-ed"), "--audit-log", log});
  EXPECT_EQ(r.exit_code, 10);
  EXPECT_THAT(r.err, HasSubstr("line 1, the last, is not a valid audit record"));
  EXPECT_THAT(r.err, HasSubstr("fwseal audit verify"));
  EXPECT_EQ(read_bytes(pkg), before);
  auto unwritable = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("k-ed"), "--audit-log", "/proc/fwseal/audit.log"});
  EXPECT_EQ(unwritable.exit_code, 3);
  EXPECT_THAT(unwritable.err, HasSubstr("/proc/fwseal/audit.log"));
  EXPECT_EQ(read_bytes(pkg), before);
}

TEST_F(Audit, ImportedSignaturesAreLogged) {
  auto log = ws_->path("import.log");
  auto pkg = package("import.fwpkg");
  ASSERT_EQ(run({"openssl", "genpkey", "-algorithm", "ed25519", "-out", ws_->path("ext.key")}).exit_code, 0);
  ASSERT_EQ(run({"openssl", "pkey", "-in", ws_->path("ext.key"), "-pubout", "-out", ws_->path("ext.pub")}).exit_code, 0);
  ASSERT_EQ(ws_->fwseal({"sign", pkg, "--export-tbs", ws_->path("tbs.bin")}).exit_code, 0);
  auto sig = run({"openssl", "pkeyutl", "-sign", "-inkey", ws_->path("ext.key"), "-rawin", "-in", ws_->path("tbs.bin"),
                  "-out", ws_->path("ext.sig")});
  ASSERT_EQ(sig.exit_code, 0) << sig.err;
  auto r = ws_->fwseal({"sign", pkg, "--import-signature", ws_->path("ext.sig"), "--pubkey", ws_->path("ext.pub"),
                        "--audit-log", log});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = lines_of(read_bytes(log));
  ASSERT_EQ(lines.size(), 1u);
  auto rec = record(lines[0]);
  EXPECT_EQ(rec["source"], "import");
  EXPECT_EQ(rec["result"], "signed");
  EXPECT_FALSE(rec.contains("key_uri"));
  EXPECT_EQ(rec["manifest_sha256"], printed_digest(r.out));
}

TEST_F(Audit, PinNeverReachesTheLog) {
  auto log = ws_->path("pin.log");
  const std::string pin_file = ws_->path("secret-pin-file");
  fs::copy_file(ws_->path("pin"), pin_file, fs::copy_options::overwrite_existing);
  RunOptions o;
  o.unset = {"FWSEAL_PIN_FILE"};
  auto uri = ws_->key_uri("k-ed") + "?pin-source=file:" + pin_file;
  auto r = ws_->fwseal({"sign", package("ps.fwpkg"), "--key", uri, "--audit-log", log}, o);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // A refusal after login carries a message; it must not carry the PIN either.
  auto again = ws_->fwseal({"sign", ws_->path("ps.fwpkg"), "--key", uri, "--audit-log", log}, o);
  EXPECT_EQ(again.exit_code, 2);
  std::string text = read_bytes(log);
  ASSERT_EQ(lines_of(text).size(), 2u);
  EXPECT_THAT(text, Not(HasSubstr("1234-user")));
  EXPECT_THAT(text, Not(HasSubstr("pin-source")));
  EXPECT_THAT(text, Not(HasSubstr(pin_file)));
  EXPECT_EQ(record(lines_of(text)[0])["key_uri"], ws_->key_uri("k-ed"));
}

TEST_F(Audit, EachTamperingIsNamedByLine) {
  auto log = ws_->path("tamper.log");
  sign_n(log, 5);
  const auto lines = lines_of(read_bytes(log));
  ASSERT_EQ(lines.size(), 5u);
  struct Case {
    const char* name;
    std::vector<std::string> lines;
    const char* message;
  };
  auto edited = lines;
  edited[2].replace(edited[2].find("\"version\":\"1.4.2\""), 17, "\"version\":\"1.4.3\"");
  auto removed = lines;
  removed.erase(removed.begin() + 2);
  auto inserted = lines;
  inserted.insert(inserted.begin() + 2, lines[0]);
  auto swapped = lines;
  std::swap(swapped[1], swapped[2]);
  auto truncated = lines;
  truncated[4].resize(truncated[4].size() / 2);
  const std::vector<Case> cases = {
      {"edit a field", edited, "line 3 was changed"},
      {"delete a line", removed, "line 3 was removed"},
      {"insert a line", inserted, "line 3 was inserted"},
      {"swap two lines", swapped, "lines 2 and 3 are out of order"},
      {"truncate the last line", truncated, "line 5 is torn"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    write_bytes(log, joined(c.lines));
    auto v = ws_->fwseal({"audit", "verify", log});
    EXPECT_EQ(v.exit_code, 10);
    EXPECT_THAT(v.err, HasSubstr(c.message));
    EXPECT_THAT(v.err, HasSubstr(log));
    EXPECT_EQ(v.err.find('\n'), v.err.size() - 1) << "one line";
  }
  // The untouched log verifies; an anchor taken now catches a later cut of the last line.
  write_bytes(log, joined(lines));
  auto ok = ws_->fwseal({"audit", "verify", log, "--anchor", sha256_hex(lines.back())});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  write_bytes(log, joined({lines.begin(), lines.end() - 1}));
  auto cut = ws_->fwseal({"audit", "verify", log, "--anchor", sha256_hex(lines.back())});
  EXPECT_EQ(cut.exit_code, 10);
  EXPECT_THAT(cut.err, HasSubstr("no line hashes to the anchor"));
}

TEST_F(Audit, TornTailIsRepairedByTheNextSignature) {
  auto log = ws_->path("torn.log");
  sign_n(log, 2);
  auto lines = lines_of(read_bytes(log));
  std::string torn = lines[1].substr(0, 40);
  write_bytes(log, lines[0] + torn);  // as if the second writer died mid-line
  auto v = ws_->fwseal({"audit", "verify", log});
  EXPECT_EQ(v.exit_code, 10);
  EXPECT_THAT(v.err, HasSubstr("line 2 is torn: 40 bytes without a newline"));
  auto s = ws_->fwseal({"sign", package("after-torn.fwpkg"), "--key", ws_->key_uri("k-ed"), "--audit-log", log});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto after = lines_of(read_bytes(log));
  ASSERT_EQ(after.size(), 2u);
  auto rec = record(after[1]);
  EXPECT_EQ(rec["seq"], 2);
  EXPECT_EQ(rec["repaired"]["text"], torn);
  EXPECT_EQ(rec["repaired"]["offset"], lines[0].size());
  auto ok = ws_->fwseal({"audit", "verify", log});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("line 2 records a torn line that was cut off"));
}

// A child appends as fast as it can and is killed with SIGKILL at a random
// moment; the log must verify (or end in a torn line that is reported as
// such) and take the next signature.
TEST_F(Audit, KilledWriterLeavesAUsableLog) {
  auto log = ws_->path("killed.log");
  sign_n(log, 1);
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE(round);
    pid_t pid = ::fork();
    ASSERT_NE(pid, -1);
    if (pid == 0) {
      signer::AuditEvent e;
      e.package = "loop.fwpkg";
      e.key_uri = "pkcs11:token=audit;object=loop";
      e.product = "acme-cam";
      e.version = "1.4.2";
      e.result = "signed";
      for (;;) {
        auto l = signer::AuditLog::open(log);
        if (!l.ok()) ::_exit(3);
        if (!l->append(e).ok()) ::_exit(4);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + 37 * round));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped by itself: exit " << WEXITSTATUS(status);
    auto v = ws_->fwseal({"audit", "verify", log});
    if (v.exit_code != 0) {
      EXPECT_EQ(v.exit_code, 10);
      EXPECT_THAT(v.err, HasSubstr("is torn"));
    }
    auto s = ws_->fwseal({"sign", package("killed.fwpkg"), "--key", ws_->key_uri("k-ed"), "--audit-log", log});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    auto after = ws_->fwseal({"audit", "verify", log});
    ASSERT_EQ(after.exit_code, 0) << after.err;
  }
  EXPECT_GT(lines_of(read_bytes(log)).size(), 6u);
}

TEST_F(Audit, UsageErrors) {
  auto none = ws_->fwseal({"audit"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr("fwseal audit verify LOG"));
  auto anchor = ws_->fwseal({"audit", "verify", ws_->path("x.log"), "--anchor", "xyz"});
  EXPECT_EQ(anchor.exit_code, 2);
  EXPECT_THAT(anchor.err, HasSubstr("--anchor"));
  auto missing = ws_->fwseal({"audit", "verify", ws_->path("missing.log")});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_THAT(missing.err, HasSubstr("missing.log"));
}

}  // namespace
}  // namespace fwseal::test
