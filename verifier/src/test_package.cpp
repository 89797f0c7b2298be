#include "test_package.h"

#include <fcntl.h>
#include <openssl/rsa.h>
#include <sys/mman.h>
#include <csignal>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <stdexcept>

#include "fwseal/base/digest.h"

namespace fwseal::verifier::test {
namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test setup failed: ") + what);
}

template <class T>
T must(Result<T> r, const char* what) {
  if (!r.ok()) throw std::runtime_error(std::string(what) + ": " + r.error().message);
  return std::move(r).value();
}

ossl::PKey generate(Algorithm alg) {
  switch (alg) {
    case Algorithm::ecdsa_p256: return ossl::PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    case Algorithm::ecdsa_p384: return ossl::PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
    case Algorithm::ed25519: return ossl::PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    case Algorithm::rsa_pss_3072: return ossl::PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{3072}));
    case Algorithm::rsa_pss_4096: return ossl::PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{4096}));
  }
  return nullptr;
}

}  // namespace

const TestKey& test_key(Algorithm alg, int index) {
  static std::mutex mu;
  static std::map<std::pair<Algorithm, int>, TestKey> keys;
  std::lock_guard lock(mu);
  auto it = keys.find({alg, index});
  if (it != keys.end()) return it->second;
  TestKey k;
  k.alg = alg;
  k.key = generate(alg);
  require(k.key != nullptr, "key generation");
  k.id = must(key_id_of(k.key.get()), "key id");
  k.name = std::string(algorithm_name(alg)) + "-" + std::to_string(index);
  return keys.emplace(std::make_pair(alg, index), std::move(k)).first->second;
}

std::string sign_raw(const TestKey& key, std::string_view message) {
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  require(EVP_DigestSignInit(ctx.get(), &pctx, algorithm_digest(key.alg), nullptr, key.key.get()) == 1, "sign init");
  if (key.alg == Algorithm::rsa_pss_3072 || key.alg == Algorithm::rsa_pss_4096) {
    require(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, algorithm_digest(key.alg)) == 1 &&
                EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1,
            "pss params");
  }
  std::size_t len = 0;
  const auto* msg = reinterpret_cast<const unsigned char*>(message.data());
  require(EVP_DigestSign(ctx.get(), nullptr, &len, msg, message.size()) == 1, "sign size");
  std::string sig(len, '\0');
  require(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, msg, message.size()) == 1,
          "sign");
  sig.resize(len);
  return sig;
}

std::string envelope_json(const TestKey& key, std::string_view manifest_bytes) {
  SignatureEnvelope env;
  env.algorithm = key.alg;
  env.key_id = key.id;
  env.signature = sign_raw(key, signed_bytes(manifest_bytes));
  return must(serialize_envelope(env), "envelope");
}

