// End-to-end: the fwseal and fwseal-verify binaries, a real SoftHSM2 token,
// and every exit code of docs/USAGE.md with its message.
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <filesystem>

#include "support/workspace.h"

namespace fwseal::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

class Cli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ws_ = new Workspace("cli");
    ws_->keygen("k-ed", "ed25519");
    ws_->keygen("k-p256", "ecdsa-p256");
    ws_->keygen("other", "ecdsa-p256");
  }
  static void TearDownTestSuite() { delete ws_; }
  static Workspace* ws_;
};
Workspace* Cli::ws_ = nullptr;

// Replaces one byte of a file.
void poke(const std::string& path, std::size_t offset, char value) {
  std::string bytes = read_bytes(path);
  ASSERT_LT(offset, bytes.size());
  bytes[offset] = value;
  write_bytes(path, bytes);
}

TEST_F(Cli, ReleaseVerifiesWithBothVerifiers) {
  auto pkg = ws_->signed_package({"k-ed", "k-p256"});
  auto trust = ws_->trust({"k-ed", "k-p256"}, {"--threshold", "2", "--hw", "rev-b"});
  auto v = ws_->verify({pkg, "--trust", trust});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_THAT(v.out, HasSubstr("acme-cam"));
  auto f = ws_->fwseal({"verify", pkg, "--trust", trust, "--hw", "rev-b"});
  EXPECT_EQ(f.exit_code, 0) << f.err;
  // From a pipe.
  RunOptions in;
  in.stdin_file = pkg;
  auto p = ws_->verify({"-", "--trust", trust}, in);
  EXPECT_EQ(p.exit_code, 0) << p.err;
}

TEST_F(Cli, JsonReportListsEveryCheck) {
  auto pkg = ws_->signed_package({"k-ed"});
  auto trust = ws_->trust({"k-ed"});
  auto v = ws_->verify({pkg, "--trust", trust, "--json", "--hw", "rev-c"});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  auto j = nlohmann::json::parse(v.out);
  EXPECT_EQ(j["exit_code"], 0);
  EXPECT_FALSE(j["checks"].empty());
  auto bad = ws_->verify({pkg, "--trust", trust, "--json", "--hw", "rev-x"});
  EXPECT_EQ(bad.exit_code, 15);
  auto jb = nlohmann::json::parse(bad.out);
  EXPECT_EQ(jb["exit_code"], 15);
}

TEST_F(Cli, Exit2Usage) {
  auto r = ws_->fwseal({"verify", "x.fwpkg"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--trust"));
  auto pin = ws_->fwseal({"sign", "x.fwpkg", "--key", ws_->key_uri("k-ed"), "--pin", "1234-user"});
  EXPECT_EQ(pin.exit_code, 2);
  EXPECT_THAT(pin.err, HasSubstr("never taken on the command line"));
  EXPECT_THAT(pin.err, Not(HasSubstr("1234-user")));
  auto unknown = ws_->fwseal({"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("unknown command \"frobnicate\""));
  auto badopt = ws_->fwseal({"package", "--spec", "s.json", "-o", "p", "--bogus"});
  EXPECT_EQ(badopt.exit_code, 2);
  EXPECT_THAT(badopt.err, HasSubstr("unknown option --bogus"));
}

TEST_F(Cli, Exit3Io) {
  auto trust = ws_->trust({"k-ed"});
  auto r = ws_->verify({ws_->path("missing.fwpkg"), "--trust", trust});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("missing.fwpkg"));
  auto t = ws_->verify({ws_->path("missing.fwpkg"), "--trust", ws_->path("no-trust.json")});
  EXPECT_EQ(t.exit_code, 3);
  EXPECT_THAT(t.err, HasSubstr("no-trust.json"));
}

TEST_F(Cli, Exit10Malformed) {
  auto pkg = ws_->signed_package({"k-ed"}, "m.fwpkg");
  auto trust = ws_->trust({"k-ed"});
  std::string bytes = read_bytes(pkg);
  write_bytes(pkg, bytes.substr(0, bytes.size() - 1536));
  auto r = ws_->verify({pkg, "--trust", trust});
  EXPECT_EQ(r.exit_code, 10);
  EXPECT_THAT(r.err, HasSubstr("offset"));
  // Spec errors are malformed too, naming the field.
  write_bytes(ws_->path("bad-spec.json"), R"({"product":"p","version":"1","security_version":1,"hardware":["h"],
    "images":[{"name":"../escape","type":"rootfs","path":"a.bin"}]})");
  auto s = ws_->fwseal({"package", "--spec", ws_->path("bad-spec.json"), "-o", ws_->path("never.fwpkg")});
  EXPECT_EQ(s.exit_code, 10);
  EXPECT_THAT(s.err, HasSubstr("spec.images[0].name"));
  EXPECT_FALSE(fs::exists(ws_->path("never.fwpkg")));
  // A malformed trust file.
  write_bytes(ws_->path("bad-trust.json"), R"({"format":"fwseal-trust","format_version":1,"keys":[],"surprise":1})");
  auto t = ws_->verify({ws_->signed_package({"k-ed"}, "m2.fwpkg"), "--trust", ws_->path("bad-trust.json")});
  EXPECT_EQ(t.exit_code, 10);
  EXPECT_THAT(t.err, HasSubstr("surprise"));
}

