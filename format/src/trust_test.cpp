#include "fwseal/format/trust.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <nlohmann/json.hpp>

#include <limits>

#include "fwseal/base/digest.h"
#include "fwseal/testing/pki.h"

namespace fwseal {
namespace {

using nlohmann::json;

ossl::PKey keygen(const char* type, const char* curve = nullptr) {
  return ossl::PKey(curve ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, curve)
                          : EVP_PKEY_Q_keygen(nullptr, nullptr, type));
}

struct Keys {
  ossl::PKey p256 = keygen("EC", "P-256");
  ossl::PKey ed = keygen("ED25519");
  ossl::PKey p521 = keygen("EC", "P-521");
};

const Keys& keys() {
  static const Keys k;
  return k;
}

std::string pem(const EVP_PKEY* k) { return *public_key_to_pem(k); }
std::string id(const EVP_PKEY* k) { return to_hex(*key_id_of(k)); }

// The same P-256 key as keys().p256, written with a compressed point: another
// SubjectPublicKeyInfo, another key id, the same key.
std::string compressed_pem() {
  ossl::PKey copy(EVP_PKEY_dup(keys().p256.get()));
  EXPECT_EQ(EVP_PKEY_set_utf8_string_param(copy.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"), 1);
  return pem(copy.get());
}

std::string upper(std::string s) {
  for (auto& c : s)
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

// $TWO is two PEM keys in one string, $UPID the P-256 key id in uppercase.
// $P256, $ED, $P521, $P256C (compressed) are replaced by JSON strings of PEM keys;
// $ID_P256, $ID_ED by their key ids.
std::string expand(std::string text) {
  const std::pair<std::string, std::string> vars[] = {
      {"$P256C", json(compressed_pem()).dump()},
      {"$TWO", json(pem(keys().p256.get()) + pem(keys().ed.get())).dump()},
      {"$UPID", upper(id(keys().p256.get()))},
      {"$P256", json(pem(keys().p256.get())).dump()},
      {"$P521", json(pem(keys().p521.get())).dump()},
      {"$ED", json(pem(keys().ed.get())).dump()},
      {"$ID_P256", id(keys().p256.get())},
      {"$ID_ED", id(keys().ed.get())},
  };
  for (const auto& [from, to] : vars)
    for (std::size_t at; (at = text.find(from)) != std::string::npos;) text.replace(at, from.size(), to);
  return text;
}

const std::string kHead = R"("format":"fwseal-trust","format_version":1,)";

std::string trust_with(const std::vector<std::string>& pems) {
  json keys_json = json::array();
  for (const auto& p : pems) keys_json.push_back({{"public_key", p}});
  return "{" + kHead + R"("keys":)" + keys_json.dump() + "}";
}

// Issue 15, point 3: one key has one id whatever its encoding, so a trust.json
// listing it twice is refused and one signature cannot count for two keys.
TEST(Trust, OneKeyInTwoEncodingsIsOneKey) {
  ossl::PKey rsa(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{3072}));
  ossl::PKey pss = testpki::as_rsa_pss(rsa.get());
  ASSERT_TRUE(pss);
  EXPECT_EQ(EVP_PKEY_get_base_id(pss.get()), EVP_PKEY_RSA_PSS);
  EXPECT_NE(*public_key_to_der(rsa.get()), *public_key_to_der(pss.get()));
  EXPECT_EQ(*key_id_of(rsa.get()), *key_id_of(pss.get()));
  EXPECT_EQ(make_trusted_key(pss.get())->spki_der, *public_key_to_der(rsa.get()));
  auto compressed = public_key_from_pem(compressed_pem(), "compressed");
  ASSERT_TRUE(compressed.ok());
  EXPECT_EQ(*key_id_of(compressed->get()), *key_id_of(keys().p256.get()));

  auto t = parse_trust(trust_with({pem(rsa.get()), pem(pss.get())}), "trust.json");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Code::malformed);
  EXPECT_NE(t.error().message.find("trust.keys[1].public_key: the same key as trust.keys[0]"), std::string::npos)
      << t.error().message;
}

// Ed25519 public keys of small order (with which signatures by no one verify)
// or whose y is not reduced, and an EC point at infinity, are refused.
TEST(Trust, WeakPublicKeysAreRefused) {
  auto y = [](unsigned first, unsigned rest, unsigned last) {
    std::string raw(32, static_cast<char>(rest));
    raw[0] = static_cast<char>(first);
    raw[31] = static_cast<char>(last);
    return raw;
  };
  const std::string order8 = *from_hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", 32, "y");
  const std::string order8_neg = *from_hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", 32, "y");
  std::string order8_sign = order8;
  order8_sign[31] = static_cast<char>(order8_sign[31] | 0x80);
  const std::pair<std::string, const char*> cases[] = {
      {y(1, 0, 0), "small order"},           {y(0, 0, 0), "small order"},
      {y(0xec, 0xff, 0x7f), "small order"},  {order8, "small order"},
      {order8_neg, "small order"},           {order8_sign, "small order"},
      {y(1, 0, 0x80), "small order"},     {y(0xed, 0xff, 0x7f), "not canonically encoded"},
      {y(0xee, 0xff, 0xff), "not canonically encoded"}};
  for (const auto& [raw, why] : cases) {
    ossl::PKey k(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                             reinterpret_cast<const unsigned char*>(raw.data()), raw.size()));
    ASSERT_TRUE(k);
    EXPECT_FALSE(make_trusted_key(k.get()).ok()) << to_hex(raw);
    auto t = parse_trust(trust_with({pem(k.get())}), "trust.json");
    ASSERT_FALSE(t.ok()) << to_hex(raw);
    EXPECT_EQ(t.error().code, Code::malformed);
    EXPECT_NE(t.error().message.find("trust.keys[0].public_key"), std::string::npos) << t.error().message;
    EXPECT_NE(t.error().message.find(why), std::string::npos) << t.error().message;
  }
  EXPECT_TRUE(check_public_key(keys().ed.get(), "k").ok());
  EXPECT_TRUE(check_public_key(keys().p256.get(), "k").ok());

  // P-256 SubjectPublicKeyInfo whose point is the point at infinity (0x00).
  const std::string infinity = *from_hex("3019301306072a8648ce3d020106082a8648ce3d03010703020000", 27, "der");
  auto inf_key = public_key_from_der(infinity, "infinity");
  if (inf_key.ok()) {
    EXPECT_FALSE(check_public_key(inf_key->get(), "k").ok());
  }
  std::string b64 = base64_encode(infinity);
  auto t = parse_trust(trust_with({"-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n"}), "trust.json");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("trust.keys[0].public_key"), std::string::npos) << t.error().message;
}

