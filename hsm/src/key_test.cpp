#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "fwseal/base/digest.h"
#include "fwseal/format/signature.h"
#include "fwseal/hsm/hsm.h"
#include "fwseal/hsm/pin_sources.h"
#include "fwseal/hsm/signing_key.h"
#include "objects.h"
#include "state.h"
#include "test_util.h"

// SoftHSM2 2.6.1 leaks a decoded ASN.1 string on every Ed25519 signature. The
// module is unloaded by the time leaks are reported, so its frames have no
// name; the suppression names the OpenSSL call it makes instead, which needs
// full (slow) unwinding to be seen. Only sanitizer builds use these.
extern "C" const char* __asan_default_options() { return "fast_unwind_on_malloc=0:malloc_context_size=8"; }
extern "C" const char* __lsan_default_suppressions() { return "leak:ASN1_item_d2i_ex\n"; }

namespace fwseal::hsm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempHome;
using testing::TokenTest;

KeyUri key_uri(const std::string& text) {
  Result<KeyUri> u = parse_key_uri(text);
  EXPECT_TRUE(u.ok()) << u.error().message;
  return u.ok() ? *u : KeyUri{};
}

std::string percent(std::string_view bytes) {
  std::string out;
  for (char c : bytes) out += "%" + to_hex(std::string_view(&c, 1));
  return out;
}

void write_binary(const std::string& path, std::string_view data) {
  std::ofstream(path, std::ios::binary).write(data.data(), static_cast<std::streamsize>(data.size()));
}

// Checks a signature with the openssl command line, independently of fwseal.
void expect_openssl_verifies(const TempHome& home, Algorithm alg, const EVP_PKEY* pub, std::string_view message,
                             std::string_view sig) {
  std::string dir = home.path() + "/";
  write_binary(dir + "pub.pem", *public_key_to_pem(pub));
  write_binary(dir + "msg.bin", message);
  write_binary(dir + "sig.bin", sig);
  std::string files = " -verify " + dir + "pub.pem -signature " + dir + "sig.bin " + dir + "msg.bin";
  std::string cmd;
  switch (alg) {
    case Algorithm::ecdsa_p256:
      cmd = "openssl dgst -sha256" + files;
      break;
    case Algorithm::ecdsa_p384:
      cmd = "openssl dgst -sha384" + files;
      break;
    case Algorithm::ed25519:
      cmd = "openssl pkeyutl -verify -pubin -inkey " + dir + "pub.pem -rawin -in " + dir + "msg.bin -sigfile " + dir +
            "sig.bin";
      break;
    case Algorithm::rsa_pss_3072:
    case Algorithm::rsa_pss_4096:
      cmd = "openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256" +
            files;
      break;
  }
  auto [status, out] = testing::run(cmd);
  EXPECT_EQ(status, 0) << cmd << "\n" << out;
}

// Signs and checks with fwseal's verifier, then with the openssl tool.
void expect_signs(const TempHome& home, const SigningKey& key) {
  std::string msg = signed_bytes(R"({"product":"router","version":"1.2.3"})");
  Result<std::string> sig = key.sign(msg);
  ASSERT_TRUE(sig.ok()) << sig.error().message;
  EXPECT_TRUE(verify_signature(key.algorithm(), key.public_key(), msg, *sig).ok());
  EXPECT_FALSE(verify_signature(key.algorithm(), key.public_key(), msg + " ", *sig).ok());
  expect_openssl_verifies(home, key.algorithm(), key.public_key(), msg, *sig);
}

// Reads raw attributes through the internal session API, as no public
// function hands out private key attributes.
class RawKey {
 public:
  RawKey(const Options& opts, const KeyUri& uri, CK_OBJECT_CLASS cls, bool rw = false)
      : session_(open_token(opts, uri, rw)) {
    if (!session_.ok()) return;
    EXPECT_TRUE(session_->login_user("").ok());
    Result<CK_OBJECT_HANDLE> h = find_key(*session_, uri, cls);
    EXPECT_TRUE(h.ok()) << h.error().message;
    if (h.ok()) handle_ = *h;
  }
  CK_RV get(CK_ATTRIBUTE_TYPE type) {
    CK_ATTRIBUTE a{type, nullptr, 0};
    return session_->fn().C_GetAttributeValue(session_->handle(), handle_, &a, 1);
  }
  bool flag(CK_ATTRIBUTE_TYPE type) { return *session_->boolean(handle_, type); }
  // Changes are published at once (token_store.h), as fwseal's own writers do.
  CK_RV set_id(const std::string& id) {
    CK_ATTRIBUTE a = bytes_attribute(CKA_ID, id);
    return published(session_->fn().C_SetAttributeValue(session_->handle(), handle_, &a, 1));
  }
  CK_RV destroy() { return published(session_->fn().C_DestroyObject(session_->handle(), handle_)); }