TEST_F(Cli, Exit11DigestMismatch) {
  auto pkg = ws_->signed_package({"k-ed"}, "d.fwpkg");
  auto trust = ws_->trust({"k-ed"});
  std::string bytes = read_bytes(pkg);
  auto at = bytes.find(std::string(1000, 'a'));
  ASSERT_NE(at, std::string::npos);
  poke(pkg, at + 500, 'b');
  auto r = ws_->verify({pkg, "--trust", trust});
  EXPECT_EQ(r.exit_code, 11);
  EXPECT_THAT(r.err, HasSubstr("bootloader"));
  EXPECT_THAT(r.err, HasSubstr("SHA-256"));
}

TEST_F(Cli, Exit12BadSignature) {
  auto pkg = ws_->signed_package({"k-ed"}, "s.fwpkg");
  auto trust = ws_->trust({"k-ed"});
  std::string bytes = read_bytes(pkg);
  auto at = bytes.find("\"signature\":\"");
  ASSERT_NE(at, std::string::npos);
  at += 13 + 20;  // a base64 character in the middle: every bit of it is significant
  poke(pkg, at, bytes[at] == 'A' ? 'B' : 'A');
  auto r = ws_->verify({pkg, "--trust", trust});
  EXPECT_EQ(r.exit_code, 12);
  EXPECT_THAT(r.err, HasSubstr("does not verify"));
}

TEST_F(Cli, Exit13Untrusted) {
  auto pkg = ws_->signed_package({"k-ed"}, "u.fwpkg");
  auto other = ws_->trust({"other"}, {}, "other-trust.json");
  auto r = ws_->verify({pkg, "--trust", other});
  EXPECT_EQ(r.exit_code, 13);
  EXPECT_THAT(r.err, HasSubstr("not in trust.json"));
  auto unsigned_pkg = ws_->path("unsigned.fwpkg");
  ASSERT_EQ(ws_->fwseal({"package", "--spec", ws_->write_spec(), "-o", unsigned_pkg}).exit_code, 0);
  auto u = ws_->verify({unsigned_pkg, "--trust", other});
  EXPECT_EQ(u.exit_code, 13);
  EXPECT_THAT(u.err, HasSubstr("not signed"));
  // Threshold 2 with one key signing: not enough.
  auto two = ws_->trust({"k-ed", "k-p256"}, {"--threshold", "2"}, "two.json");
  auto t = ws_->verify({pkg, "--trust", two});
  EXPECT_EQ(t.exit_code, 13);
  EXPECT_THAT(t.err, HasSubstr("1 of 2"));
}

TEST_F(Cli, Exit14Rollback) {
  auto pkg = ws_->signed_package({"k-ed"}, "r.fwpkg");
  auto trust = ws_->trust({"k-ed"});
  EXPECT_EQ(ws_->verify({pkg, "--trust", trust, "--installed-security-version", "3"}).exit_code, 0);
  auto r = ws_->verify({pkg, "--trust", trust, "--installed-security-version", "4"});
  EXPECT_EQ(r.exit_code, 14);
  EXPECT_THAT(r.err, HasSubstr("3"));
  EXPECT_THAT(r.err, HasSubstr("4"));
  auto min = ws_->trust({"k-ed"}, {"--min-security-version", "5"}, "min.json");
  EXPECT_EQ(ws_->verify({pkg, "--trust", min}).exit_code, 14);
}