// An RSA public exponent of 3 (or an even one) is refused.
TEST(Trust, WeakRsaExponentIsRefused) {
  ossl::PKeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  ASSERT_EQ(EVP_PKEY_keygen_init(ctx.get()), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 3072), 1);
  BIGNUM* three = BN_new();
  BN_set_word(three, 3);
  ASSERT_EQ(EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), three), 1);
  BN_free(three);
  EVP_PKEY* raw = nullptr;
  ASSERT_EQ(EVP_PKEY_keygen(ctx.get(), &raw), 1);
  ossl::PKey k(raw);
  auto t = parse_trust(trust_with({pem(k.get())}), "trust.json");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("RSA public exponent"), std::string::npos) << t.error().message;
}
const std::string kOneKey = R"("keys":[{"public_key":$P256}])";
const std::string kTwoKeys = R"("keys":[{"name":"a","public_key":$P256},{"name":"b","public_key":$ED}])";

TEST(Trust, MinimalFileGetsTheDefaults) {
  auto t = parse_trust(expand("{" + kHead + kOneKey + "}"), "trust.json");
  ASSERT_TRUE(t.ok()) << t.error().message;
  ASSERT_EQ(t->key_sets.size(), 1u);
  EXPECT_EQ(t->key_sets[0].threshold, 1u);
  ASSERT_EQ(t->key_sets[0].keys.size(), 1u);
  EXPECT_EQ(t->key_sets[0].keys[0].key_id, *key_id_of(keys().p256.get()));
  EXPECT_EQ(t->key_sets[0].keys[0].algorithm, Algorithm::ecdsa_p256);
  EXPECT_EQ(t->algorithms.size(), 5u);
  EXPECT_EQ(t->min_security_version, 0u);
  EXPECT_TRUE(t->revoked_key_ids.empty());
  EXPECT_TRUE(t->hardware.empty());
  EXPECT_NE(t->find_key(*key_id_of(keys().p256.get())), nullptr);
  EXPECT_EQ(t->find_key(*key_id_of(keys().ed.get())), nullptr);
}