 private:
  CK_RV published(CK_RV rv) {
    if (rv == CKR_OK) {
      EXPECT_TRUE(session_->publish().ok());
    }
    return rv;
  }
  Result<Session> session_;
  CK_OBJECT_HANDLE handle_ = CK_INVALID_HANDLE;
};

class EveryAlgorithm : public TokenTest, public ::testing::WithParamInterface<Algorithm> {};

TEST_P(EveryAlgorithm, GeneratedKeySignsAndNeverLeavesTheToken) {
  const Algorithm alg = GetParam();
  KeyUri uri = key_uri("pkcs11:token=release;object=fw-signing");
  Result<KeyInfo> gen = generate_key(opts_, uri, alg);
  ASSERT_TRUE(gen.ok()) << gen.error().message;
  EXPECT_EQ(gen->token, "release");
  EXPECT_EQ(gen->label, "fw-signing");
  EXPECT_EQ(gen->algorithm, alg);
  ASSERT_TRUE(gen->key_id);
  EXPECT_EQ(gen->id, std::string(gen->key_id->begin(), gen->key_id->end()));  // CKA_ID is the fwseal key id

  Result<std::unique_ptr<TokenKey>> key = open_signing_key(opts_, uri);
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ((*key)->algorithm(), alg);
  EXPECT_EQ((*key)->key_id(), *gen->key_id);
  EXPECT_EQ(*key_id_of((*key)->public_key()), *gen->key_id);
  expect_signs(home_, **key);

  Result<ossl::PKey> pub = read_public_key(opts_, uri);
  ASSERT_TRUE(pub.ok()) << pub.error().message;
  EXPECT_EQ(EVP_PKEY_eq(pub->get(), (*key)->public_key()), 1);

  Result<std::unique_ptr<TokenKey>> by_id =
      open_signing_key(opts_, key_uri("pkcs11:token=release;id=" + percent(gen->id)));
  ASSERT_TRUE(by_id.ok()) << by_id.error().message;
  EXPECT_EQ((*by_id)->key_id(), *gen->key_id);

  Result<std::vector<KeyInfo>> listed = list_keys(opts_, *parse_token_uri("pkcs11:token=release"));
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().label, "fw-signing");
  EXPECT_EQ(listed->front().id, gen->id);
  EXPECT_EQ(listed->front().algorithm, alg);
  EXPECT_EQ(listed->front().key_id, gen->key_id);
  EXPECT_EQ(listed->front().note, "");

  RawKey priv(opts_, uri, CKO_PRIVATE_KEY);
  EXPECT_TRUE(priv.flag(CKA_TOKEN));
  EXPECT_TRUE(priv.flag(CKA_PRIVATE));
  EXPECT_TRUE(priv.flag(CKA_SENSITIVE));
  EXPECT_TRUE(priv.flag(CKA_ALWAYS_SENSITIVE));
  EXPECT_FALSE(priv.flag(CKA_EXTRACTABLE));
  EXPECT_TRUE(priv.flag(CKA_NEVER_EXTRACTABLE));
  EXPECT_TRUE(priv.flag(CKA_SIGN));
  bool rsa = alg == Algorithm::rsa_pss_3072 || alg == Algorithm::rsa_pss_4096;
  // Asked for signing only, then the module's other defaults turned off.
  EXPECT_EQ(gen->note, "");
  EXPECT_FALSE(priv.flag(CKA_SIGN_RECOVER));
  if (rsa) {
    EXPECT_FALSE(priv.flag(CKA_DECRYPT));
    EXPECT_FALSE(priv.flag(CKA_UNWRAP));
    for (CK_ATTRIBUTE_TYPE t :
         {CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT})
      EXPECT_EQ(priv.get(t), CKR_ATTRIBUTE_SENSITIVE) << cka_name(t);
  } else {
    EXPECT_FALSE(priv.flag(CKA_DERIVE));
    EXPECT_EQ(priv.get(CKA_VALUE), CKR_ATTRIBUTE_SENSITIVE);
  }
}