TEST_F(Cli, Exit15Hardware) {
  auto pkg = ws_->signed_package({"k-ed"}, "h.fwpkg");
  auto trust = ws_->trust({"k-ed"});
  auto r = ws_->verify({pkg, "--trust", trust, "--hw", "REV-B"});
  EXPECT_EQ(r.exit_code, 15);
  EXPECT_THAT(r.err, HasSubstr("REV-B"));
  auto dev = ws_->trust({"k-ed"}, {"--hw", "rev-z"}, "dev.json");
  EXPECT_EQ(ws_->verify({pkg, "--trust", dev}).exit_code, 15);
}

TEST_F(Cli, Exit20HsmFailures) {
  auto pkg = ws_->path("hsm.fwpkg");
  ASSERT_EQ(ws_->fwseal({"package", "--spec", ws_->write_spec(), "-o", pkg}).exit_code, 0);
  auto missing = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("no-such-key")});
  EXPECT_EQ(missing.exit_code, 20);
  EXPECT_THAT(missing.err, HasSubstr("no-such-key"));
  auto token = ws_->fwseal({"sign", pkg, "--key", "pkcs11:token=nope;object=k-ed"});
  EXPECT_EQ(token.exit_code, 20);
  EXPECT_THAT(token.err, HasSubstr("nope"));
  auto module = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("k-ed"), "--module", "/nonexistent/pkcs11.so"});
  EXPECT_EQ(module.exit_code, 20);
  EXPECT_THAT(module.err, HasSubstr("/nonexistent/pkcs11.so"));
}

TEST_F(Cli, Exit21LoginNeverShowsThePin) {
  auto pkg = ws_->path("login.fwpkg");
  ASSERT_EQ(ws_->fwseal({"package", "--spec", ws_->write_spec(), "-o", pkg}).exit_code, 0);
  write_bytes(ws_->path("wrong-pin"), "9999-wrong\n");
  ::chmod(ws_->path("wrong-pin").c_str(), 0600);
  RunOptions o;
  o.env = {{"FWSEAL_PIN_FILE", ws_->path("wrong-pin")}};
  auto r = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("k-ed")}, o);
  EXPECT_EQ(r.exit_code, 21);
  EXPECT_THAT(r.err, HasSubstr("CKR_PIN_INCORRECT"));
  EXPECT_THAT(r.err + r.out, Not(HasSubstr("9999-wrong")));
  RunOptions none;
  none.unset = {"FWSEAL_PIN_FILE"};
  auto n = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("k-ed")}, none);
  EXPECT_EQ(n.exit_code, 21);
  EXPECT_THAT(n.err, HasSubstr("FWSEAL_PIN_FILE"));
}

TEST_F(Cli, SameKeyTwiceIsRefused) {
  auto pkg = ws_->signed_package({"k-ed"}, "twice.fwpkg");
  auto r = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("k-ed")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("already signed"));
}

