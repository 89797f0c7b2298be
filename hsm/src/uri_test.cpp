#include "fwseal/hsm/uri.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace fwseal::hsm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(KeyUri, TokenAndObject) {
  Result<KeyUri> u = parse_key_uri("pkcs11:token=release;object=fw-signing");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->token, "release");
  EXPECT_EQ(u->object, "fw-signing");
  EXPECT_FALSE(u->id);
  EXPECT_EQ(u->pin_source, "");
  EXPECT_EQ(u->module_path, "");
  EXPECT_EQ(u->describe_key(), "\"fw-signing\"");
}

TEST(KeyUri, PercentEncodingIsDecoded) {
  Result<KeyUri> u = parse_key_uri("pkcs11:token=my%20token;object=fw%2Fsigning%3bkey");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->token, "my token");
  EXPECT_EQ(u->object, "fw/signing;key");
}

TEST(KeyUri, IdIsRawBytes) {
  Result<KeyUri> u = parse_key_uri("pkcs11:token=release;id=%01%02%ff");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->id, std::string("\x01\x02\xff"));
  EXPECT_FALSE(u->object);
  EXPECT_EQ(u->describe_key(), "id 0102ff");
}

TEST(KeyUri, ObjectAndIdTogether) {
  Result<KeyUri> u = parse_key_uri("pkcs11:token=release;object=k;id=%0a%0b;type=private");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->describe_key(), "\"k\" (id 0a0b)");
}

TEST(KeyUri, PinSourceAndModulePath) {
  Result<KeyUri> u = parse_key_uri(
      "pkcs11:token=release;object=k?pin-source=file:%2F%2F%2Frun%2Fpin%20file&module-path=%2Fopt%2Fhsm%2Flib.so");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->pin_source, "file:///run/pin file");
  EXPECT_EQ(u->module_path, "/opt/hsm/lib.so");
}

TEST(KeyUri, SerialNarrowsTheToken) {
  Result<KeyUri> u = parse_key_uri("pkcs11:token=release;serial=1234abcd;object=k");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->serial, "1234abcd");
}

struct BadUri {
  const char* uri;
  const char* message;
};

class BadKeyUri : public ::testing::TestWithParam<BadUri> {};

TEST_P(BadKeyUri, IsUsageError) {
  Result<KeyUri> u = parse_key_uri(GetParam().uri);
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().code, Code::usage);
  EXPECT_THAT(u.error().message, HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadKeyUri,
    ::testing::Values(BadUri{"pkcs11:object=fw-signing", "no token (add token=LABEL, serial= or slot-id=)"},
                      BadUri{"pkcs11:token=release", "no key (add object=LABEL or id="},
                      BadUri{"pkcs11:token=release;type=private", "no key"},
                      BadUri{"/keys/fw.pem", "not a PKCS#11 URI"},
                      BadUri{"pkcs11:token=release;objekt=k", "unknown attribute \"objekt\" (supported: token,"},
                      BadUri{"pkcs11:token=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;object=k",
                             "a value too long for its attribute (token labels have at most 32 bytes"},
                      BadUri{"pkcs11:token=release;object=k?pin-sorce=/p", "unsupported attribute \"pin-sorce\""},
                      BadUri{"pkcs11:token=release;object=k?module-name=softhsm2&module-path=/x.so",
                             "module-path and module-name both choose the module; give one of them"},
                      BadUri{"pkcs11:token=release;object=k;slot-id=three", "(slot-id takes a decimal number)"},
                      BadUri{"pkcs11:token=release;object=k;slot-description=x",
                             "slot-description is not supported (name the slot with slot-id"},
                      BadUri{"pkcs11:token=release;object=k;library-manufacturer=x",
                             "library-manufacturer is not supported (choose the module with module-path, module-name"},
                      BadUri{"pkcs11:token=release;object=k;type=cert", "type must be private or public"},
                      BadUri{"pkcs11:token=;object=k", "empty token label"},
                      BadUri{"pkcs11:token=release;object=", "empty object label"},
                      BadUri{"pkcs11:token=release;id=%zz", "key URI"},
                      BadUri{"pkcs11:token=release;object=a%00b", "NUL"}));

// `hsm list --token "dev token"`: the label becomes a URI through p11-kit, spaces encoded.
TEST(KeyUri, TokenUriForALabelWithReservedCharacters) {
  for (const char* label : {"dev token", "a;b=c?d", "100%", "x/y"}) {
    Result<KeyUri> u = token_uri_for_label(label);
    ASSERT_TRUE(u.ok()) << label << ": " << u.error().message;
    EXPECT_EQ(u->token, label);
  }
  EXPECT_EQ(token_uri_for_label("").error().code, Code::usage);
  EXPECT_EQ(token_uri_for_label(std::string(33, 'a')).error().message,
            "token label \"" + std::string(33, 'a') + "\": 1 to 32 bytes");
}

