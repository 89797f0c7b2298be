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
  FixedKey k;
  switch (name) {
    case KeyName::trusted_a: k.key = ed25519_from_seed(0x11); k.name = "fuzz-a"; break;
    case KeyName::trusted_b: k.key = ed25519_from_seed(0x22); k.name = "fuzz-b"; break;
    case KeyName::p256: k.key = p256_key(); k.name = "fuzz-p256"; break;
    case KeyName::revoked: k.key = ed25519_from_seed(0x44); k.name = "fuzz-revoked"; break;
    case KeyName::unknown: k.key = ed25519_from_seed(0x55); k.name = "fuzz-unknown"; break;
  }
  if (!k.key) fail(__FILE__, __LINE__, "cannot make fixed key " + k.name);
  k.algorithm = must(algorithm_of(k.key.get()), "algorithm_of");
  k.id = must(key_id_of(k.key.get()), "key_id_of");
  return k;
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

std::string sign_ed25519(const FixedKey& key, std::string_view message) {
  if (key.algorithm != Algorithm::ed25519) fail(__FILE__, __LINE__, "sign_ed25519 with " + key.name);
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  const auto* msg = reinterpret_cast<const unsigned char*>(message.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, msg, message.size()) != 1)
    fail(__FILE__, __LINE__, "ed25519 sign init");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, msg, message.size()) != 1)
    fail(__FILE__, __LINE__, "ed25519 sign");
  sig.resize(len);
  return sig;
}

std::string envelope_json(const FixedKey& key, std::string_view manifest_bytes) {
  SignatureEnvelope env;
  env.algorithm = key.algorithm;
  env.key_id = key.id;
  env.signature = sign_ed25519(key, signed_bytes(manifest_bytes));
  return must(serialize_envelope(env), "serialize_envelope");
}

std::string package_bytes(std::string_view manifest_bytes, std::int64_t created, const std::vector<Entry>& entries) {
  std::string out;
  auto add = [&](const std::string& name, std::string_view data) {
    out += must(tar_header(name, data.size(), created), "tar_header");
    out += data;
    out.append(static_cast<std::size_t>(padded_size(data.size()) - data.size()), '\0');
  };
  add(std::string(kManifestEntry), manifest_bytes);
  for (const auto& e : entries) add(e.name, e.data);
  out += end_of_archive();
  return out;
}

std::string pattern(std::size_t n, unsigned seed) {
  std::string out(n, '\0');
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& c : out) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return out;
}

Release::Release() {
  manifest.product = "acme-cam";
  manifest.version = "1.4.2";
  manifest.security_version = 3;
  manifest.hardware = {"acme-cam-v1", "acme-cam-v2"};
  manifest.created = 1700000000;
  add_image("kernel", "kernel", pattern(300, 1));
  add_image("rootfs", "rootfs", pattern(900, 2));
}

void Release::add_image(std::string name, std::string type, std::string data) {
  manifest.images.push_back(ImageInfo{std::move(name), std::move(type), 0, {}});
  images.push_back(std::move(data));
}

std::string Release::finish() {
  for (std::size_t i = 0; i < images.size() && i < manifest.images.size(); ++i) {
    manifest.images[i].size = images[i].size();
    manifest.images[i].sha256 = sha256(images[i]);
  }
  if (sbom) manifest.sbom = SbomInfo{sbom->size(), sha256(*sbom)};
  manifest_bytes_ = must(serialize_manifest(manifest), "serialize_manifest");
  return manifest_bytes_;
}

void Release::sign(const FixedKey& key) {
  signatures.push_back(Entry{signature_entry_name(to_hex(key.id)), envelope_json(key, manifest_bytes_)});
}

std::string Release::package() const {
  std::vector<Entry> entries;
  if (sbom) entries.push_back(Entry{std::string(kSbomEntry), *sbom});
  for (std::size_t i = 0; i < images.size(); ++i)
    entries.push_back(Entry{image_entry_name(manifest.images[i].name), images[i]});
  entries.insert(entries.end(), signatures.begin(), signatures.end());
  return package_bytes(manifest_bytes_, manifest.created, entries);
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

Fd memory_fd(std::string_view bytes) {
  Fd fd(::memfd_create("fwseal-fuzz", MFD_CLOEXEC));
  if (!fd) fail(__FILE__, __LINE__, "memfd_create: " + errno_text(errno));
  Status w = write_all(fd.get(), bytes, "memfd");
  if (!w.ok()) fail(__FILE__, __LINE__, w.error().message);
  if (::lseek(fd.get(), 0, SEEK_SET) != 0) fail(__FILE__, __LINE__, "lseek: " + errno_text(errno));
  return fd;
}

}  // namespace fwseal::fuzz