// --help and -h on every command and subcommand: its usage and its options'
// descriptions on stdout, exit 0, nothing on stderr, nothing done.
TEST_F(Cli, HelpOnEveryCommandAndVersionOnBothBinaries) {
  struct Case {
    std::vector<std::string> command;
    std::string usage;        // the start of the usage line
    std::string description;  // one option's (or subcommand's) description
  };
  const std::vector<Case> cases = {
      {{}, "usage: fwseal COMMAND [options]", "assemble a reproducible, unsigned package"},
      {{"package"}, "usage: fwseal package --spec SPEC.json --output PKG", "replace PKG if it exists"},
      {{"sign"}, "usage: fwseal sign PKG [--key URI]", "the signing key in its token"},
      {{"verify"}, "usage: fwseal verify PKG|- --trust TRUST.json", "the trust policy: trusted keys"},
      {{"inspect"}, "usage: fwseal inspect PKG [--json]", "print it as one JSON document"},
      {{"extract"}, "usage: fwseal extract PKG|- --directory DIR --trust TRUST.json", "where to write the images"},
      {{"trust"}, "usage: fwseal trust COMMAND", "write a trust policy from public keys"},
      {{"trust", "create"}, "usage: fwseal trust create --output TRUST.json", "a trusted public key"},
      {{"pipeline"}, "usage: fwseal pipeline COMMAND", "a whole release: SBOM, package, sign"},
      {{"pipeline", "run"}, "usage: fwseal pipeline run RELEASE.json", "how many steps run at once"},
      {{"pipeline", "repro"}, "usage: fwseal pipeline repro PKG --variant VARIANT.json", "keep the scratch build"},
      {{"pipeline", "provenance"}, "usage: fwseal pipeline provenance PKG --variant", "the release file"},
      {{"provenance"}, "usage: fwseal provenance COMMAND", "write a provenance statement"},
      {{"provenance", "create"}, "usage: fwseal provenance create --spec SPEC.json --package PKG --key URI",
       "the build's id"},
      {{"audit"}, "usage: fwseal audit COMMAND", "check the log's hash chain"},
      {{"audit", "verify"}, "usage: fwseal audit verify LOG", "a head printed earlier"},
      {{"sbom"}, "usage: fwseal sbom COMMAND", "generate the CycloneDX SBOM"},
      {{"sbom", "generate"}, "usage: fwseal sbom generate --product NAME --version V", "add SHA-512 digests"},
      {{"sbom", "validate"}, "usage: fwseal sbom validate SBOM", "the SBOM file"},
      {{"sbom", "diff"}, "usage: fwseal sbom diff OLD NEW", "an SBOM file or a package"},
      {{"sbom", "check"}, "usage: fwseal sbom check SBOM|PKG --policy POLICY.json", "the licence policy"},
      {{"sbom", "extract"}, "usage: fwseal sbom extract PKG", "write the SBOM there instead of stdout"},
      {{"inventory"}, "usage: fwseal inventory COMMAND", "which releases carry a component"},
      {{"inventory", "add"}, "usage: fwseal inventory add PKG... --trust TRUST.json", "replace a release already there"},
      {{"inventory", "add-sbom"}, "usage: fwseal inventory add-sbom SBOM --product P --version V", "the release's version"},
      {{"inventory", "query"}, "usage: fwseal inventory query", "exit 4 when a release carries it"},
      {{"inventory", "product"}, "usage: fwseal inventory product NAME --launched DATE", "discontinuation date"},
      {{"inventory", "lifecycle"}, "usage: fwseal inventory lifecycle FILE", "the lifecycle file"},
      {{"inventory", "advisories"}, "usage: fwseal inventory advisories COMMAND", "import advisories: OSV"},
      {{"inventory", "advisories", "import"}, "usage: fwseal inventory advisories import PATH...", "an advisory file"},
      {{"inventory", "scan"}, "usage: fwseal inventory scan", "only advisories of the newest import"},
      {{"inventory", "triage"}, "usage: fwseal inventory triage VULN --status S", "why not affected"},
      {{"inventory", "statements"}, "usage: fwseal inventory statements", "the inventory: sqlite:PATH"},
      {{"inventory", "vex"}, "usage: fwseal inventory vex COMMAND", "write a release's VEX document"},
      {{"inventory", "vex", "import"}, "usage: fwseal inventory vex import FILE...", "a VEX document"},
      {{"inventory", "vex", "export"}, "usage: fwseal inventory vex export P@V --format FORMAT", "cyclonedx or openvex"},
      {{"inventory", "list"}, "usage: fwseal inventory list", "only this product's releases"},
      {{"inventory", "diff"}, "usage: fwseal inventory diff PRODUCT FROM TO", "the older version"},
      {{"inventory", "report"}, "usage: fwseal inventory report --html --output FILE", "the page to write"},
      {{"ca"}, "usage: fwseal ca COMMAND", "make a self-signed root certificate"},
      {{"ca", "self-sign"}, "usage: fwseal ca self-sign --subject DN --ca-key URI --output ROOT.pem", "validity in days"},
      {{"ca", "issue"}, "usage: fwseal ca issue --ca-cert CA.pem --subject DN", "an extended key usage"},
      {{"ca", "crl"}, "usage: fwseal ca crl --ca-cert CA.pem --ca-key URI --output CRL.pem", "a serial number to revoke"},
      {{"hsm"}, "usage: fwseal hsm COMMAND", "generate a key pair inside the token"},
      {{"hsm", "init"}, "usage: fwseal hsm init --token NAME", "the token's label"},
      {{"hsm", "keygen"}, "usage: fwseal hsm keygen --key URI --alg ALG", "ecdsa-p256, ecdsa-p384, ed25519"},
      {{"hsm", "list"}, "usage: fwseal hsm list [--token NAME]", "only this token's keys"},
      {{"hsm", "pubkey"}, "usage: fwseal hsm pubkey --key URI", "write the PEM there instead of stdout"},
  };
  for (const auto& c : cases) {
    for (const std::string help : {"--help", "-h"}) {
      std::vector<std::string> args = c.command;
      args.push_back(help);
      SCOPED_TRACE(::testing::PrintToString(args));
      auto r = ws_->fwseal(args);
      EXPECT_EQ(r.exit_code, 0) << r.err;
      EXPECT_THAT(r.out, ::testing::StartsWith(c.usage));
      EXPECT_THAT(r.out, HasSubstr(c.description));
      EXPECT_THAT(r.out, HasSubstr("-h, --help"));
      EXPECT_EQ(r.err, "");
    }
    // fwseal help CMD [SUB] prints the same.
    std::vector<std::string> help_args{"help"};
    help_args.insert(help_args.end(), c.command.begin(), c.command.end());
    auto h = ws_->fwseal(help_args);
    EXPECT_EQ(h.exit_code, 0);
    std::vector<std::string> args = c.command;
    args.push_back("--help");
    EXPECT_EQ(h.out, ws_->fwseal(args).out);
  }
  // --help wins over what would otherwise be done: nothing is written.
  auto nothing = ws_->fwseal({"package", "--spec", ws_->write_spec("help-spec.json"), "-o", ws_->path("help.fwpkg"), "--help"});
  EXPECT_EQ(nothing.exit_code, 0);
  EXPECT_FALSE(exists(ws_->path("help.fwpkg")));
  // A mistake still is one: exit 2, one line naming it, then the usage.
  auto wrong = ws_->fwseal({"package", "--bogus"});
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_THAT(wrong.err, ::testing::StartsWith("fwseal: unknown option --bogus\nusage: fwseal package --spec SPEC.json"));
  EXPECT_EQ(wrong.out, "");
  auto help_bogus = ws_->fwseal({"help", "frobnicate"});
  EXPECT_EQ(help_bogus.exit_code, 2);
  EXPECT_THAT(help_bogus.err, HasSubstr("unknown command \"frobnicate\""));
  auto missing = ws_->fwseal({"package", "-o", ws_->path("m.fwpkg")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, ::testing::StartsWith("fwseal: missing --spec\nusage: fwseal package"));
  auto nested = ws_->fwseal({"hsm", "keygen", "--alg", "ed25519", "--bogus"});
  EXPECT_EQ(nested.exit_code, 2);
  EXPECT_THAT(nested.err, ::testing::StartsWith("fwseal: unknown option --bogus\nusage: fwseal hsm keygen --key URI"));
  // Under --json the failure document too, on stdout.
  auto json = ws_->fwseal({"inspect", "x.fwpkg", "--json", "--bogus"});
  EXPECT_EQ(json.exit_code, 2);
  EXPECT_EQ(nlohmann::json::parse(json.out)["message"], "unknown option --bogus");
  EXPECT_THAT(json.err, HasSubstr("usage: fwseal inspect PKG"));
  // Short forms: -o, -q, -f, -k are --output, --quiet, --force, --key.
  auto spec = ws_->write_spec("short-spec.json");
  auto short_forms = ws_->fwseal({"package", "--spec", spec, "-o", ws_->path("short.fwpkg"), "-q", "-f"});
  EXPECT_EQ(short_forms.exit_code, 0) << short_forms.err;
  EXPECT_EQ(short_forms.out, "");
  EXPECT_TRUE(exists(ws_->path("short.fwpkg")));
  auto signed_short = ws_->fwseal({"sign", ws_->path("short.fwpkg"), "-k", ws_->key_uri("k-ed"), "-q"});
  EXPECT_EQ(signed_short.exit_code, 0) << signed_short.err;
  EXPECT_EQ(signed_short.out, "");

  EXPECT_THAT(ws_->fwseal({"--version"}).out, ::testing::MatchesRegex("fwseal [0-9]+\\.[0-9]+\\.[0-9]+\n"));
  auto v = ws_->verify({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_THAT(v.out, ::testing::MatchesRegex("fwseal-verify [0-9]+\\.[0-9]+\\.[0-9]+\n"));
  auto vh = ws_->verify({"-h"});
  EXPECT_EQ(vh.exit_code, 0);
  EXPECT_THAT(vh.out, ::testing::StartsWith("usage: fwseal-verify PKG|- --trust TRUST.json"));
  EXPECT_EQ(vh.err, "");
}

// Runs `fwseal ARGS...` on a pseudo-terminal with no PIN in the environment,
// typing `lines` one after another whenever it asks; returns the exit code
// and everything it wrote to the terminal.
std::pair<int, std::string> on_a_terminal(const Workspace& ws, std::vector<std::string> args,
                                          const std::vector<std::string>& lines) {
  int master = -1;
  pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    for (const auto& [k, v] : ws.env().env) ::setenv(k.c_str(), v.c_str(), 1);
    ::unsetenv("FWSEAL_PIN_FILE");
    ::unsetenv("FWSEAL_PIN");
    std::string b = bin("fwseal");
    std::vector<char*> argv{b.data()};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(b.c_str(), argv.data());
    ::_exit(127);
  }
  std::string seen;
  std::size_t typed = 0, prompts = 0;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the child has exited
    seen.append(buf, static_cast<std::size_t>(n));
    std::size_t asked = 0;
    for (std::size_t at = 0; (at = seen.find("PIN for token", at)) != std::string::npos; ++at) ++asked;
    while (prompts < asked && typed < lines.size()) {
      const std::string line = lines[typed++] + "\n";
      (void)!::write(master, line.data(), line.size());
      ++prompts;
    }
  }
  ::close(master);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), seen};
}