TEST(Trust, FullFileWithComments) {
  auto t = parse_trust(expand(R"({
    // what the device keeps in OTP
    "format": "fwseal-trust", "format_version": 1,
    "keys": [ {"name": "release-1", "public_key": $P256, "key_id": "$ID_P256"},
              {"name": "release-2", "public_key": $ED} ],
    "threshold": 2,  /* both */
    "algorithms": ["ecdsa-p256", "ed25519"],
    "revoked_key_ids": ["$ID_ED"],
    "min_security_version": "18446744073709551615",
    "hardware": ["acme-cam-v2", "acme-cam-v1"]
  })"),
                       "trust.json");
  // Revoking one of two keys with threshold 2 leaves too few usable keys.
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("trust.threshold: 2 signatures required but only 1 usable keys"),
            std::string::npos)
      << t.error().message;

  auto u = parse_trust(expand(R"({
    "format": "fwseal-trust", "format_version": 1,
    "keys": [ {"name": "release-1", "public_key": $P256, "key_id": "$ID_P256"},
              {"name": "release-2", "public_key": $ED} ],
    "threshold": 2,
    "algorithms": ["ecdsa-p256", "ed25519"],
    "min_security_version": 18446744073709551615,
    "hardware": ["acme-cam-v2", "acme-cam-v1"]
  })"),
                       "trust.json");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->key_sets[0].threshold, 2u);
  EXPECT_EQ(u->key_sets[0].keys[1].name, "release-2");
  EXPECT_EQ(u->min_security_version, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(u->hardware, (std::vector<std::string>{"acme-cam-v2", "acme-cam-v1"}));
  EXPECT_TRUE(u->algorithm_allowed(Algorithm::ed25519));
  EXPECT_FALSE(u->algorithm_allowed(Algorithm::rsa_pss_3072));
}

TEST(Trust, SerializeRoundTripsAndIsDeterministic) {
  auto t = parse_trust(expand("{" + kHead + kTwoKeys +
                              R"(,"threshold":1,"revoked_key_ids":["$ID_ED"],"min_security_version":"9007199254740993",)"
                              R"("hardware":["hw-1"],"algorithms":["ed25519","ecdsa-p256"]})"),
                       "t");
  ASSERT_TRUE(t.ok()) << t.error().message;
  auto text = serialize_trust(*t);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(*text, *serialize_trust(*t));
  EXPECT_NE(text->find("\"min_security_version\": \"9007199254740993\""), std::string::npos) << *text;
  EXPECT_EQ(text->find("\"format\": \"fwseal-trust\""), 4u) << *text;
  auto back = parse_trust(*text, "t");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, *t);
  EXPECT_EQ(*serialize_trust(*back), *text);
}

TEST(Trust, SerializeBuiltPolicy) {
  TrustPolicy p;
  KeySet set;
  set.keys.push_back(*make_trusted_key(keys().p256.get(), "release"));
  p.key_sets.push_back(set);
  p.min_security_version = 7;
  auto text = serialize_trust(p);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_NE(text->find("\"min_security_version\": 7"), std::string::npos);
  EXPECT_EQ(*parse_trust(*text, "t"), p);

  TrustPolicy empty;
  EXPECT_EQ(serialize_trust(empty).error().code, Code::malformed);
  // A named key set is a role: format version 2.
  p.key_sets[0].role = "officer";
  auto roles = serialize_trust(p);
  ASSERT_TRUE(roles.ok()) << roles.error().message;
  EXPECT_NE(roles->find("\"format_version\": 2"), std::string::npos);
  EXPECT_EQ(*parse_trust(*roles, "t"), p);
  p.key_sets[0].role = "Officer";
  EXPECT_EQ(serialize_trust(p).error().code, Code::malformed);
}

TEST(Trust, MessagesNameTheRuleThenTheFile) {
  auto t = parse_trust(expand("{" + kHead + R"("keys":[{"public_key":"nope"}]})"), "/etc/fwseal/trust.json");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message.rfind("T5: /etc/fwseal/trust.json: trust.keys[0].public_key: not a PEM public key", 0),
            0u)
      << t.error().message;
}

TEST(Trust, LoadMissingFileIsIo) {
  auto t = load_trust("/nonexistent/trust.json");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Code::io);
}

TEST(Trust, UnsupportedKeyHasNoTrustedKey) {
  EXPECT_EQ(make_trusted_key(keys().p521.get()).error().code, Code::untrusted);
}

struct BadTrust {
  const char* name;
  const char* rule;     // of docs/FORMAT.md section 4, first in the message
  std::string text;     // expanded
  const char* message;  // expected substring
};

void PrintTo(const BadTrust& b, std::ostream* os) { *os << b.name; }

class MalformedTrust : public ::testing::TestWithParam<BadTrust> {};

