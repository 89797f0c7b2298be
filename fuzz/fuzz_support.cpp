#include "fuzz_support.h"

#include <openssl/pem.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "fwseal/base/digest.h"
#include "fwseal/format/layout.h"

namespace fwseal::fuzz {
namespace {

// Generated once with `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`;
// a test key, trusted by nothing but the fuzz targets.
constexpr std::string_view kP256Pem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGA7NwJjnSzAlt+wY\n"
    "XEwVUo9olC5dsDQ3YKLr2xO36vGhRANCAASLgkJeTxopKrFYArNd1XsdRzkIGegD\n"
    "Hnm0TtvLn8me+tXXqa3J6p01WY80tyd4HOXZXnfaSYMasIPjqWVwrzU+\n"
    "-----END PRIVATE KEY-----\n";

template <class T>
T must(Result<T> r, const char* what) {
  if (!r.ok()) fail(__FILE__, __LINE__, std::string(what) + ": " + r.error().message);
  return std::move(r).value();
}

ossl::PKey ed25519_from_seed(unsigned char fill) {
  std::array<unsigned char, 32> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<unsigned char>(fill + i);
  return ossl::PKey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
}

ossl::PKey p256_key() {
  ossl::Bio bio(BIO_new_mem_buf(kP256Pem.data(), static_cast<int>(kP256Pem.size())));
  if (!bio) return nullptr;
  return ossl::PKey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

// The conformance vectors' test keys (tests/vectors/keys/NAME.pem), when this
// checkout has them: nullptr otherwise, or if the key is not Ed25519.
ossl::PKey vectors_ed25519_key(const char* name) {
  auto text = read_file(std::string(FWSEAL_FUZZ_VECTORS_DIR) + "/keys/" + name + ".pem", 1 << 16);
  if (!text.ok()) return nullptr;
  ossl::Bio bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())));
  if (!bio) return nullptr;
  ossl::PKey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) return nullptr;
  return key;
}

FixedKey make_key(KeyName name) {
  ossl::PKey key;
  std::string label;
  switch (name) {
    case KeyName::trusted_a: key = ed25519_from_seed(0x11); label = "fuzz-a"; break;
    case KeyName::trusted_b: key = ed25519_from_seed(0x22); label = "fuzz-b"; break;
    case KeyName::p256: key = p256_key(); label = "fuzz-p256"; break;
    case KeyName::revoked: key = ed25519_from_seed(0x44); label = "fuzz-revoked"; break;
    case KeyName::unknown: key = ed25519_from_seed(0x55); label = "fuzz-unknown"; break;
  }
  if (!key) fail(__FILE__, __LINE__, "cannot make fixed key " + label);
  return test::make_test_key(std::move(key), label);
}

}  // namespace

void fail(const char* file, int line, const std::string& what) {
  std::fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", file, line, what.c_str());
  std::fflush(stderr);
  std::abort();
}

std::string describe(const Status& s) {
  return s.ok() ? std::string("ok") : std::to_string(exit_code(s.error().code)) + " " + s.error().message;
}

const FixedKey& fixed_key(KeyName name) {
  static const std::array<FixedKey, 5> keys = {make_key(KeyName::trusted_a), make_key(KeyName::trusted_b),
                                               make_key(KeyName::p256), make_key(KeyName::revoked),
                                               make_key(KeyName::unknown)};
  return keys[static_cast<std::size_t>(name)];
}

const TrustPolicy& fixed_trust() {
  static const TrustPolicy policy = [] {
    TrustPolicy t;
    KeySet set;
    for (KeyName n : {KeyName::trusted_a, KeyName::trusted_b}) {
      const FixedKey& k = fixed_key(n);
      set.keys.push_back(must(make_trusted_key(k.key.get(), k.name), "make_trusted_key"));
    }
    // So that the vectors signed with their Ed25519 key reach the decision
    // steps like the seeds signed with key a.
    if (ossl::PKey v = vectors_ed25519_key("ed25519"))
      set.keys.push_back(must(make_trusted_key(v.get(), "vectors-ed25519"), "make_trusted_key"));
    set.threshold = 1;
    t.key_sets.push_back(std::move(set));
    t.revoked_key_ids.push_back(fixed_key(KeyName::revoked).id);
    if (ossl::PKey v = vectors_ed25519_key("revoked-ed25519"))
      t.revoked_key_ids.push_back(must(key_id_of(v.get()), "key_id_of"));
    t.min_security_version = 2;
    t.hardware = {"acme-cam-v2"};
    Status s = check_trust(t);
    if (!s.ok()) fail(__FILE__, __LINE__, "fixed trust policy: " + s.error().message);
    return t;
  }();
  return policy;
}

std::string Release::finish() {
  manifest_bytes_override = manifest_bytes();
  keep_digests = true;
  return *manifest_bytes_override;
}

void Release::sign(const FixedKey& key) {
  signatures.push_back(Entry{signature_entry_name(to_hex(key.id)), envelope_json(key, *manifest_bytes_override)});
}

std::string Release::package() const {
  std::vector<Entry> entries = content_entries();
  if (manifest.format_version >= kManifestFormatVersion) {
    // Version 2: the envelopes in signatures.json, before the content.
    std::vector<SignatureEnvelope> envelopes;
    for (const auto& e : signatures) envelopes.push_back(must(parse_envelope(e.data, e.name), "envelope"));
    auto area = serialize_signature_area(std::move(envelopes), manifest.signature_space);
    if (!area.ok()) fail(__FILE__, __LINE__, "signature area: " + area.error().message);
    entries.insert(entries.begin(), Entry{std::string(kSignaturesEntry), *area});
  } else {
    entries.insert(entries.end(), signatures.begin(), signatures.end());
  }
  return test::PackageBuilder::assemble(*manifest_bytes_override, manifest.created, entries);
}

const std::string& fixed_package() {
  static const std::string bytes = [] {
    Release r;
    r.finish();
    r.sign(fixed_key(KeyName::trusted_a));
    return r.package();
  }();
  return bytes;
}

enc::DataKey fixed_data_key() {
  std::array<std::uint8_t, enc::kDataKeyBytes> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 29 + 7);
  return enc::DataKey::from_bytes(bytes);
}

enc::ImageContext decrypt_context(std::uint64_t size) { return {"fuzz", "1", "rootfs", size, 4096}; }

}  // namespace fwseal::fuzz
