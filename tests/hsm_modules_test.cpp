// Issue 14, point 5, "Any PKCS#11 token": key generation, signing and
// fwseal-verify through modules other than SoftHSM2 loaded directly, and what
// `hsm list` says of every key. Three modules besides SoftHSM2 itself:
//   - p11-kit's proxy, loading SoftHSM2 as a registered p11-kit module;
//   - tpm2-pkcs11 over swtpm, started by the swtpm_token fixture
//     (tests/tools/swtpm_token.sh) in a directory of its own;
//   - openCryptoki's soft token, its daemon started by
//     tests/tools/opencryptoki_token.sh, which runs the ThroughOpenCryptoki
//     tests (hsm_modules_opencryptoki_test; hsm_modules_test leaves them out).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "support/workspace.h"

namespace fwseal::test {
namespace {

using ::testing::HasSubstr;

// Debian's p11-kit-modules, on this machine's architecture.
std::string proxy_module() {
  for (const char* p : {"/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so", "/usr/lib/aarch64-linux-gnu/p11-kit-proxy.so"})
    if (::access(p, R_OK) == 0) return p;
  return {};
}

// Runs fwseal with `extra` on top of the workspace's environment.
class Modules : public ::testing::Test {
 protected:
  RunResult fwseal(const std::vector<std::string>& args) const {
    RunOptions o;
    o.env = extra_;
    return ws_.fwseal(args, o);
  }
  // keygen, pubkey, package, sign, trust, verify: the whole way for one key.
  void signs_and_verifies(const std::string& uri, const std::string& alg, const std::string& name) {
    SCOPED_TRACE(uri + " " + alg);
    auto gen = fwseal({"hsm", "keygen", "--module", module_, "--key", uri, "--alg", alg});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    EXPECT_THAT(gen.out, HasSubstr("uri pkcs11:"));
    auto pub = fwseal({"hsm", "pubkey", "--module", module_, "--key", uri, "-o", ws_.path(name + ".pub.pem")});
    ASSERT_EQ(pub.exit_code, 0) << pub.err;
    const std::string pkg = ws_.path(name + ".fwpkg");
    auto p = fwseal({"package", "--spec", ws_.write_spec(), "-o", pkg, "--force"});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    auto s = fwseal({"sign", pkg, "--module", module_, "--key", uri});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    auto v = ws_.verify({pkg, "--trust", ws_.trust({name}, {}, name + ".trust.json")});
    EXPECT_EQ(v.exit_code, 0) << v.err;
  }
  // `hsm list` of `token` (`token_in_uri` in a URI) shows a key fwseal made,
  // labelled `good`, with its algorithm and a URI that names it, and one that
  // OpenSC's pkcs11-tool made and fwseal cannot sign with (RSA 1024, labelled
  // `small`), with why; the PIN is FWSEAL_PIN_FILE's.
  void lists_every_key(const std::string& token, const std::string& token_in_uri, const std::string& good,
                       const std::string& alg, const std::string& small) {
    const std::string good_uri = "pkcs11:token=" + token_in_uri + ";object=" + good;
    auto gen = fwseal({"hsm", "keygen", "--module", module_, "--key", good_uri, "--alg", alg});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    std::ifstream pin_file(extra_.at("FWSEAL_PIN_FILE"));
    std::string pin;
    std::getline(pin_file, pin);
    RunOptions tool;
    tool.env = extra_;
    auto made = run({"pkcs11-tool", "--module", module_, "--token-label", token, "--login", "--pin", pin,
                     "--keypairgen", "--key-type", "rsa:1024", "--label", small},
                    tool);
    ASSERT_EQ(made.exit_code, 0) << made.err;

    auto list = fwseal({"hsm", "list", "--module", module_, "--token", token, "--json"});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    auto j = nlohmann::ordered_json::parse(list.out);  // keeps the members' order
    EXPECT_EQ(j["format"], "fwseal-hsm-list");
    EXPECT_EQ(j["format_version"], 1);
    EXPECT_EQ(j["exit_code"], 0);
    bool saw_good = false, saw_small = false;
    for (const auto& k : j["keys"]) {
      std::vector<std::string> members;
      for (const auto& [name, value] : k.items()) members.push_back(name);
      EXPECT_EQ(members,  // every member, keys sorted (docs/JSON.md)
                (std::vector<std::string>{"algorithm", "id", "key_id", "label", "reason", "token", "uri", "usable"}));
      if (k["label"] == good) {
        saw_good = true;
        EXPECT_EQ(k["algorithm"], alg);
        EXPECT_EQ(k["reason"], nullptr);
        // The URI as listed names the key: pubkey takes it as it is.
        auto pub = fwseal({"hsm", "pubkey", "--module", module_, "--key", k["uri"].get<std::string>()});
        EXPECT_EQ(pub.exit_code, 0) << k["uri"] << ": " << pub.err;
      }
      if (k["label"] == small) {
        saw_small = true;
        EXPECT_EQ(k["usable"], false);
        EXPECT_EQ(k["algorithm"], nullptr);
        EXPECT_THAT(k["reason"].get<std::string>(), HasSubstr("RSA key of 1024 bits is not supported (3072 or 4096)"));
      }
    }
    EXPECT_TRUE(saw_good && saw_small) << list.out;

    auto text = fwseal({"hsm", "list", "--module", module_, "--token", token});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_THAT(text.out, HasSubstr("unusable"));
    EXPECT_THAT(text.out, HasSubstr("  reason RSA key of 1024 bits is not supported"));
    EXPECT_THAT(text.out, HasSubstr("  uri    pkcs11:"));
    EXPECT_THAT(text.out, HasSubstr("token=" + token_in_uri));
  }
  // A fixture's directory (FWSEAL_TEST_SWTPM, FWSEAL_TEST_OPENCRYPTOKI): its
  // env file's variables, its PIN file and `module` (a variable of env) for
  // fwseal, the directory as HOME.
  void use_fixture(const char* variable, const std::string& module) {
    const char* dir = std::getenv(variable);
    ASSERT_TRUE(dir && *dir) << variable << " is unset: run through ctest (tests/CMakeLists.txt)";
    std::ifstream env(std::string(dir) + "/env");
    for (std::string line; std::getline(env, line);)
      if (auto eq = line.find('='); eq != std::string::npos) extra_[line.substr(0, eq)] = line.substr(eq + 1);
    ASSERT_TRUE(extra_.count(module)) << "no " << module << " in " << dir << "/env: did the fixture start?";
    module_ = extra_[module];
    extra_["HOME"] = dir;
    extra_["FWSEAL_PIN_FILE"] = std::string(dir) + "/pin";
  }
  Workspace ws_{"soft"};
  std::string module_;
  std::map<std::string, std::string> extra_;
};

// p11-kit reads module configurations from ~/.config/pkcs11/modules too: a
// HOME of the test's own registers SoftHSM2 there, and keeps the proxy from
// the other modules Debian registers (tpm2-pkcs11 would look for a TPM).
class ThroughP11KitProxy : public Modules {
 protected:
  void SetUp() override {
    module_ = proxy_module();
    if (module_.empty()) GTEST_FAIL() << "p11-kit-proxy.so is missing: scripts/setup.sh installs p11-kit-modules";
    const std::string home = ws_.dir().mkdir("home");
    const std::string modules = home + "/.config/pkcs11/modules";
    std::filesystem::create_directories(modules);
    std::ofstream(modules + "/softhsm2.module") << "module: /usr/lib/softhsm/libsofthsm2.so\n";
    for (const char* other : {"tpm2_pkcs11", "opensc-pkcs11", "p11-kit-trust"})
      std::ofstream(modules + "/" + other + ".module") << "disable-in: p11-kit-proxy\n";
    extra_ = {{"HOME", home}, {"XDG_CONFIG_HOME", home + "/.config"}};
  }
};

// SOFTHSM2_CONF is neither exported nor needed: fwseal points SoftHSM2 at
// FWSEAL_HOME's tokens whatever module loads it. Every algorithm fwseal
// signs with, all of which SoftHSM2 offers.
TEST_F(ThroughP11KitProxy, KeygenSignAndVerifyWithoutSoftHsm2Conf) {
  const std::vector<std::string> algs{"ecdsa-p256", "ecdsa-p384", "ed25519", "rsa-pss-3072", "rsa-pss-4096"};
  for (const auto& alg : algs) signs_and_verifies("pkcs11:token=soft;object=proxy-" + alg, alg, "proxy-" + alg);
  auto list = fwseal({"hsm", "list", "--module", module_, "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto j = nlohmann::json::parse(list.out);
  ASSERT_EQ(j["keys"].size(), algs.size());
  std::vector<std::string> listed;
  for (const auto& k : j["keys"]) {
    EXPECT_EQ(k["usable"], true) << k.dump();
    EXPECT_EQ(k["label"], "proxy-" + k["algorithm"].get<std::string>()) << k.dump();
    listed.push_back(k["algorithm"]);
  }
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(listed, algs);
}

// SoftHSM2 loaded directly, from the command line: `hsm init --token "dev
// token"` followed by `hsm list --token "dev token"` once looked for
// "devtoken". Reserved characters and UTF-8 in both labels; the URI that
// list prints is the one to sign with.
TEST_F(Modules, ReservedCharactersInLabelsFromInitToVerify) {
  const std::string token = "dev tok;/%\xc3\xbc";
  ASSERT_EQ(fwseal({"hsm", "init", "--token", token}).exit_code, 0);
  const std::string typed = "pkcs11:token=dev%20tok%3B%2F%25%C3%BC;object=fw%20key%3B%2F%25%3F%23%C3%A9";
  auto gen = fwseal({"hsm", "keygen", "--key", typed, "--alg", "ecdsa-p256"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  auto list = fwseal({"hsm", "list", "--token", token, "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto j = nlohmann::json::parse(list.out);
  ASSERT_EQ(j["keys"].size(), 1u) << list.out;
  EXPECT_EQ(j["keys"][0]["token"], token);
  EXPECT_EQ(j["keys"][0]["label"], "fw key;/%?#\xc3\xa9");
  const std::string uri = j["keys"][0]["uri"];
  EXPECT_THAT(gen.out, HasSubstr("uri " + uri));
  auto pub = fwseal({"hsm", "pubkey", "--key", uri, "-o", ws_.path("named.pub.pem")});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  const std::string pkg = ws_.path("named.fwpkg");
  ASSERT_EQ(fwseal({"package", "--spec", ws_.write_spec(), "-o", pkg}).exit_code, 0);
  auto s = fwseal({"sign", pkg, "--key", uri});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(ws_.verify({pkg, "--trust", ws_.trust({"named"}, {}, "named.trust.json")}).exit_code, 0);
}

// URIs as cosign prints them (slot-id=) and as p11-kit names modules
// (module-name=); refused attributes are named.
TEST_F(Modules, SlotIdAndModuleNameFromTheCommandLine) {
  ws_.keygen("k-slot", "ed25519");
  auto list = fwseal({"hsm", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto missing = fwseal({"hsm", "pubkey", "--key", "pkcs11:slot-id=4242;object=k-slot"});
  EXPECT_EQ(missing.exit_code, 20);
  EXPECT_THAT(missing.err, HasSubstr("no token in slot-id 4242"));
  // The slot the token is in, from the message that lists the tokens.
  auto slot_at = missing.err.find("\"soft\" (slot-id ");
  ASSERT_NE(slot_at, std::string::npos) << missing.err;
  const std::string slot = missing.err.substr(slot_at + 16, missing.err.find(')', slot_at) - slot_at - 16);
  auto by_slot = fwseal({"hsm", "pubkey", "--key", "pkcs11:slot-id=" + slot + ";object=k-slot?module-name=softhsm2"});
  EXPECT_EQ(by_slot.exit_code, 0) << by_slot.err;
  EXPECT_EQ(by_slot.out, read_bytes(ws_.path("k-slot.pub.pem")));
  auto desc = fwseal({"hsm", "pubkey", "--key", "pkcs11:token=soft;slot-description=x;object=k-slot"});
  EXPECT_EQ(desc.exit_code, 2);
  EXPECT_THAT(desc.err, HasSubstr("slot-description is not supported"));
  auto unknown = fwseal({"hsm", "pubkey", "--key", "pkcs11:token=soft;object=k-slot?module-name=no-such-hsm"});
  EXPECT_EQ(unknown.exit_code, 20);
  EXPECT_THAT(unknown.err, HasSubstr("module-name \"no-such-hsm\": no PKCS#11 module of that name"));
}

// The swtpm fixture's token, through tpm2-pkcs11.
class ThroughTpm2Pkcs11 : public Modules {
 protected:
  void SetUp() override {
    use_fixture("FWSEAL_TEST_SWTPM", "FWSEAL_TEST_TPM2_MODULE");
    extra_["TSS2_LOG"] = "all+none";
    suffix_ = "-" + std::to_string(::getpid());  // the token lives as long as the fixture
  }
  std::string uri(const std::string& object) const { return "pkcs11:token=fwseal%20tpm;object=" + object + suffix_; }
  std::string suffix_;
};

// RSA-PSS and both NIST curves; the strict module refuses templates that deny
// decryption, so fwseal asks only for signing there.
TEST_F(ThroughTpm2Pkcs11, KeygenSignAndVerifyEveryAlgorithmTheTokenOffers) {
  for (const char* alg : {"rsa-pss-3072", "ecdsa-p256", "ecdsa-p384"})
    signs_and_verifies(uri(std::string("tpm-") + alg), alg, std::string("tpm-") + alg);
}

TEST_F(ThroughTpm2Pkcs11, UnsupportedAlgorithmSaysSo) {
  auto r = fwseal({"hsm", "keygen", "--module", module_, "--key", uri("tpm-ed"), "--alg", "ed25519"});
  EXPECT_EQ(r.exit_code, 20);
  EXPECT_THAT(r.err, HasSubstr("CKR_MECHANISM_INVALID (the module does not support this algorithm)"));
}

// A key made by another tool that fwseal cannot sign with is listed, with why.
TEST_F(ThroughTpm2Pkcs11, ListShowsEveryKeyWithItsAlgorithmOrWhyNot) {
  lists_every_key("fwseal tpm", "fwseal%20tpm", "tpm-list" + suffix_, "ecdsa-p256", "small" + suffix_);
}

// openCryptoki's soft token, through its PKCS#11 library: the
// hsm_modules_opencryptoki_test runs this test's ThroughOpenCryptoki tests in
// namespaces of their own (tests/tools/opencryptoki_token.sh), where the
// token's daemon and store are the script's.
class ThroughOpenCryptoki : public Modules {
 protected:
  void SetUp() override { use_fixture("FWSEAL_TEST_OPENCRYPTOKI", "FWSEAL_TEST_OCK_MODULE"); }
  static std::string uri(const std::string& object) { return "pkcs11:token=fwseal%20ock;object=" + object; }
};

// openCryptoki 3.8's soft token offers RSA-PSS (1024 to 4096 bits) and no
// elliptic curves.
TEST_F(ThroughOpenCryptoki, KeygenSignAndVerifyEveryAlgorithmTheTokenOffers) {
  const std::vector<std::string> algs{"rsa-pss-3072", "rsa-pss-4096"};
  for (const std::string& alg : algs) signs_and_verifies(uri("ock-" + alg), alg, "ock-" + alg);
  // list names each key's algorithm, and its URI gives the public key signed with.
  auto list = fwseal({"hsm", "list", "--module", module_, "--token", "fwseal ock", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  std::vector<std::string> listed;
  const auto keys = nlohmann::json::parse(list.out)["keys"];
  for (const auto& k : keys) {
    const std::string label = k["label"];
    if (!label.starts_with("ock-rsa")) continue;
    listed.push_back(k["algorithm"]);
    EXPECT_EQ("ock-" + k["algorithm"].get<std::string>(), label);
    auto pub = fwseal({"hsm", "pubkey", "--module", module_, "--key", k["uri"].get<std::string>()});
    EXPECT_EQ(pub.exit_code, 0) << k["uri"] << ": " << pub.err;
    EXPECT_EQ(pub.out, read_bytes(ws_.path(label + ".pub.pem"))) << label;
  }
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(listed, algs) << list.out;
}

TEST_F(ThroughOpenCryptoki, UnsupportedAlgorithmsSaySo) {
  for (const char* alg : {"ecdsa-p256", "ecdsa-p384", "ed25519"}) {
    auto r = fwseal({"hsm", "keygen", "--module", module_, "--key", uri(std::string("ock-") + alg), "--alg", alg});
    EXPECT_EQ(r.exit_code, 20) << alg;
    EXPECT_THAT(r.err, HasSubstr("CKR_MECHANISM_INVALID (the module does not support this algorithm)")) << alg;
  }
  // Nothing is left of the refused keys.
  auto list = fwseal({"hsm", "list", "--module", module_, "--token", "fwseal ock", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const auto keys = nlohmann::json::parse(list.out)["keys"];
  for (const auto& k : keys)
    EXPECT_FALSE(k["label"].get<std::string>().starts_with("ock-e")) << k.dump();
}

TEST_F(ThroughOpenCryptoki, ListShowsEveryKeyWithItsAlgorithmOrWhyNot) {
  lists_every_key("fwseal ock", "fwseal%20ock", "ock-list", "rsa-pss-3072", "small");
}

}  // namespace
}  // namespace fwseal::test
