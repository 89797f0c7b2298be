#include "fwseal/verifier/verify.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "fwseal/base/digest.h"
#include "fwseal/base/file.h"
#include "fwseal/format/layout.h"
#include "steps.h"
#include "test_package.h"

namespace fwseal::verifier {
namespace {

using test::PackageBuilder;
using test::test_key;
using test::trust_for;
using test::verify_bytes;

::testing::AssertionResult Fails(const VerifyReport& r, Code code, std::string_view text) {
  if (r.status.ok()) return ::testing::AssertionFailure() << "verified, expected code " << exit_code(code);
  const Error& e = r.status.error();
  if (e.code != code)
    return ::testing::AssertionFailure() << "code " << exit_code(e.code) << " (" << e.message << "), expected "
                                         << exit_code(code);
  if (e.message.find(text) == std::string::npos)
    return ::testing::AssertionFailure() << "message \"" << e.message << "\" lacks \"" << text << "\"";
  if (r.verified) return ::testing::AssertionFailure() << "failed but has a VerifiedPackage";
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult Verifies(const VerifyReport& r) {
  if (!r.status.ok()) return ::testing::AssertionFailure() << r.status.error().message;
  if (!r.verified) return ::testing::AssertionFailure() << "ok without a VerifiedPackage";
  return ::testing::AssertionSuccess();
}

const test::TestKey& key_a() { return test_key(Algorithm::ecdsa_p256, 0); }
const test::TestKey& key_b() { return test_key(Algorithm::ed25519, 0); }
const test::TestKey& key_c() { return test_key(Algorithm::ecdsa_p256, 1); }
const test::TestKey& key_d() { return test_key(Algorithm::ed25519, 1); }

std::string signed_by(std::initializer_list<const test::TestKey*> keys) {
  PackageBuilder b;
  for (const auto* k : keys) b.sign_with(*k);
  return b.build();
}

std::string short_id(const test::TestKey& k) { return steps::short_hex(k.id); }

// --- valid packages -------------------------------------------------------

class EveryAlgorithm : public ::testing::TestWithParam<Algorithm> {};

TEST_P(EveryAlgorithm, SignedPackageVerifies) {
  const auto& key = test_key(GetParam());
  PackageBuilder b;
  b.sign_with(key);
  const std::string mb = b.manifest_bytes();
  VerifyReport r = verify_bytes(b.build(), trust_for({&key}));
  ASSERT_TRUE(Verifies(r));
  EXPECT_EQ(r.verified->manifest().product, "acme-cam");
  EXPECT_EQ(r.verified->manifest().images.size(), 2u);
  EXPECT_EQ(r.verified->manifest_bytes(), mb);
  EXPECT_EQ(r.verified->manifest_digest(), sha256(mb));
  EXPECT_EQ(*r.manifest_digest, sha256(mb));
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_EQ(r.signatures[0].status, SignatureStatus::valid);
  EXPECT_EQ(r.signatures[0].algorithm, GetParam());
  EXPECT_EQ(r.signatures[0].key_name, key.name);
  EXPECT_EQ(r.signatures_valid, 1u);
  // One row per step of FORMAT.md's version-1 table, in the order they ran.
  const std::vector<std::pair<std::string, std::string>> steps = {
      {"0", "check_trust"},       {"1", "read_manifest_header"}, {"2", "read_manifest_bytes"},
      {"3", "parse_unverified_manifest"}, {"4", "check_manifest_header"}, {"5", "read_contents"},
      {"6", "read_signatures"},   {"7a", "check_signatures"},    {"7b", "check_digests"},
      {"7c", "check_rollback"},   {"7d", "check_hardware"}};
  ASSERT_EQ(r.checks.size(), steps.size());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(r.checks[i].step, steps[i].first);
    EXPECT_EQ(r.checks[i].name, steps[i].second);
    EXPECT_EQ(r.checks[i].result, i == 10 ? CheckResult::skip : CheckResult::pass) << r.checks[i].name;
  }
  EXPECT_EQ(r.checks[10].detail, "skipped: no --hw given and no hardware in trust.json");
}

INSTANTIATE_TEST_SUITE_P(Algorithms, EveryAlgorithm,
                         ::testing::Values(Algorithm::ecdsa_p256, Algorithm::ecdsa_p384, Algorithm::ed25519,
                                           Algorithm::rsa_pss_3072),
                         [](const auto& p) {
                           std::string n(algorithm_name(p.param));
                           for (auto& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(Verify, SbomIsCheckedAndKeptForTheCaller) {
  PackageBuilder b;
  b.sbom = R"({"bomFormat":"CycloneDX","specVersion":"1.5"})";
  b.sign_with(key_a());
  VerifyReport r = verify_bytes(b.build(), trust_for({&key_a()}));
  ASSERT_TRUE(Verifies(r));
  ASSERT_TRUE(r.verified->sbom().has_value());
  EXPECT_EQ(*r.verified->sbom(), *b.sbom);
}

TEST(Verify, ReadsFromAPipeInBoundedChunks) {
  PackageBuilder b;
  // Larger than the stream buffer, and not a multiple of it.
  b.images[1] = test::pattern(PackageStream::kBufferSize * 3 + 777, 9);
  b.sign_with(key_a());
  std::string pkg = b.build();
  test::PipeFeed feed(pkg);
  VerifyReport r = verify_package(feed.fd(), trust_for({&key_a()}), {});
  ASSERT_TRUE(Verifies(r));
  EXPECT_EQ(r.verified->manifest().images[1].size, PackageStream::kBufferSize * 3 + 777);
}

TEST(Verify, RejectionFromAPipeStopsEarly) {
  PackageBuilder b;
  b.images[1] = test::pattern(5u << 20, 3);
  std::string pkg = b.build();  // unsigned
  pkg[1000] ^= 1;               // inside the manifest
  test::PipeFeed feed(pkg);
  VerifyReport r = verify_package(feed.fd(), trust_for({&key_a()}), {});
  EXPECT_EQ(r.status.error().code, Code::malformed);
}

TEST(Verify, ReadErrorIsIo) {
  Fd dir(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(dir);
  VerifyReport r = verify_package(dir.get(), trust_for({&key_a()}), {});
  EXPECT_TRUE(Fails(r, Code::io, "read failed"));
}

// --- 7a signatures ----------------------------------------------------------

TEST(Signatures, UnsignedPackageIsUntrusted) {
  EXPECT_TRUE(Fails(verify_bytes(signed_by({}), trust_for({&key_a()})), Code::untrusted, "R18: package is not signed"));
}

TEST(Signatures, UnknownKeyIsListedButNotCounted) {
  VerifyReport r = verify_bytes(signed_by({&key_b()}), trust_for({&key_a()}));
  EXPECT_TRUE(Fails(r, Code::untrusted,
                    "0 of 1 required signatures: key " + short_id(key_b()) + " is not in trust.json"));
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_EQ(r.signatures[0].status, SignatureStatus::unknown);
  EXPECT_EQ(r.signatures[0].key_id, key_b().id);
}

TEST(Signatures, UnknownKeyBesideATrustedOneIsHarmless) {
  VerifyReport r = verify_bytes(signed_by({&key_b(), &key_a()}), trust_for({&key_a()}));
  ASSERT_TRUE(Verifies(r));
  ASSERT_EQ(r.signatures.size(), 2u);
  EXPECT_EQ(r.signatures[0].status, SignatureStatus::unknown);
  EXPECT_EQ(r.signatures[1].status, SignatureStatus::valid);
}

TEST(Signatures, RevokedKeyDoesNotCount) {
  TrustPolicy t = trust_for({&key_a(), &key_b()});
  t.revoked_key_ids = {key_a().id};
  VerifyReport r = verify_bytes(signed_by({&key_a()}), t);
  EXPECT_TRUE(Fails(r, Code::untrusted,
                    "0 of 1 required signatures: key " + short_id(key_a()) + " (" + key_a().name +
                        ") is revoked by trust.json"));
  EXPECT_EQ(r.signatures[0].status, SignatureStatus::revoked);
}

TEST(Signatures, ThresholdMessageSaysWhyEachSignatureDidNotCount) {
  TrustPolicy t = trust_for({&key_a(), &key_b(), &key_c()}, 2);
  t.revoked_key_ids = {key_c().id};
  VerifyReport r = verify_bytes(signed_by({&key_a(), &key_c(), &key_d()}), t);
  EXPECT_TRUE(Fails(r, Code::untrusted,
                    "1 of 2 required signatures: key " + short_id(key_c()) + " (" + key_c().name +
                        ") is revoked by trust.json (revoked_key_ids); key " + short_id(key_d()) +
                        " is not in trust.json"));
}

TEST(Signatures, DisallowedAlgorithmDoesNotCount) {
  TrustPolicy t = trust_for({&key_a(), &key_b()});
  t.algorithms = {Algorithm::ed25519};
  VerifyReport r = verify_bytes(signed_by({&key_a()}), t);
  EXPECT_TRUE(Fails(r, Code::untrusted, "signs with ecdsa-p256, which trust.json does not allow"));
  EXPECT_EQ(r.signatures[0].status, SignatureStatus::algorithm_not_allowed);
  EXPECT_TRUE(Verifies(verify_bytes(signed_by({&key_b()}), t)));
}

TEST(Signatures, ThresholdOfTwo) {
  TrustPolicy t = trust_for({&key_a(), &key_b()}, 2);
  VerifyReport both = verify_bytes(signed_by({&key_a(), &key_b()}), t);
  ASSERT_TRUE(Verifies(both));
  EXPECT_EQ(both.signatures_valid, 2u);
  EXPECT_EQ(both.signatures_required, 2u);
  EXPECT_TRUE(Fails(verify_bytes(signed_by({&key_a()}), t), Code::untrusted,
                    "1 of 2 required signatures: no other signature by a key in trust.json"));
}

TEST(Signatures, OneKeySigningTwiceIsMalformedInThePackage) {
  TrustPolicy t = trust_for({&key_a(), &key_b()}, 2);
  EXPECT_TRUE(Fails(verify_bytes(signed_by({&key_a(), &key_a()}), t), Code::malformed,
                    "a second signature by the same key"));
}

TEST(Signatures, OneKeyCountsOnceInTheDecision) {
  // The format already refuses two entries by one key; the decision does not
  // rely on that: two valid envelopes of one key are one signature.
  PackageBuilder b;
  auto m = parse_manifest(b.manifest_bytes());
  ASSERT_TRUE(m.ok());
  SignatureEnvelope env;
  env.algorithm = key_a().alg;
  env.key_id = key_a().id;
  env.signature = test::sign_raw(key_a(), signed_bytes(m->bytes));
  SignatureEnvelope again = env;
  again.signature = test::sign_raw(key_a(), signed_bytes(m->bytes));  // ECDSA: different bytes, also valid
  steps::SignatureDecision d;
  Status s = steps::check_signatures(*m, {env, again}, trust_for({&key_a(), &key_b()}, 2), &d);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Code::untrusted);
  EXPECT_NE(s.error().message.find("1 of 2 required signatures"), std::string::npos) << s.error().message;
  EXPECT_EQ(d.valid, 1u);
  ASSERT_EQ(d.reports.size(), 2u);
  EXPECT_EQ(d.reports[1].status, SignatureStatus::valid);
}

TEST(Signatures, ChangedSignatureByTrustedKeyFails) {
  PackageBuilder b;
  const test::TestKey* k = &key_a();
  b.add_entry([k](std::string_view mb) {
    std::string other(mb);
    other.back() = ' ';  // signs bytes other than the manifest
    return test::SignatureEntry{signature_entry_name(to_hex(k->id)), test::envelope_json(*k, other)};
  });
  b.sign_with(key_b());  // a valid second signature does not excuse the first
  VerifyReport r = verify_bytes(b.build(), trust_for({&key_a(), &key_b()}));
  EXPECT_TRUE(Fails(r, Code::signature,
                    "signature by key " + short_id(key_a()) + " (" + key_a().name +
                        ") does not verify: the manifest or signature was changed"));
  EXPECT_EQ(r.signatures[0].status, SignatureStatus::invalid);
  EXPECT_EQ(r.signatures[1].status, SignatureStatus::valid);
}

TEST(Signatures, EnvelopeAlgorithmThatDoesNotFitTheKeyFails) {
  PackageBuilder b;
  const test::TestKey* k = &key_a();
  b.add_entry([k](std::string_view mb) {
    SignatureEnvelope env;
    env.algorithm = Algorithm::ecdsa_p384;  // the key is P-256
    env.key_id = k->id;
    env.signature = test::sign_raw(*k, signed_bytes(mb));
    return test::SignatureEntry{signature_entry_name(to_hex(k->id)), *serialize_envelope(env)};
  });
  EXPECT_TRUE(Fails(verify_bytes(b.build(), trust_for({&key_a()})), Code::signature, "does not verify"));
}

TEST(Signatures, BadSignatureByUnknownKeyIsOnlyListed) {
  PackageBuilder b;
  const test::TestKey* k = &key_d();
  b.add_entry([k](std::string_view) {
    return test::SignatureEntry{signature_entry_name(to_hex(k->id)), test::envelope_json(*k, "not the manifest")};
  });
  b.sign_with(key_a());
  VerifyReport r = verify_bytes(b.build(), trust_for({&key_a()}));
  ASSERT_TRUE(Verifies(r));
  EXPECT_EQ(r.signatures[0].status, SignatureStatus::unknown);
}

// --- 7b digests -------------------------------------------------------------

TEST(Digests, ChangedImageIsADigestMismatch) {
  PackageBuilder b;
  b.sign_with(key_a());
  b.manifest_bytes();  // fixes sizes and digests
  b.keep_digests = true;
  b.images[1][100] ^= 0x40;
  const std::string actual = sha256_hex(b.images[1]);
  const std::string expected = to_hex(b.manifest.images[1].sha256);
  VerifyReport r = verify_bytes(b.build(), trust_for({&key_a()}));
  EXPECT_TRUE(Fails(r, Code::digest,
                    "image rootfs: SHA-256 mismatch (manifest " + expected.substr(0, 16) + "…, content " +
                        actual.substr(0, 16) + "…)"));
  EXPECT_EQ(r.checks[8].name, "check_digests");
  EXPECT_EQ(r.checks[8].result, CheckResult::fail);
  EXPECT_EQ(r.checks[8].detail, r.status.error().message);
  EXPECT_EQ(r.checks[7].result, CheckResult::pass);
  EXPECT_EQ(r.checks[9].detail, "not reached: an earlier step failed");
}

TEST(Digests, ChangedSbomIsADigestMismatch) {
  PackageBuilder b;
  b.sbom = "{\"bomFormat\":\"CycloneDX\"}";
  b.sign_with(key_a());
  b.manifest_bytes();
  b.keep_digests = true;
  (*b.sbom)[3] = 'B';
  EXPECT_TRUE(Fails(verify_bytes(b.build(), trust_for({&key_a()})), Code::digest, "sbom: SHA-256 mismatch"));
}

// --- 7c rollback ------------------------------------------------------------

VerifyReport with_security_version(std::uint64_t package, std::uint64_t trust_min,
                                   std::optional<std::uint64_t> installed) {
  PackageBuilder b;
  b.manifest.security_version = package;
  b.sign_with(key_a());
  TrustPolicy t = trust_for({&key_a()});
  t.min_security_version = trust_min;
  VerifyOptions o;
  o.installed_security_version = installed;
  return verify_bytes(b.build(), t, o);
}

TEST(Rollback, Boundaries) {
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  EXPECT_TRUE(Verifies(with_security_version(3, 3, std::nullopt)));
  EXPECT_TRUE(Verifies(with_security_version(0, 0, std::nullopt)));
  EXPECT_TRUE(Verifies(with_security_version(0, 0, 0)));
  EXPECT_TRUE(Verifies(with_security_version(kMax, kMax, kMax)));
  EXPECT_TRUE(Verifies(with_security_version(5, 3, 5)));
  EXPECT_TRUE(Fails(with_security_version(2, 3, std::nullopt), Code::rollback,
                    "security version 2 is below the minimum 3 (trust.json min_security_version 3)"));
  EXPECT_TRUE(Fails(with_security_version(4, 3, 5), Code::rollback,
                    "security version 4 is below the minimum 5 (trust.json min_security_version 3, installed "
                    "security version 5)"));
  EXPECT_TRUE(Fails(with_security_version(kMax - 1, 0, kMax), Code::rollback,
                    "security version 18446744073709551614 is below the minimum 18446744073709551615"));
  EXPECT_TRUE(Fails(with_security_version(0, 1, std::nullopt), Code::rollback, "security version 0 is below"));
  // The installed version counts only when it is higher than the policy's.
  EXPECT_TRUE(Fails(with_security_version(3, 4, 1), Code::rollback, "below the minimum 4"));
}

// --- 7d hardware ------------------------------------------------------------

VerifyReport on_device(std::vector<std::string> hw, std::vector<std::string> trust_hw = {}) {
  TrustPolicy t = trust_for({&key_a()});
  t.hardware = std::move(trust_hw);
  VerifyOptions o;
  o.hardware = std::move(hw);
  return verify_bytes(signed_by({&key_a()}), t, o);
}

TEST(Hardware, ExactMatchOnly) {
  EXPECT_TRUE(Verifies(on_device({"acme-cam-v2"})));
  EXPECT_TRUE(Verifies(on_device({"acme-cam-v9", "acme-cam-v1"})));
  EXPECT_TRUE(Fails(on_device({"acme-cam-v3"}), Code::hardware,
                    "package is for hardware \"acme-cam-v1\", \"acme-cam-v2\", not for this device "
                    "(\"acme-cam-v3\")"));
  EXPECT_TRUE(Fails(on_device({"ACME-CAM-V1"}), Code::hardware, "\"ACME-CAM-V1\""));
  EXPECT_TRUE(Fails(on_device({"acme-cam-v1 "}), Code::hardware, "\"acme-cam-v1 \""));
  EXPECT_TRUE(Fails(on_device({" acme-cam-v1"}), Code::hardware, "this device"));
  EXPECT_TRUE(Fails(on_device({"acme-cam-v1\n"}), Code::hardware, "\"acme-cam-v1\\x0a\""));
  EXPECT_TRUE(Fails(on_device({"acme-cam"}), Code::hardware, "this device"));
}

TEST(Hardware, TrustFileIdsUnlessHwIsGiven) {
  VerifyReport r = on_device({}, {"acme-cam-v1"});
  ASSERT_TRUE(Verifies(r));
  EXPECT_EQ(r.checks[10].name, "check_hardware");
  EXPECT_EQ(r.checks[10].result, CheckResult::pass);
  EXPECT_TRUE(Fails(on_device({}, {"acme-cam-v9"}), Code::hardware, "\"acme-cam-v9\""));
  EXPECT_TRUE(Verifies(on_device({"acme-cam-v2"}, {"acme-cam-v9"})));
  EXPECT_TRUE(Fails(on_device({"acme-cam-v9"}, {"acme-cam-v1"}), Code::hardware, "\"acme-cam-v9\""));
}

TEST(Hardware, SkippedWhenNoIdIsKnown) {
  VerifyReport r = on_device({});
  ASSERT_TRUE(Verifies(r));
  EXPECT_EQ(r.checks[10].name, "check_hardware");
  EXPECT_EQ(r.checks[10].result, CheckResult::skip);
  EXPECT_NE(r.checks[10].detail.find("skipped"), std::string::npos);
}

// --- order of the decision ----------------------------------------------------

// Signed by key_b, security version 1, the kernel changed after signing.
std::string rollback_with_a_changed_image(bool version_2) {
  PackageBuilder b;
  if (version_2) b.use_version_2();
  b.manifest.security_version = 1;
  b.sign_with(key_b());
  b.manifest_bytes();
  b.keep_digests = true;
  b.images[0][0] ^= 1;
  return b.build();
}

// A device that trusts `keys`, with minimum security version 2, for hardware "other".
TrustPolicy strict_device(std::initializer_list<const test::TestKey*> keys) {
  TrustPolicy t = trust_for(keys);
  t.min_security_version = 2;
  t.hardware = {"other"};
  return t;
}

TEST(Decision, SignaturesBeforeDigestsBeforeRollbackBeforeHardware) {
  std::string pkg = rollback_with_a_changed_image(false);
  EXPECT_EQ(verify_bytes(pkg, strict_device({&key_a()})).status.error().code, Code::untrusted);
  TrustPolicy t = strict_device({&key_a(), &key_b()});
  EXPECT_EQ(verify_bytes(pkg, t).status.error().code, Code::digest);

  PackageBuilder c;
  c.manifest.security_version = 1;
  c.sign_with(key_b());
  std::string pkg2 = c.build();
  EXPECT_EQ(verify_bytes(pkg2, t).status.error().code, Code::rollback);
  t.min_security_version = 1;
  EXPECT_EQ(verify_bytes(pkg2, t).status.error().code, Code::hardware);
}

TEST(Decision, Version2DecidesBeforeItReadsTheContent) {
  // Signatures, rollback and hardware first; the digests last.
  std::string pkg = rollback_with_a_changed_image(true);
  EXPECT_EQ(verify_bytes(pkg, strict_device({&key_a()})).status.error().code, Code::untrusted);
  TrustPolicy t = strict_device({&key_a(), &key_b()});
  EXPECT_EQ(verify_bytes(pkg, t).status.error().code, Code::rollback);  // version 1 says digest here
  t.min_security_version = 1;
  EXPECT_EQ(verify_bytes(pkg, t).status.error().code, Code::hardware);
  t.hardware = {"acme-cam-v1"};
  auto r = verify_bytes(pkg, t);
  EXPECT_EQ(r.status.error().code, Code::digest);
  // The report lists the checks in the order they ran.
  std::vector<std::string> names;
  for (const auto& c : r.checks) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"check_trust", "read_manifest_header", "read_manifest_bytes",
                                             "parse_unverified_manifest", "check_manifest_header",
                                             "read_signature_area", "check_signatures", "check_rollback",
                                             "check_hardware", "read_contents", "check_digests"}));
  EXPECT_EQ(r.checks[10].step, "10");
  EXPECT_EQ(r.checks[10].result, CheckResult::fail);
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(r.checks[i].result, CheckResult::pass) << r.checks[i].name;
}

TEST(Decision, Version2MalformedSignatureAreaFailsTheSignaturesCheck) {
  PackageBuilder b;
  b.use_version_2(512);
  b.signature_area_override = std::string(512, ' ');
  VerifyReport r = verify_bytes(b.build(), trust_for({&key_a()}));
  EXPECT_TRUE(Fails(r, Code::malformed, "signatures.json: no signature list"));
  ASSERT_EQ(r.checks.size(), 11u);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(r.checks[i].result, CheckResult::pass) << r.checks[i].name;
  EXPECT_EQ(r.checks[5].name, "read_signature_area");
  EXPECT_EQ(r.checks[5].result, CheckResult::fail);
  for (std::size_t i = 6; i < 11; ++i) EXPECT_EQ(r.checks[i].result, CheckResult::skip) << r.checks[i].name;
}

// From a pipe, a version-2 package nobody trusted signed costs exactly its
// manifest and its signature area: not a byte of what follows is read.
TEST(Decision, Version2RefusesAnUnsignedPackageAfterItsFirstKilobytes) {
  PackageBuilder b;
  b.use_version_2(2048);
  b.manifest_bytes();
  b.keep_digests = true;
  b.manifest.images[1].size = std::uint64_t{100} << 30;  // declares 100 GiB
  const std::string pkg = b.build();
  const std::size_t head = 512 + padded_size(b.manifest_bytes().size()) + 512 + 2048;

  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
  Fd rd(p[0]), wr(p[1]);
  ::fcntl(wr.get(), F_SETPIPE_SZ, 1 << 20);
  std::size_t written = 0;
  for (;;) {  // the package's start, then as much of the rest as the pipe holds
    std::string_view rest = written < pkg.size() ? std::string_view(pkg).substr(written) : std::string_view("\0\0\0\0", 4);
    ssize_t n = ::write(wr.get(), rest.data(), rest.size());
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  ASSERT_GT(written, head + 4096);
  ASSERT_EQ(::fcntl(rd.get(), F_SETFL, 0), 0);  // the verifier reads blocking
  VerifyReport r = verify_package(rd.get(), trust_for({&key_a()}), {});
  EXPECT_TRUE(Fails(r, Code::untrusted, "package is not signed"));
  ASSERT_EQ(::fcntl(rd.get(), F_SETFL, O_NONBLOCK), 0);
  std::size_t left = 0;
  char buf[65536];
  for (ssize_t n; (n = ::read(rd.get(), buf, sizeof buf)) > 0;) left += static_cast<std::size_t>(n);
  EXPECT_EQ(written - left, head);
}

TEST(Decision, InvalidTrustPolicyIsMalformed) {
  TrustPolicy t = trust_for({&key_a()}, 2);
  EXPECT_TRUE(Fails(verify_bytes(signed_by({&key_a()}), t), Code::malformed, "T7: trust policy: trust.threshold"));
  EXPECT_TRUE(
      Fails(verify_bytes(signed_by({&key_a()}), TrustPolicy{}), Code::malformed, "T7: trust policy: trust.keys"));
}

// --- sinks --------------------------------------------------------------------

class RecordingSink : public PackageSink {
 public:
  Status begin(const UnverifiedManifest& m) override {
    log += "begin " + std::to_string(m.content.images.size()) + ";";
    return ok_status();
  }
  Status begin_image(const ImageInfo& img) override {
    log += "image " + img.name + ";";
    data.emplace_back();
    return ok_status();
  }
  Status image_data(std::string_view chunk) override {
    data.back() += chunk;
    if (fail_after_bytes && data.back().size() >= *fail_after_bytes) return make_error(Code::io, "disk full");
    return ok_status();
  }
  Status end_image() override {
    log += "end;";
    return ok_status();
  }
  std::string log;
  std::vector<std::string> data;
  std::optional<std::size_t> fail_after_bytes;
};

TEST(Sink, ReceivesEachImageInOrder) {
  PackageBuilder b;
  b.sign_with(key_a());
  RecordingSink sink;
  Fd fd = test::memory_fd(b.build());
  VerifyReport r = verify_package(fd.get(), trust_for({&key_a()}), {}, &sink);
  ASSERT_TRUE(Verifies(r));
  EXPECT_EQ(sink.log, "begin 2;image kernel;end;image rootfs;end;");
  ASSERT_EQ(sink.data.size(), 2u);
  EXPECT_EQ(sink.data[0], b.images[0]);
  EXPECT_EQ(sink.data[1], b.images[1]);
}

TEST(Sink, ErrorEndsTheVerification) {
  PackageBuilder b;
  b.sign_with(key_a());
  RecordingSink sink;
  sink.fail_after_bytes = 10;
  Fd fd = test::memory_fd(b.build());
  VerifyReport r = verify_package(fd.get(), trust_for({&key_a()}), {}, &sink);
  EXPECT_TRUE(Fails(r, Code::io, "disk full"));
  EXPECT_EQ(r.checks[5].name, "read_contents");
  EXPECT_EQ(r.checks[5].result, CheckResult::fail);
}

// --- report_json ----------------------------------------------------------------

TEST(ReportJson, ValidPackage) {
  PackageBuilder b;
  b.sign_with(key_a());
  VerifyReport r = verify_bytes(b.build(), trust_for({&key_a()}));
  ASSERT_TRUE(Verifies(r));
  auto j = nlohmann::json::parse(report_json(r));
  EXPECT_EQ(j["verdict"], "valid");
  EXPECT_EQ(j["exit_code"], 0);
  EXPECT_EQ(j["code"], "ok");
  EXPECT_EQ(j["format"], "fwseal-verify");
  EXPECT_EQ(j["format_version"], 1);
  EXPECT_EQ(j["manifest_verified"], true);
  EXPECT_EQ(j["manifest_sha256"], sha256_hex(b.manifest_bytes()));
  EXPECT_EQ(j["created"], "2023-11-14T22:13:20Z");  // 1700000000 as RFC 3339 text, as in every --json document
  // Keys sorted, two-space indent, a final newline: docs/JSON.md.
  EXPECT_EQ(report_json(r), j.dump(2) + "\n");
  EXPECT_EQ(j["product"], "acme-cam");
  EXPECT_EQ(j["version"], "1.4.2");
  EXPECT_EQ(j["security_version"], "3");
  EXPECT_EQ(j["hardware"], nlohmann::json({"acme-cam-v1", "acme-cam-v2"}));
  ASSERT_EQ(j["images"].size(), 2u);
  EXPECT_EQ(j["images"][1]["name"], "rootfs");
  EXPECT_EQ(j["images"][1]["type"], "rootfs");
  EXPECT_EQ(j["images"][1]["size"], 1500);
  EXPECT_EQ(j["images"][1]["sha256"], sha256_hex(b.images[1]));
  ASSERT_EQ(j["signatures"].size(), 1u);
  EXPECT_EQ(j["signatures"][0]["key_id"], to_hex(key_a().id));
  EXPECT_EQ(j["signatures"][0]["algorithm"], "ecdsa-p256");
  EXPECT_EQ(j["signatures"][0]["key_name"], key_a().name);
  EXPECT_EQ(j["signatures"][0]["status"], "valid");
  ASSERT_EQ(j["checks"].size(), 11u);
  EXPECT_EQ(j["checks"][0], nlohmann::json({{"step", "0"},
                                            {"name", "check_trust"},
                                            {"result", "pass"},
                                            {"detail", "the trust policy obeys T1-T10"}}));
  EXPECT_EQ(j["checks"][7]["step"], "7a");
  EXPECT_EQ(j["checks"][7]["name"], "check_signatures");
  EXPECT_EQ(j["checks"][7]["detail"], "1 valid signatures by trusted keys, 1 required");
  EXPECT_EQ(j["checks"][10]["step"], "7d");
  EXPECT_EQ(j["checks"][10]["result"], "skip");
}

TEST(ReportJson, InvalidPackageMarksTheManifestUnverified) {
  VerifyReport r = verify_bytes(signed_by({&key_a()}), trust_for({&key_a()}), VerifyOptions{{"acme-cam-v3"}, {}});
  ASSERT_FALSE(r.ok());
  auto j = nlohmann::json::parse(report_json(r));
  EXPECT_EQ(j["verdict"], "invalid");
  EXPECT_EQ(j["exit_code"], 15);
  EXPECT_EQ(j["code"], "hardware");
  EXPECT_EQ(j["manifest_verified"], false);
  EXPECT_EQ(j["product"], "acme-cam");
  EXPECT_NE(j["message"].get<std::string>().find("acme-cam-v3"), std::string::npos);
  EXPECT_EQ(j["checks"][10]["name"], "check_hardware");
  EXPECT_EQ(j["checks"][10]["result"], "fail");
  EXPECT_EQ(j["checks"][10]["detail"], j["message"]);
}

TEST(ReportJson, NothingReadable) {
  VerifyReport r = verify_bytes("", trust_for({&key_a()}));
  auto j = nlohmann::json::parse(report_json(r));
  EXPECT_EQ(j["exit_code"], 10);
  EXPECT_TRUE(j["product"].is_null());
  EXPECT_TRUE(j["manifest_sha256"].is_null());
  EXPECT_EQ(j["checks"][0]["result"], "pass");
  EXPECT_EQ(j["checks"][1]["name"], "read_manifest_header");
  EXPECT_EQ(j["checks"][1]["result"], "fail");
  EXPECT_EQ(j["checks"][2]["result"], "skip");
}

TEST(ReportJson, DefaultReportIsNeverValid) {
  VerifyReport r;
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(nlohmann::json::parse(report_json(r))["exit_code"], 1);
}

}  // namespace
}  // namespace fwseal::verifier