INSTANTIATE_TEST_SUITE_P(Algorithms, EveryAlgorithm, ::testing::ValuesIn(kAllAlgorithms),
                         [](const ::testing::TestParamInfo<Algorithm>& p) {
                           std::string name(algorithm_name(p.param));
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// A token with one P-256 key called "fw-signing".
class KeyTest : public TokenTest {
 protected:
  void SetUp() override {
    TokenTest::SetUp();
    Result<KeyInfo> gen = generate_key(opts_, uri_, Algorithm::ecdsa_p256);
    ASSERT_TRUE(gen.ok()) << gen.error().message;
  }
  Error open_error(const std::string& uri) { return testing::error_of(open_signing_key(opts_, key_uri(uri))); }
  KeyUri uri_ = key_uri("pkcs11:token=release;object=fw-signing");
};

TEST_F(KeyTest, ExistingLabelIsRefused) {
  Result<KeyInfo> again = generate_key(opts_, uri_, Algorithm::ed25519);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Code::hsm);
  EXPECT_THAT(again.error().message, HasSubstr("key \"fw-signing\" already exists on token \"release\""));
}

TEST_F(KeyTest, KeygenNeedsALabelAndNoId) {
  Result<KeyInfo> with_id = generate_key(opts_, key_uri("pkcs11:token=release;object=k;id=%01"), Algorithm::ed25519);
  ASSERT_FALSE(with_id.ok());
  EXPECT_EQ(with_id.error().code, Code::usage);
  Result<KeyInfo> no_label = generate_key(opts_, key_uri("pkcs11:token=release;id=%01"), Algorithm::ed25519);
  ASSERT_FALSE(no_label.ok());
  EXPECT_EQ(no_label.error().code, Code::usage);
}

TEST_F(KeyTest, WrongPinIsLoginErrorWithoutThePin) {
  setenv("FWSEAL_PIN", "wrong-pin-4711", 1);
  Error e = open_error("pkcs11:token=release;object=fw-signing");
  EXPECT_EQ(e.code, Code::login);
  EXPECT_THAT(e.message, HasSubstr("HSM login to token \"release\" failed: CKR_PIN_INCORRECT"));
  EXPECT_THAT(e.message, HasSubstr("FWSEAL_PIN"));
  EXPECT_THAT(e.message, Not(HasSubstr("wrong-pin-4711")));
  EXPECT_THAT(e.message, Not(HasSubstr(testing::kUserPin)));
}

TEST_F(KeyTest, NoPinAndNoTerminalIsLoginError) {
  unsetenv("FWSEAL_PIN");
  Error e = testing::without_terminal([&] { return open_error("pkcs11:token=release;object=fw-signing"); });
  EXPECT_EQ(e.code, Code::login);
  EXPECT_EQ(e.message,
            "no PIN for token \"release\": set FWSEAL_PIN_FILE or FWSEAL_PIN, or add pin-source to the key URI");
}

TEST_F(KeyTest, PinFromFileOrPinSource) {
  unsetenv("FWSEAL_PIN");
  std::string pin_file = home_.file("pin", std::string(testing::kUserPin) + "\n");
  setenv("FWSEAL_PIN_FILE", pin_file.c_str(), 1);
  EXPECT_EQ(open_error("pkcs11:token=release;object=fw-signing").code, Code::ok);
  unsetenv("FWSEAL_PIN_FILE");
  EXPECT_EQ(open_error("pkcs11:token=release;object=fw-signing?pin-source=file://" + pin_file).code, Code::ok);
}

// pin_available_without_prompt tells beforehand what login will find: where
// it says yes, a process without a terminal logs in; where it says no, such a
// process fails for want of a PIN (`fwseal pipeline run` relies on this).
TEST_F(KeyTest, PinAvailableWithoutPromptAgreesWithLogin) {
  const std::string pin_file = home_.file("pin", std::string(testing::kUserPin) + "\n");
  struct Case {
    const char* pin;       // FWSEAL_PIN; nullptr: unset
    const char* pin_file;  // FWSEAL_PIN_FILE; nullptr: unset
    std::string uri;
    bool available;
  };
  const std::string plain = "pkcs11:token=release;object=fw-signing";
  const std::vector<Case> cases = {
      {nullptr, nullptr, plain, false},
      {"", "", plain, false},
      {testing::kUserPin, nullptr, plain, true},
      {nullptr, pin_file.c_str(), plain, true},
      {"", nullptr, plain + "?pin-source=file://" + pin_file, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.pin ? c.pin : "(unset)") + " / " + (c.pin_file ? c.pin_file : "(unset)") + " / " +
                 c.uri);
    for (auto [name, value] : {std::pair{"FWSEAL_PIN", c.pin}, std::pair{"FWSEAL_PIN_FILE", c.pin_file}}) {
      if (value)
        setenv(name, value, 1);
      else
        unsetenv(name);
    }
    const KeyUri uri = key_uri(c.uri);
    EXPECT_EQ(pin_available_without_prompt(uri), c.available);
    Error e = testing::without_terminal([&] { return open_error(c.uri); });
    if (c.available) {
      EXPECT_EQ(e.code, Code::ok) << e.message;
    } else {
      EXPECT_EQ(e.code, Code::login);
      EXPECT_THAT(e.message, HasSubstr("no PIN for token \"release\""));
    }
  }
}