TEST_P(MalformedTrust, IsRefusedWithItsRuleAndAPath) {
  auto t = parse_trust(expand(GetParam().text), "trust.json");
  ASSERT_FALSE(t.ok()) << GetParam().name;
  EXPECT_EQ(t.error().code, Code::malformed);
  EXPECT_TRUE(t.error().message.starts_with(std::string(GetParam().rule) + ": trust.json: ")) << t.error().message;
  EXPECT_NE(t.error().message.find(GetParam().message), std::string::npos)
      << "message: " << t.error().message << "\nexpected: " << GetParam().message;
}

std::string with(const std::string& members) { return "{" + kHead + members + "}"; }

INSTANTIATE_TEST_SUITE_P(
    Table, MalformedTrust,
    ::testing::Values(
        BadTrust{"not_json", "T4", "{", "trust.json: invalid JSON"},
        BadTrust{"not_object", "T4", "[]", "trust: expected a JSON object"},
        BadTrust{"duplicate_member", "T4", with(kOneKey + R"(,"threshold":1,"threshold":1)"), "duplicate member name"},
        BadTrust{"unknown_member", "T4", with(kOneKey + R"(,"colour":"red")"), "trust.colour: unknown member"},
        BadTrust{"no_format", "T4", R"({"format_version":1,"keys":[]})", "trust.format: missing"},
        BadTrust{"wrong_format", "T4", R"({"format":"fwseal-manifest","format_version":1,"keys":[]})",
                 "trust.format: expected \"fwseal-trust\""},
        BadTrust{"future_version", "T4", R"({"format":"fwseal-trust","format_version":3,"keys":[]})",
                 "trust.format_version: version 3 is not supported"},
        BadTrust{"v2_member_in_v1", "T4", with(kOneKey + R"(,"roots":[])"),
                 "trust.roots: needs \"format_version\": 2 (this file says 1)"},
        BadTrust{"no_keys", "T4", with(R"("threshold":1)"), "trust.keys: missing"},
        BadTrust{"keys_not_array", "T4", with(R"("keys":{})"), "trust.keys: expected an array"},
        BadTrust{"empty_keys", "T7", with(R"("keys":[])"), "trust.keys: at least one key is required"},
        BadTrust{"key_not_object", "T4", with(R"("keys":["x"])"), "trust.keys[0]: expected a JSON object"},
        BadTrust{"key_unknown_member", "T4", with(R"("keys":[{"public_key":$P256,"comment":"x"}])"),
                 "trust.keys[0].comment: unknown member"},
        BadTrust{"key_missing_pem", "T4", with(R"("keys":[{"name":"x"}])"), "trust.keys[0].public_key: missing"},
        BadTrust{"key_not_pem", "T5", with(R"("keys":[{"public_key":$P256},{"public_key":"MFkwEwYHKoZIzj0CAQ"}])"),
                 "trust.keys[1].public_key: not a PEM public key"},
        BadTrust{"key_two_pems", "T5", with(R"("keys":[{"public_key":$TWO}])"),
                 "trust.keys[0].public_key: not a PEM public key (expected exactly one"},
        BadTrust{"key_bad_base64", "T5",
                 with(R"("keys":[{"public_key":"-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n"}])"),
                 "trust.keys[0].public_key: not a PEM public key"},
        BadTrust{"key_unsupported_curve", "T5", with(R"("keys":[{"public_key":$P521}])"),
                 "trust.keys[0].public_key: EC curve secp521r1 is not supported"},
        BadTrust{"key_id_mismatch", "T5", with(R"("keys":[{"public_key":$P256,"key_id":"$ID_ED"}])"),
                 "trust.keys[0].key_id: does not match the public key, whose key id"},
        BadTrust{"key_id_not_hex", "T5", with(R"("keys":[{"public_key":$P256,"key_id":"ABC"}])"),
                 "trust.keys[0].key_id: expected 64 lowercase hex digits"},
        BadTrust{"key_id_uppercase", "T5", with(R"("keys":[{"public_key":$P256,"key_id":"$UPID"}])"),
                 "trust.keys[0].key_id: not lowercase hex"},
        BadTrust{"duplicate_key", "T5",
                 with(R"("keys":[{"public_key":$P256},{"public_key":$ED},{"public_key":$P256}])"),
                 "trust.keys[2].public_key: the same key as trust.keys[0]"},
        BadTrust{"same_key_compressed", "T5", with(R"("keys":[{"public_key":$P256},{"public_key":$P256C}])"),
                 "trust.keys[1].public_key: the same key as trust.keys[0]"},
        BadTrust{"name_empty", "T6", with(R"("keys":[{"name":"","public_key":$P256}])"),
                 "trust.keys[0].name: must be 1 to"},
        BadTrust{"name_not_string", "T4", with(R"("keys":[{"name":7,"public_key":$P256}])"),
                 "trust.keys[0].name: expected a string"},
        BadTrust{"name_twice", "T6", with(R"("keys":[{"name":"a","public_key":$P256},{"name":"a","public_key":$ED}])"),
                 "trust.keys[1].name: \"a\" names two keys"},
        BadTrust{"threshold_zero", "T7", with(kOneKey + R"(,"threshold":0)"), "trust.threshold: must be at least 1"},
        BadTrust{"threshold_too_high", "T7", with(kTwoKeys + R"(,"threshold":3)"),
                 "trust.threshold: 3 signatures required but only 2 usable keys"},
        BadTrust{"threshold_string", "T4", with(kOneKey + R"(,"threshold":"1")"),
                 "trust.threshold: expected a non-negative integer"},
        BadTrust{"threshold_negative", "T4", with(kOneKey + R"(,"threshold":-1)"),
                 "trust.threshold: expected a non-negative integer"},
        BadTrust{"threshold_fraction", "T4", with(kOneKey + R"(,"threshold":1.5)"),
                 "trust.threshold: expected a non-negative integer"},
        BadTrust{"threshold_vs_revoked", "T7", with(kTwoKeys + R"(,"threshold":2,"revoked_key_ids":["$ID_ED"])"),
                 "trust.threshold: 2 signatures required but only 1 usable keys"},
        BadTrust{"threshold_vs_algorithms", "T7", with(kTwoKeys + R"(,"threshold":2,"algorithms":["ed25519"])"),
                 "trust.threshold: 2 signatures required but only 1 usable keys"},
        BadTrust{"all_keys_revoked", "T7", with(kOneKey + R"(,"revoked_key_ids":["$ID_P256"])"),
                 "trust.threshold: 1 signatures required but only 0 usable keys"},
        BadTrust{"algorithm_unknown", "T8", with(kOneKey + R"(,"algorithms":["ecdsa-p256","rsa-pkcs1"])"),
                 "trust.algorithms[1]: unknown algorithm \"rsa-pkcs1\""},
        BadTrust{"algorithm_twice", "T8", with(kOneKey + R"(,"algorithms":["ecdsa-p256","ecdsa-p256"])"),
                 "trust.algorithms[1]: \"ecdsa-p256\" is listed twice"},
        BadTrust{"algorithms_empty", "T8", with(kOneKey + R"(,"algorithms":[])"), "trust.algorithms: at least one"},
        BadTrust{"algorithm_not_string", "T4", with(kOneKey + R"(,"algorithms":[1])"),
                 "trust.algorithms[0]: expected a string"},
        BadTrust{"revoked_not_hex", "T8", with(kOneKey + R"(,"revoked_key_ids":["xyz"])"), "trust.revoked_key_ids[0]:"},
        BadTrust{"revoked_twice", "T8", with(kTwoKeys + R"(,"revoked_key_ids":["$ID_ED","$ID_ED"])"),
                 "trust.revoked_key_ids[1]: "},
        BadTrust{"min_sv_negative", "T4", with(kOneKey + R"(,"min_security_version":-1)"),
                 "trust.min_security_version: expected a non-negative integer or a decimal string"},
        BadTrust{"min_sv_fraction", "T4", with(kOneKey + R"(,"min_security_version":2.5)"),
                 "trust.min_security_version: expected"},
        BadTrust{"min_sv_too_big", "T4", with(kOneKey + R"(,"min_security_version":18446744073709551616)"),
                 "trust.min_security_version: expected"},
        BadTrust{"min_sv_string_too_big", "T4", with(kOneKey + R"(,"min_security_version":"18446744073709551616")"),
                 "trust.min_security_version: security version"},
        BadTrust{"min_sv_leading_zero", "T4", with(kOneKey + R"(,"min_security_version":"03")"),
                 "trust.min_security_version: security version must be a decimal number"},
        BadTrust{"min_sv_bool", "T4", with(kOneKey + R"(,"min_security_version":true)"),
                 "trust.min_security_version: expected"},
        BadTrust{"hardware_empty", "T9", with(kOneKey + R"(,"hardware":[])"), "trust.hardware: empty list"},
        BadTrust{"hardware_space", "T9", with(kOneKey + R"(,"hardware":["acme cam"])"),
                 "trust.hardware[0]: hardware id \"acme cam\" has a space"},
        BadTrust{"hardware_twice", "T9", with(kOneKey + R"(,"hardware":["a","b","a"])"),
                 "trust.hardware[2]: \"a\" is listed twice"},
        BadTrust{"hardware_not_string", "T4", with(kOneKey + R"(,"hardware":[1])"),
                 "trust.hardware[0]: expected a string"}),
    [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace fwseal
