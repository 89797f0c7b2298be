#include "fwseal/format/provenance.h"
#include "fwseal/verifier/provenance.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fwseal/format/canonical_json.h"

namespace fwseal::verifier {
namespace {

using ::testing::HasSubstr;

Provenance sample() {
  Provenance p;
  p.subject_name = "acme-cam-1.4.2.fwpkg";
  p.manifest_digest = sha256("manifest");
  p.parameters_name = "spec.json";
  p.parameters_sha256 = sha256("spec");
  p.materials = {{"spec", "spec.json", "", sha256("spec")}, {"image", "out/a.bin", "bootloader", sha256("a")}};
  p.builder_version = "0.1.0";
  p.invocation_id = "urn:fwseal:manifest:00";
  p.started_on = p.finished_on = 1790000000;
  return p;
}

struct Signed {
  ossl::PKey key;
  TrustPolicy trust;
  std::string file;
};

Signed sign_sample(const Provenance& p, bool ecdsa = false) {
  Signed s;
  s.key.reset(ecdsa ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256") : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  auto tk = make_trusted_key(s.key.get(), "build");
  s.trust.key_sets = {KeySet{"", {*tk}, {}, 1}};
  std::string payload = serialize_statement(p).value();
  std::string pae = dsse_pae(kInTotoPayloadType, payload);
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  EVP_DigestSignInit(ctx.get(), nullptr, ecdsa ? EVP_sha256() : nullptr, nullptr, s.key.get());
  std::size_t len = 0;
  const auto* msg = reinterpret_cast<const unsigned char*>(pae.data());
  EVP_DigestSign(ctx.get(), nullptr, &len, msg, pae.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, msg, pae.size());
  sig.resize(len);
  sig = *ecdsa_low_s(ecdsa ? Algorithm::ecdsa_p256 : Algorithm::ed25519, sig);
  DsseEnvelope env{std::string(kInTotoPayloadType), payload, {{to_hex(tk->key_id), sig}}};
  s.file = serialize_dsse(env).value();
  return s;
}

TEST(Provenance, PaeIsTheDsseEncoding) {
  // The example of the DSSE specification (protocol.md).
  EXPECT_EQ(dsse_pae("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  EXPECT_EQ(dsse_pae("", ""), "DSSEv1 0  0 ");
}

TEST(Provenance, StatementRoundTrips) {
  Provenance p = sample();
  auto bytes = serialize_statement(p);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  auto back = parse_statement(*bytes, "p");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, p);
  auto j = nlohmann::json::parse(*bytes);
  EXPECT_EQ(j["_type"], "https://in-toto.io/Statement/v1");
  EXPECT_EQ(j["predicateType"], "https://slsa.dev/provenance/v1");
  EXPECT_EQ(j["subject"][0]["digest"]["sha256"], to_hex(sha256("manifest")));
  EXPECT_EQ(j["predicate"]["buildDefinition"]["buildType"], "urn:fwseal:buildtype:package:v1");
  EXPECT_EQ(j["predicate"]["buildDefinition"]["externalParameters"]["spec"]["name"], "spec.json");
  EXPECT_EQ(j["predicate"]["runDetails"]["builder"]["id"], "urn:fwseal:builder:fwseal@0.1.0");
  EXPECT_EQ(j["predicate"]["runDetails"]["metadata"]["startedOn"], "2026-09-21T14:13:20Z");
}

TEST(Provenance, ParseRefusesWhatFwsealDoesNotWrite) {
  std::string good = serialize_statement(sample()).value();
  auto edit = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    s.replace(at, from.size(), to);
    return parse_statement(s, "p");
  };
  auto bt = edit("urn:fwseal:buildtype:package:v1", "https://example.com/other");
  ASSERT_FALSE(bt.ok());
  EXPECT_THAT(bt.error().message, HasSubstr("buildType"));
  auto ty = edit("Statement/v1", "Statement/v0.1");
  ASSERT_FALSE(ty.ok());
  EXPECT_THAT(ty.error().message, HasSubstr("_type"));
  auto tm = edit("2026-09-21T14:13:20Z", "2026-02-30T14:13:20Z");
  ASSERT_FALSE(tm.ok());
  EXPECT_THAT(tm.error().message, HasSubstr("metadata.finishedOn"));  // the first of the two times
  EXPECT_FALSE(parse_statement(good + " ", "p").ok());  // not canonical
}

TEST(Provenance, VerifiesSignatureThenSubject) {
  Provenance p = sample();
  for (bool ecdsa : {false, true}) {
    Signed s = sign_sample(p, ecdsa);
    auto v = verify_provenance(s.file, s.trust, p.manifest_digest, "p.intoto.jsonl");
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_EQ(v->statement, p);
    EXPECT_EQ(v->key_name, "build");
  }
  Signed s = sign_sample(p);
  // Another package.
  auto other = verify_provenance(s.file, s.trust, sha256("other"), "p.intoto.jsonl");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, Code::digest);
  EXPECT_THAT(other.error().message, HasSubstr("describes another package"));
  // An untrusted key.
  Signed s2 = sign_sample(p);
  auto untrusted = verify_provenance(s.file, s2.trust, p.manifest_digest, "p.intoto.jsonl");
  ASSERT_FALSE(untrusted.ok());
  EXPECT_EQ(untrusted.error().code, Code::untrusted);
  EXPECT_THAT(untrusted.error().message, HasSubstr("is not in trust.json"));
  // Revoked.
  TrustPolicy revoked = s.trust;
  revoked.revoked_key_ids = {s.trust.key_sets[0].keys[0].key_id};
  auto rv = verify_provenance(s.file, revoked, p.manifest_digest, "p.intoto.jsonl");
  ASSERT_FALSE(rv.ok());
  EXPECT_EQ(rv.error().code, Code::untrusted);
  EXPECT_THAT(rv.error().message, HasSubstr("revoked"));
  // A changed payload: the signature fails before the payload is read.
  auto env = parse_dsse(s.file, "p").value();
  env.payload[env.payload.find("spec.json")] = 'S';
  auto changed = verify_provenance(serialize_dsse(env).value(), s.trust, p.manifest_digest, "p.intoto.jsonl");
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().code, Code::signature);
  EXPECT_THAT(changed.error().message, HasSubstr("does not verify"));
  // Not an envelope.
  auto junk = verify_provenance("{}\n", s.trust, p.manifest_digest, "p.intoto.jsonl");
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.error().code, Code::malformed);
  auto type = parse_dsse(s.file, "p").value();
  type.payload_type = "text/plain";
  auto wrong_type = verify_provenance(serialize_dsse(type).value(), s.trust, p.manifest_digest, "p.intoto.jsonl");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.error().code, Code::malformed);
  EXPECT_THAT(wrong_type.error().message, HasSubstr("payloadType"));
}

}  // namespace
}  // namespace fwseal::verifier