// The URI as written, as the commands pass it: parsed first, so a URI that
// names no key is a usage error before any module is loaded.
TEST_F(KeyTest, OpensByUriText) {
  Result<std::unique_ptr<TokenKey>> key =
      open_signing_key(opts_, std::string_view("pkcs11:token=release;object=fw-signing"));
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ((*key)->key_id(), key_id_of((*key)->public_key()).value());
  Error e = testing::error_of(open_signing_key(opts_, std::string_view("pkcs11:token=release")));
  EXPECT_EQ(e.code, Code::usage);
  EXPECT_EQ(e.message, testing::error_of(parse_key_uri("pkcs11:token=release")).message);
}

TEST_F(KeyTest, MissingKeyNamesLabelAndToken) {
  Error e = open_error("pkcs11:token=release;object=fw-missing");
  EXPECT_EQ(e.code, Code::hsm);
  EXPECT_EQ(e.message, "no private key \"fw-missing\" on token \"release\" (list keys with: fwseal hsm list)");
}

TEST_F(KeyTest, PublicKeyIsReadWithoutPin) {
  unsetenv("FWSEAL_PIN");
  Error e = testing::without_terminal([&] { return testing::error_of(read_public_key(opts_, uri_)); });
  EXPECT_EQ(e.code, Code::ok) << e.message;
}

TEST_F(KeyTest, MissingPublicKeyObjectIsReported) {
  EXPECT_EQ(RawKey(opts_, uri_, CKO_PUBLIC_KEY, true).destroy(), CKR_OK);
  Error e = open_error("pkcs11:token=release;object=fw-signing");
  EXPECT_EQ(e.code, Code::hsm);
  EXPECT_THAT(e.message, HasSubstr("has no public key object with the same CKA_ID"));
}

TEST_F(KeyTest, SignatureThatDoesNotVerifyIsCaught) {
  // Pair fw-signing's private key with another key's public key object: the
  // token then "signs" with a key that does not match what fwseal would publish.
  KeyUri other = key_uri("pkcs11:token=release;object=other");
  ASSERT_TRUE(generate_key(opts_, other, Algorithm::ecdsa_p256).ok());
  Result<std::vector<KeyInfo>> keys = list_keys(opts_, uri_);
  ASSERT_TRUE(keys.ok() && keys->size() == 1);
  EXPECT_EQ(RawKey(opts_, uri_, CKO_PUBLIC_KEY, true).destroy(), CKR_OK);
  EXPECT_EQ(RawKey(opts_, other, CKO_PUBLIC_KEY, true).set_id(keys->front().id), CKR_OK);

  Result<std::unique_ptr<TokenKey>> key = open_signing_key(opts_, uri_);
  ASSERT_TRUE(key.ok()) << key.error().message;
  Result<std::string> sig = (*key)->sign("message");
  ASSERT_FALSE(sig.ok());
  EXPECT_EQ(sig.error().code, Code::hsm);
  EXPECT_THAT(sig.error().message, HasSubstr("does not verify"));
}