// A module that does not start says why, as far as fwseal can tell.
TEST_F(Cli, CInitializeFailureNamesTheLikelyCause) {
  // A home without fwseal's own tokens: the module's configuration comes from SOFTHSM2_CONF.
  const std::string empty_home = ws_->dir().mkdir("empty-home");
  RunOptions missing;
  missing.env["FWSEAL_HOME"] = empty_home;
  missing.env["SOFTHSM2_CONF"] = ws_->path("no-such.conf");
  auto r = ws_->fwseal({"hsm", "list"}, missing);
  EXPECT_EQ(r.exit_code, 20);
  EXPECT_THAT(r.err, HasSubstr("C_Initialize: CKR_GENERAL_ERROR; likely cause: the SoftHSM2 configuration " +
                               ws_->path("no-such.conf") + " cannot be read (No such file or directory)"));
  write_bytes(ws_->path("bad.conf"), "directories.tokendir = " + ws_->path("no-such-dir") + "\n");
  RunOptions bad;
  bad.env["FWSEAL_HOME"] = empty_home;
  bad.env["SOFTHSM2_CONF"] = ws_->path("bad.conf");
  auto b = ws_->fwseal({"hsm", "list"}, bad);
  EXPECT_EQ(b.exit_code, 20);
  EXPECT_THAT(b.err, HasSubstr("likely cause: the token directory " + ws_->path("no-such-dir") +
                               " (directories.tokendir in " + ws_->path("bad.conf") + ") does not exist"));
}