TrustPolicy trust_for(const std::vector<const TestKey*>& keys, std::uint64_t threshold) {
  TrustPolicy t;
  KeySet set;
  for (const TestKey* k : keys) set.keys.push_back(must(make_trusted_key(k->key.get(), k->name), "trusted key"));
  set.threshold = threshold;
  t.key_sets.push_back(std::move(set));
  return t;
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

PackageBuilder::PackageBuilder() {
  manifest.product = "acme-cam";
  manifest.version = "1.4.2";
  manifest.security_version = 3;
  manifest.hardware = {"acme-cam-v1", "acme-cam-v2"};
  manifest.created = 1700000000;
  add_image("kernel", "kernel", pattern(700, 1));
  add_image("rootfs", "rootfs", pattern(1500, 2));
}

void PackageBuilder::add_image(std::string name, std::string type, std::string data) {
  manifest.images.push_back(ImageInfo{std::move(name), std::move(type), 0, {}});
  images.push_back(std::move(data));
}

void PackageBuilder::sign_with(const TestKey& key) {
  const TestKey* k = &key;
  add_entry([k](std::string_view mb) {
    return SignatureEntry{signature_entry_name(to_hex(k->id)), envelope_json(*k, mb)};
  });
}

void PackageBuilder::add_entry(std::function<SignatureEntry(std::string_view)> make) {
  entries_.push_back(std::move(make));
}

void PackageBuilder::fill() {
  require(images.size() == manifest.images.size(), "one data per image");
  if (keep_digests) return;
  for (std::size_t i = 0; i < images.size(); ++i) {
    manifest.images[i].size = images[i].size();
    manifest.images[i].sha256 = sha256(images[i]);
  }
  if (sbom) manifest.sbom = SbomInfo{sbom->size(), sha256(*sbom)};
}

std::string PackageBuilder::manifest_bytes() {
  fill();
  if (manifest_bytes_override) return *manifest_bytes_override;
  return must(serialize_manifest(manifest), "manifest");
}

std::string PackageBuilder::build(std::vector<Region>* regions) {
  const std::string mb = manifest_bytes();
  std::string out;
  auto entry = [&](const std::string& name, std::string_view data) {
    std::string header = must(tar_header(name, data.size(), manifest.created), "header");
    if (regions) {
      regions->push_back({name + " header", out.size(), header.size()});
      regions->push_back({name + " data", out.size() + header.size(), data.size()});
      regions->push_back({name + " padding", out.size() + header.size() + data.size(),
                          padded_size(data.size()) - data.size()});
    }
    out += header;
    out += data;
    out.append(padded_size(data.size()) - data.size(), '\0');
  };
  entry(std::string(kManifestEntry), mb);
  if (sbom) entry(std::string(kSbomEntry), *sbom);
  for (std::size_t i = 0; i < images.size(); ++i) entry(image_entry_name(manifest.images[i].name), images[i]);
  for (const auto& make : entries_) {
    SignatureEntry e = make(mb);
    entry(e.name, e.data);
  }
  if (regions) regions->push_back({"end of archive", out.size(), 2 * kBlock});
  out += end_of_archive();
  return out;
}

Fd memory_fd(std::string_view bytes) {
  Fd fd(::memfd_create("fwseal-test-package", MFD_CLOEXEC));
  require(static_cast<bool>(fd), "memfd_create");
  require(write_all(fd.get(), bytes, "memfd").ok(), "memfd write");
  require(::lseek(fd.get(), 0, SEEK_SET) == 0, "memfd seek");
  return fd;
}

PipeFeed::PipeFeed(std::string bytes) {
  std::signal(SIGPIPE, SIG_IGN);  // a reader that stops early must not kill the test
  int p[2];
  require(::pipe2(p, O_CLOEXEC) == 0, "pipe");
  read_ = Fd(p[0]);
  writer_ = std::thread([w = p[1], data = std::move(bytes)] {
    // The reader may stop early (a rejected package): EPIPE is expected then.
    std::string_view rest = data;
    while (!rest.empty()) {
      ssize_t n = ::write(w, rest.data(), rest.size());
      if (n <= 0) break;
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
    ::close(w);
  });
}

PipeFeed::~PipeFeed() {
  read_ = Fd();  // a writer blocked on a full pipe gets EPIPE
  writer_.join();
}

VerifyReport verify_bytes(std::string_view package, const TrustPolicy& trust, const VerifyOptions& options) {
  Fd fd = memory_fd(package);
  return verify_package(fd.get(), trust, options);
}

void rewrite_checksum(std::string& package, std::size_t offset) {
  std::fill(package.begin() + static_cast<std::ptrdiff_t>(offset + 148),
            package.begin() + static_cast<std::ptrdiff_t>(offset + 156), ' ');
  unsigned sum = 0;
  for (std::size_t i = 0; i < kBlock; ++i) sum += static_cast<unsigned char>(package[offset + i]);
  char field[9];
  std::snprintf(field, sizeof field, "%06o", sum);
  std::copy(field, field + 6, package.begin() + static_cast<std::ptrdiff_t>(offset + 148));
  package[offset + 154] = '\0';
  package[offset + 155] = ' ';
}

}  // namespace fwseal::verifier::test