TEST_F(KeyTest, KeysOnOneTokenShareTheLogin) {
  ASSERT_TRUE(generate_key(opts_, key_uri("pkcs11:token=release;object=second"), Algorithm::ed25519).ok());
  Result<std::unique_ptr<TokenKey>> a = open_signing_key(opts_, uri_);
  Result<std::unique_ptr<TokenKey>> b = open_signing_key(opts_, key_uri("pkcs11:token=release;object=second"));
  ASSERT_TRUE(a.ok() && b.ok());
  a->reset();  // closing one session must not log the other out
  Result<std::string> sig = (*b)->sign("message");
  EXPECT_TRUE(sig.ok()) << sig.error().message;
}

TEST_F(KeyTest, OneStateDirectoryPerProcessWhileAModuleIsInUse) {
  Result<std::unique_ptr<TokenKey>> held = open_signing_key(opts_, uri_);
  ASSERT_TRUE(held.ok());
  Options other;
  other.home = home_.path() + "/other";
  Result<TokenInfo> t = init_token(other, "release");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Code::hsm);
  EXPECT_THAT(t.error().message, HasSubstr("already in use in this process"));
  held->reset();
  EXPECT_TRUE(init_token(other, "release").ok());
}

// Keys made by another tool, as a release team might bring them.
class ForeignKeyTest : public TokenTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(testing::run("command -v pkcs11-tool").first, 0) << "OpenSC's pkcs11-tool is missing: scripts/setup.sh installs opensc";
    TokenTest::SetUp();
  }
  void pkcs11_tool(const std::string& args) {
    std::string cmd = "SOFTHSM2_CONF=" + home_.path() + "/softhsm2.conf pkcs11-tool --module " +
                      *module_path(Options{}, KeyUri{}) + " --token-label release --login --pin " + testing::kUserPin +
                      " " + args;
    auto [status, out] = testing::run(cmd);
    ASSERT_EQ(status, 0) << cmd << "\n" << out;
  }
};

TEST_F(ForeignKeyTest, Pkcs11ToolEcKeySigns) {
  pkcs11_tool("--keypairgen --key-type EC:prime256v1 --label ext-key --id 0a0b");
  for (const char* uri : {"pkcs11:token=release;object=ext-key", "pkcs11:token=release;id=%0a%0b"}) {
    Result<std::unique_ptr<TokenKey>> key = open_signing_key(opts_, key_uri(uri));
    ASSERT_TRUE(key.ok()) << uri << ": " << key.error().message;
    EXPECT_EQ((*key)->algorithm(), Algorithm::ecdsa_p256);
    EXPECT_EQ((*key)->info().id, "\x0a\x0b");
    expect_signs(home_, **key);
  }
}

TEST_F(ForeignKeyTest, Pkcs11ToolEd25519KeySigns) {
  pkcs11_tool("--keypairgen --key-type EC:edwards25519 --label ext-ed --id 0c");
  Result<std::unique_ptr<TokenKey>> key = open_signing_key(opts_, key_uri("pkcs11:token=release;object=ext-ed"));
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ((*key)->algorithm(), Algorithm::ed25519);
  expect_signs(home_, **key);
}

TEST_F(ForeignKeyTest, UnsupportedKeyIsListedWithANote) {
  pkcs11_tool("--keypairgen --key-type rsa:2048 --label small-rsa --id 0d");
  Result<std::vector<KeyInfo>> keys = list_keys(opts_, *parse_token_uri("pkcs11:token=release"));
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->front().label, "small-rsa");
  EXPECT_FALSE(keys->front().algorithm);
  EXPECT_TRUE(keys->front().key_id);
  EXPECT_THAT(keys->front().note, HasSubstr("2048"));
  Error e = testing::error_of(open_signing_key(opts_, key_uri("pkcs11:token=release;object=small-rsa")));
  EXPECT_EQ(e.code, Code::hsm);
  EXPECT_THAT(e.message, HasSubstr("RSA key of 2048 bits is not supported"));
}

}  // namespace
}  // namespace fwseal::hsm