// A PIN typed at the terminal is asked again after a wrong one, three times in all.
TEST_F(Cli, AWrongPinTypedAtTheTerminalIsAskedAgain) {
  const std::string pin = read_bytes(ws_->path("pin"));
  const std::string right = pin.substr(0, pin.find('\n'));
  const std::string pkg = ws_->signed_package({}, "prompt.fwpkg");
  auto [code, seen] = on_a_terminal(*ws_, {"sign", pkg, "--key", ws_->key_uri("k-ed")}, {"wrong-1", right});
  EXPECT_EQ(code, 0) << seen;
  EXPECT_THAT(seen, HasSubstr("Wrong PIN. PIN for token \"" + ws_->token() + "\" (attempt 2 of 3): "));
  EXPECT_EQ(seen.find(right), std::string::npos) << "the PIN was echoed";

  const std::string pkg2 = ws_->signed_package({}, "prompt2.fwpkg");
  auto [code2, seen2] = on_a_terminal(*ws_, {"sign", pkg2, "--key", ws_->key_uri("k-ed")}, {"no-1", "no-2", "no-3"});
  EXPECT_EQ(code2, 21) << seen2;
  EXPECT_THAT(seen2, HasSubstr("(attempt 3 of 3)"));
  EXPECT_THAT(seen2, HasSubstr("the PIN typed at the terminal, 3 times"));
}

