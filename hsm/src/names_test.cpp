// Issue 14, point 5: tokens and keys named with reserved characters, and keys
// found by slot-id and module-name, against a real SoftHSM2 token.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fwseal/hsm/hsm.h"
#include "fwseal/hsm/signing_key.h"
#include "session.h"
#include "state.h"
#include "test_util.h"

namespace fwseal::hsm {
namespace {

using ::testing::HasSubstr;
using testing::TempHome;
using testing::TokenTest;

// Space, ';', '/', '%', '?', '&', '=' and UTF-8: all but the space are
// reserved in a PKCS#11 URI, and the space was once lost ("devtoken").
constexpr const char* kToken = "dev tok;/%?&=\xc3\xbc";
constexpr const char* kObject = "fw key;/%?&=#\xc3\xa9\xe2\x82\xac";

TEST(Names, ReservedCharactersInTokenAndKeyLabels) {
  TempHome home;
  Options opts;
  Result<TokenInfo> t = init_token(opts, kToken);
  ASSERT_TRUE(t.ok()) << t.error().message;
  KeyUri wanted;
  wanted.token = kToken;
  wanted.object = kObject;
  Result<std::string> text = format_key_uri(wanted);
  ASSERT_TRUE(text.ok()) << text.error().message;
  Result<KeyUri> uri = parse_key_uri(*text);
  ASSERT_TRUE(uri.ok()) << *text << ": " << uri.error().message;
  Result<KeyInfo> gen = generate_key(opts, *uri, Algorithm::ecdsa_p256);
  ASSERT_TRUE(gen.ok()) << gen.error().message;
  EXPECT_EQ(gen->label, kObject);

  // `hsm list --token LABEL` takes the label as typed.
  Result<KeyUri> token = token_uri_for_label(kToken);
  ASSERT_TRUE(token.ok()) << token.error().message;
  Result<std::vector<KeyInfo>> keys = list_keys(opts, *token);
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->front().token, kToken);
  EXPECT_EQ(keys->front().label, kObject);
  EXPECT_EQ(keys->front().uri, gen->uri);
  EXPECT_EQ(keys->front().note, "");

  // The listed URI, copied as it is, opens the key and signs.
  Result<std::unique_ptr<TokenKey>> key = open_signing_key(opts, keys->front().uri);
  ASSERT_TRUE(key.ok()) << keys->front().uri << ": " << key.error().message;
  EXPECT_TRUE((*key)->sign("message").ok());
}

// The slot the token "release" is in.
CK_SLOT_ID slot_of_release(const Options& opts) {
  Result<std::shared_ptr<Module>> module = open_module(opts, KeyUri{});
  EXPECT_TRUE(module.ok()) << module.error().message;
  if (!module.ok()) return 0;
  Result<std::vector<TokenSlot>> tokens = matching_tokens(**module, *parse_token_uri("pkcs11:token=release"));
  EXPECT_TRUE(tokens.ok() && tokens->size() == 1u);
  return tokens.ok() && tokens->size() == 1u ? tokens->front().slot : 0;
}

class SlotAndModule : public TokenTest {
 protected:
  void SetUp() override {
    TokenTest::SetUp();
    Result<KeyInfo> gen = generate_key(opts_, *parse_key_uri("pkcs11:token=release;object=k"), Algorithm::ed25519);
    ASSERT_TRUE(gen.ok()) << gen.error().message;
  }
};

TEST_F(SlotAndModule, SlotIdNamesTheTokensSlot) {
  const CK_SLOT_ID slot = slot_of_release(opts_);
  const std::string n = std::to_string(slot);
  for (const std::string& uri :
       {"pkcs11:slot-id=" + n + ";object=k", "pkcs11:token=release;slot-id=" + n + ";object=k"}) {
    Result<std::unique_ptr<TokenKey>> key = open_signing_key(opts_, uri);
    ASSERT_TRUE(key.ok()) << uri << ": " << key.error().message;
    EXPECT_EQ((*key)->info().token, "release");
  }
  Error wrong = testing::error_of(open_signing_key(opts_, "pkcs11:slot-id=" + std::to_string(slot + 1) + ";object=k"));
  EXPECT_EQ(wrong.code, Code::hsm);
  EXPECT_THAT(wrong.message, HasSubstr("no token in slot-id " + std::to_string(slot + 1)));
  EXPECT_THAT(wrong.message, HasSubstr("\"release\" (slot-id " + n + ")"));
}

// Debian's softhsm2 registers itself with p11-kit as "softhsm2"
// (/usr/share/p11-kit/modules/softhsm2.module).
TEST_F(SlotAndModule, ModuleNameIsResolvedThroughP11Kit) {
  Result<std::unique_ptr<TokenKey>> key = open_signing_key(opts_, "pkcs11:token=release;object=k?module-name=softhsm2");
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_TRUE((*key)->sign("message").ok());
  key->reset();

  Error unknown = testing::error_of(open_signing_key(opts_, "pkcs11:token=release;object=k?module-name=no-such-hsm"));
  EXPECT_EQ(unknown.code, Code::hsm);
  EXPECT_THAT(unknown.message, HasSubstr("module-name \"no-such-hsm\": no PKCS#11 module of that name is registered "
                                         "with p11-kit (registered: "));
  EXPECT_THAT(unknown.message, HasSubstr("softhsm2"));
}

}  // namespace
}  // namespace fwseal::hsm
