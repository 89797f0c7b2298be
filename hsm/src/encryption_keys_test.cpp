// Recipient keys and encryption secrets in a real SoftHSM2 token: the token's
// answers are checked against software computations of the same values.
#include "fwseal/hsm/encryption_keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fwseal/hsm/hsm.h"
#include "fwseal/hsm/signing_key.h"
#include "fwseal/testing/matchers.h"
#include "test_util.h"

namespace fwseal::hsm {
namespace {

using ::testing::HasSubstr;
using testing::TokenTest;
using test::IsError;

KeyUri uri(const std::string& text) { return parse_key_uri(text).value(); }

class EncryptionKeys : public TokenTest {};

TEST_F(EncryptionKeys, ATokenRecipientUnwrapsWhatWasWrappedForItsPublicKey) {
  auto info = generate_encryption_key(opts_, uri("pkcs11:token=release;object=fleet-a"), EncryptionKeyKind::recipient_p256);
  ASSERT_TRUE(info.ok()) << info.error().message;
  ASSERT_TRUE(info->recipient_key_id);
  // The public half as the packager reads it (hsm pubkey writes this PEM).
  auto pub = read_public_key(opts_, uri("pkcs11:token=release;object=fleet-a"));
  ASSERT_TRUE(pub.ok()) << pub.error().message;
  auto recipient = enc::recipient_from_public_key(pub->get(), "fleet-a");
  ASSERT_TRUE(recipient.ok());
  EXPECT_EQ(recipient->key_id, *info->recipient_key_id);

  auto key = open_recipient_key(opts_, info->uri);
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ((*key)->key_id(), recipient->key_id);
  const enc::ImageContext c{"cam", "1.0", "rootfs", 5000, 4096};
  auto secret = enc::SoftwareSecret::create(std::string(32, 'z'), "test").value();
  const enc::DataKey data_key = enc::derive_data_key(*secret, c).value();
  const enc::WrappedKey w = enc::wrap_data_key(data_key, *recipient, c).value();
  auto unwrapped = enc::unwrap_data_key({w}, **key, c, "image/rootfs");
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.error().message;
  EXPECT_EQ(*unwrapped, data_key);
  // Another image's context: the token derives the same secret, the unwrap fails.
  EXPECT_THAT(enc::unwrap_data_key({w}, **key, enc::ImageContext{"cam", "1.1", "rootfs", 5000, 4096}, "image/rootfs"),
              IsError(Code::decryption, HasSubstr("does not unwrap")));
  // A point not on the curve is refused by the token or by the check before it.
  enc::WrappedKey bad = w;
  bad.ephemeral_public[10] ^= 1;
  auto r = enc::unwrap_data_key({bad}, **key, c, "image/rootfs");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::decryption) << r.error().message;
}

TEST_F(EncryptionKeys, ARecipientKeyOnlyDerivesAndASigningKeyIsNoRecipient) {
  auto info = generate_encryption_key(opts_, uri("pkcs11:token=release;object=fleet-b"), EncryptionKeyKind::recipient_p256);
  ASSERT_TRUE(info.ok()) << info.error().message;
  // A recipient key cannot sign: the token refuses.
  auto as_signer = open_signing_key(opts_, info->uri);
  ASSERT_TRUE(as_signer.ok()) << as_signer.error().message;
  auto sig = (*as_signer)->sign("message");
  ASSERT_FALSE(sig.ok());
  EXPECT_EQ(sig.error().code, Code::hsm) << sig.error().message;
  ASSERT_TRUE(generate_key(opts_, uri("pkcs11:token=release;object=signer"), Algorithm::ecdsa_p256).ok());
  EXPECT_THAT(open_recipient_key(opts_, "pkcs11:token=release;object=signer"),
              IsError(Code::usage, HasSubstr("may not derive (CKA_DERIVE is off): it is not a recipient key")));
  EXPECT_THAT(generate_encryption_key(opts_, uri("pkcs11:token=release;object=fleet-b"), EncryptionKeyKind::recipient_p256),
              IsError(Code::hsm, "key \"fleet-b\" already exists on token \"release\"; choose another label"));
}

TEST_F(EncryptionKeys, ATokenSecretComputesTheSameHmacAsTheSameBytesInAFile) {
  auto info = generate_encryption_key(opts_, uri("pkcs11:token=release;object=release-secret"), EncryptionKeyKind::secret);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_FALSE(info->recipient_key_id);
  auto secret = open_encryption_secret(opts_, info->uri);
  ASSERT_TRUE(secret.ok()) << secret.error().message;
  const enc::ImageContext c{"cam", "1.0", "rootfs", 5000, 4096};
  auto k1 = enc::derive_data_key(**secret, c);
  auto k2 = enc::derive_data_key(**secret, c);
  ASSERT_TRUE(k1.ok()) << k1.error().message;
  EXPECT_EQ(*k1, *k2);  // deterministic: the same package bytes on every build
  auto other = enc::derive_data_key(**secret, enc::ImageContext{"cam", "1.0", "app", 5000, 4096});
  EXPECT_FALSE(*other == *k1);
  EXPECT_THAT(open_encryption_secret(opts_, "pkcs11:token=release;object=nothing"),
              IsError(Code::hsm, HasSubstr("no ")));
}

}  // namespace
}  // namespace fwseal::hsm