TEST_F(Cli, InspectSaysItIsUnverified) {
  auto pkg = ws_->signed_package({"k-ed"}, "i.fwpkg");
  auto r = ws_->fwseal({"inspect", pkg});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("UNVERIFIED"));
  EXPECT_THAT(r.out, HasSubstr("rootfs"));
  auto j = ws_->fwseal({"inspect", pkg, "--json"});
  ASSERT_EQ(j.exit_code, 0);
  auto parsed = nlohmann::json::parse(j.out);
  EXPECT_EQ(parsed["verified"], false);
  EXPECT_EQ(parsed["images"].size(), 3u);
  EXPECT_EQ(parsed["package_format_version"], 2);
  EXPECT_EQ(parsed["format"], "fwseal-inspect");
  EXPECT_EQ(parsed["format_version"], 1);
  EXPECT_EQ(parsed["signature_space"], 16384);
  EXPECT_THAT(r.out, HasSubstr("format            version 2 (signatures first; 16384 bytes reserved for them)\n"));
}

// A spec's signature_space sizes the area signing fills in place; a package
// whose area is full refuses another signature, exit 2, and stays as it was.
TEST_F(Cli, SignatureSpaceFromTheSpecAndAFullArea) {
  auto spec_text = read_bytes(ws_->write_spec("small-space.json"));
  auto at = spec_text.find('{');
  spec_text.insert(at + 1, "\"signature_space\": 512,");
  write_bytes(ws_->path("small-space.json"), spec_text);
  const std::string pkg = ws_->path("small.fwpkg");
  auto made = ws_->fwseal({"package", "--spec", ws_->path("small-space.json"), "-o", pkg});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ASSERT_EQ(ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("k-ed")}).exit_code, 0);
  const std::string before = read_bytes(pkg);
  ws_->keygen("k-rsa", "rsa-pss-3072");  // a 384-byte signature: no room left beside the Ed25519 one
  auto full = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("k-rsa")});
  EXPECT_EQ(full.exit_code, 2) << full.err;
  EXPECT_THAT(full.err, HasSubstr("more than the 512 the package reserves (its signature_space): package it again "
                                  "with a larger signature_space"));
  EXPECT_EQ(read_bytes(pkg), before);
  auto j = nlohmann::json::parse(ws_->fwseal({"inspect", pkg, "--json"}).out);
  EXPECT_EQ(j["signature_space"], 512);

  spec_text.replace(spec_text.find("\"signature_space\": 512,"), 24, "\"signature_space\": 1000,");
  write_bytes(ws_->path("small-space.json"), spec_text);
  auto bad = ws_->fwseal({"package", "--spec", ws_->path("small-space.json"), "-o", ws_->path("bad.fwpkg")});
  EXPECT_EQ(bad.exit_code, 10);
  EXPECT_THAT(bad.err, HasSubstr("spec.signature_space: 1000 must be a multiple of 512 from 512 to 1048576"));
}

TEST_F(Cli, NoCreatedTimeIsSaidNotShownAs1970) {
  auto spec_text = read_bytes(ws_->write_spec());
  auto at = spec_text.find("\"created\": 1790000000,");
  ASSERT_NE(at, std::string::npos);
  spec_text.erase(at, std::string("\"created\": 1790000000,").size());
  write_bytes(ws_->path("no-created.json"), spec_text);
  auto pkg = ws_->path("no-created.fwpkg");
  auto p = ws_->fwseal({"package", "--spec", ws_->path("no-created.json"), "-o", pkg});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_THAT(p.err, HasSubstr("fwseal: note: created is 0 (not recorded): give the spec a `created` time or set "
                               "SOURCE_DATE_EPOCH"));
  auto r = ws_->fwseal({"inspect", pkg});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("created           not recorded (created 0: no time given by the spec or SOURCE_DATE_EPOCH)"));
  EXPECT_THAT(r.out, Not(HasSubstr("1970")));
  auto j = ws_->fwseal({"inspect", pkg, "--json"});
  ASSERT_EQ(j.exit_code, 0);
  EXPECT_TRUE(nlohmann::json::parse(j.out)["created"].is_null());
  // With SOURCE_DATE_EPOCH, no note and the time itself.
  RunOptions sde;
  sde.env = {{"SOURCE_DATE_EPOCH", "1790000000"}};
  auto q = ws_->fwseal({"package", "--spec", ws_->path("no-created.json"), "-o", ws_->path("sde.fwpkg")}, sde);
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_THAT(q.err, Not(HasSubstr("note:")));
  EXPECT_THAT(ws_->fwseal({"inspect", ws_->path("sde.fwpkg")}).out, HasSubstr("created           2026-09-21T14:13:20Z"));
}