// Issue 14, point 5: URIs as cosign and p11-kit print them.
TEST(KeyUri, SlotIdAndModuleNameAreAccepted) {
  Result<KeyUri> u = parse_key_uri("pkcs11:slot-id=3;object=k?module-name=softhsm2");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->slot_id, 3u);
  EXPECT_EQ(u->token, "");
  EXPECT_EQ(u->module_name, "softhsm2");
  Result<KeyUri> both = parse_key_uri("pkcs11:token=release;slot-id=0;object=k");
  ASSERT_TRUE(both.ok()) << both.error().message;
  EXPECT_EQ(both->slot_id, 0u);
  EXPECT_FALSE(parse_key_uri("pkcs11:token=release;object=k")->slot_id);
}

// Labels with every kind of reserved byte survive format_key_uri -> parse_key_uri.
TEST(KeyUri, FormattedUrisEscapeReservedCharactersAndRoundTrip) {
  for (const char* name :
       {"dev token", "a;b=c", "x/y", "100%", "q?x&y", "#frag", "gr\xc3\xbc\xc3\x9f" "e", "\x01\xff"}) {
    KeyUri key;
    key.token = name;
    key.object = std::string("key ") + name;
    key.id = std::string("\x00\x0a\xff", 3);
    Result<std::string> text = format_key_uri(key);
    ASSERT_TRUE(text.ok()) << name << ": " << text.error().message;
    std::string path = text->substr(0, text->find('?'));
    EXPECT_EQ(text->find_first_of(" ?&#\"\x01\xff"), std::string::npos) << *text;
    EXPECT_EQ(std::count(path.begin(), path.end(), ';'), 3) << *text;  // token;object;id;type
    Result<KeyUri> back = parse_key_uri(*text);
    ASSERT_TRUE(back.ok()) << *text << ": " << back.error().message;
    EXPECT_EQ(back->token, name);
    EXPECT_EQ(back->object, key.object);
    EXPECT_EQ(back->id, key.id);
  }
  Result<std::string> plain = format_key_uri(*parse_key_uri("pkcs11:token=release;object=fw-signing"));
  ASSERT_TRUE(plain.ok());
  EXPECT_THAT(*plain, ::testing::StartsWith("pkcs11:"));
  EXPECT_THAT(*plain, HasSubstr("token=release"));
  EXPECT_THAT(*plain, HasSubstr("object=fw-signing"));
  KeyUri long_label;
  long_label.token = std::string(33, 't');
  long_label.object = "k";
  EXPECT_EQ(format_key_uri(long_label).error().code, Code::usage);
}

TEST(KeyUri, PinValueIsRefusedWithoutEchoingIt) {
  // Issue 15, point 6: in any spelling, percent-encoded names included.
  for (const char* uri :
       {"pkcs11:token=release;object=k?pin-value=s3cret-77", "pkcs11:token=release;object=k;PIN-VALUE=s3cret-77",
        "pkcs11:token=release;object=k?pin%2Dvalue=s3cret-77", "pkcs11:token=release;object=k?%70in-value=s3cret-77",
        "pkcs11:token=release;object=k?%50%49%4E%2D%56%41%4C%55%45=s3cret-77",
        "pkcs11:token=release;object=k?pin%252Dvalue=s3cret-77", "pkcs11:token=release;object=k;pin%2dvalue=s3cret-77"}) {
    Result<KeyUri> u = parse_key_uri(uri);
    ASSERT_FALSE(u.ok()) << uri;
    EXPECT_EQ(u.error().code, Code::usage);
    EXPECT_THAT(u.error().message, HasSubstr("FWSEAL_PIN_FILE"));
    EXPECT_THAT(u.error().message, HasSubstr("pin-source"));
    EXPECT_THAT(u.error().message, Not(HasSubstr("s3cret")));
  }
}

TEST(TokenUri, MayNameNoTokenOrKey) {
  Result<KeyUri> all = parse_token_uri("pkcs11:");
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(all->token, "");
  EXPECT_FALSE(all->object);
  Result<KeyUri> one = parse_token_uri("pkcs11:token=release");
  ASSERT_TRUE(one.ok()) << one.error().message;
  EXPECT_EQ(one->token, "release");
  EXPECT_FALSE(parse_token_uri("pkcs11:token=release?pin-value=1").ok());
}

}  // namespace
}  // namespace fwseal::hsm