TEST_F(Cli, AFileOfTheWrongKindIsNamedForWhatItIs) {
  auto pkg = ws_->signed_package({"k-ed"}, "kind.fwpkg");
  auto trust = ws_->trust({"k-ed"});
  auto spec = ws_->write_spec("kind-spec.json");
  auto dir = ws_->dir().mkdir("kind-dir");
  struct Case {
    std::vector<std::string> args;
    bool standalone;
    int exit_code;
    std::string message;  // the whole first line of stderr, up to " (read as" where that follows
  };
  const std::vector<Case> cases = {
      {{spec, "--trust", trust}, true, 10, "fwseal-verify: \"" + spec + "\" is a package spec, not an fwseal package"},
      {{trust, "--trust", trust}, true, 10, "fwseal-verify: \"" + trust + "\" is a trust policy, not an fwseal package"},
      {{dir, "--trust", trust}, true, 3, "fwseal-verify: \"" + dir + "\" is a directory, not an fwseal package"},
      {{pkg, "--trust", spec}, true, 10, "fwseal-verify: \"" + spec + "\" is a package spec, not a trust policy"},
      {{"package", "--spec", pkg, "-o", ws_->path("never.fwpkg")}, false, 10,
       "fwseal: \"" + pkg + "\" is an fwseal package, not a package spec"},
      {{"pipeline", "run", pkg}, false, 10, "fwseal: \"" + pkg + "\" is an fwseal package, not a release file"},
      {{"pipeline", "run", spec}, false, 10, "fwseal: \"" + spec + "\" is a package spec, not a release file"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.args[0] + " " + c.args[1]);
    auto r = c.standalone ? ws_->verify(c.args) : ws_->fwseal(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << r.err;
    EXPECT_EQ(r.err.substr(0, r.err.find(" (read as ")), c.message + (r.err.find(" (read as ") == std::string::npos ? "\n" : ""));
  }
  EXPECT_FALSE(exists(ws_->path("never.fwpkg")));
  // A package of the right kind keeps its own message.
  write_bytes(ws_->path("cut.fwpkg"), read_bytes(pkg).substr(0, 700));
  auto cut = ws_->verify({ws_->path("cut.fwpkg"), "--trust", trust});
  EXPECT_EQ(cut.exit_code, 10);
  EXPECT_THAT(cut.err, HasSubstr("(truncated): it has 700 bytes, at least "));
}

TEST_F(Cli, ExtractWritesOnlyAValidPackage) {
  auto pkg = ws_->signed_package({"k-ed"}, "x.fwpkg");
  auto trust = ws_->trust({"k-ed"});
  fs::create_directories(ws_->path("out-ok"));
  auto r = ws_->fwseal({"extract", pkg, "-C", ws_->path("out-ok"), "--trust", trust});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_bytes(ws_->path("out-ok/bootloader")), std::string(1000, 'a'));
  EXPECT_EQ(read_bytes(ws_->path("out-ok/config")), "c");

  std::string bytes = read_bytes(pkg);
  poke(pkg, bytes.find(std::string(1000, 'a')) + 10, 'z');
  fs::create_directories(ws_->path("out-bad"));
  auto bad = ws_->fwseal({"extract", pkg, "-C", ws_->path("out-bad"), "--trust", trust});
  EXPECT_EQ(bad.exit_code, 11);
  EXPECT_TRUE(fs::is_empty(ws_->path("out-bad")));
}

TEST_F(Cli, PublicKeyAndListShowTheKeyId) {
  auto list = ws_->fwseal({"hsm", "list", "--token", "cli"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("k-ed"));
  EXPECT_THAT(list.out, HasSubstr("ed25519"));
  auto pem = read_bytes(ws_->path("k-ed.pub.pem"));
  EXPECT_THAT(pem, HasSubstr("-----BEGIN PUBLIC KEY-----"));
}

}  // namespace
}  // namespace fwseal::test
