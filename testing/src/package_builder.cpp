#include "fwseal/testing/package_builder.h"

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

namespace fwseal::test {
namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test setup failed: ") + what);
}

template <class T>
T must(Result<T> r, const char* what) {
  if (!r.ok()) throw std::runtime_error(std::string(what) + ": " + r.error().message);
  return std::move(r).value();
}

}  // namespace

ossl::PKey generate_key(Algorithm alg) {
  switch (alg) {
    case Algorithm::ecdsa_p256: return ossl::PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    case Algorithm::ecdsa_p384: return ossl::PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
    case Algorithm::ed25519: return ossl::PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    case Algorithm::rsa_pss_3072: return ossl::PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{3072}));
    case Algorithm::rsa_pss_4096: return ossl::PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{4096}));
  }
  return nullptr;
}

Result<std::string> sign_message(const EVP_PKEY* key, std::string_view message) {
  FWSEAL_ASSIGN(Algorithm alg, algorithm_of(key));
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, algorithm_digest(alg), nullptr, const_cast<EVP_PKEY*>(key)) != 1)
    return make_error(Code::internal, "sign init: " + ossl::last_error());
  if (alg == Algorithm::rsa_pss_3072 || alg == Algorithm::rsa_pss_4096) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, algorithm_digest(alg)) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)
      return make_error(Code::internal, "RSA-PSS parameters: " + ossl::last_error());
  }
  std::size_t len = 0;
  const auto* msg = reinterpret_cast<const unsigned char*>(message.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, msg, message.size()) != 1)
    return make_error(Code::internal, "sign: " + ossl::last_error());
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, msg, message.size()) != 1)
    return make_error(Code::internal, "sign: " + ossl::last_error());
  sig.resize(len);
  return ecdsa_low_s(alg, sig);  // as fwseal sign stores them (R22)
}

TestKey make_test_key(ossl::PKey key, std::string name) {
  require(key != nullptr, "a key");
  TestKey k;
  k.alg = must(algorithm_of(key.get()), "algorithm");
  k.id = must(key_id_of(key.get()), "key id");
  k.key = std::move(key);
  k.name = std::move(name);
  return k;
}

const TestKey& test_key(Algorithm alg, int index) {
  static std::mutex mu;
  static std::map<std::pair<Algorithm, int>, TestKey> keys;
  std::lock_guard lock(mu);
  auto it = keys.find({alg, index});
  if (it != keys.end()) return it->second;
  TestKey k = make_test_key(generate_key(alg), std::string(algorithm_name(alg)) + "-" + std::to_string(index));
  return keys.emplace(std::make_pair(alg, index), std::move(k)).first->second;
}

std::string sign_raw(const TestKey& key, std::string_view message) {
  return must(sign_message(key.key.get(), message), "sign");
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

PackageBuilder::PackageBuilder(std::size_t kernel_size, std::size_t rootfs_size) {
  manifest.product = "acme-cam";
  manifest.version = "1.4.2";
  manifest.security_version = 3;
  manifest.hardware = {"acme-cam-v1", "acme-cam-v2"};
  manifest.created = 1700000000;
  manifest.format_version = kManifestFormatVersion1;  // use_version_2() for signatures first
  manifest.signature_space = 0;
  add_image("kernel", "kernel", pattern(kernel_size, 1));
  add_image("rootfs", "rootfs", pattern(rootfs_size, 2));
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

std::string PackageBuilder::assemble(std::string_view manifest_bytes, std::int64_t created,
                                     const std::vector<SignatureEntry>& entries, std::vector<Region>* regions) {
  std::string out;
  auto entry = [&](const std::string& name, std::string_view data) {
    std::string header = must(tar_header(name, data.size(), created), "header");
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
  entry(std::string(kManifestEntry), manifest_bytes);
  for (const auto& e : entries) entry(e.name, e.data);
  if (regions) regions->push_back({"end of archive", out.size(), 2 * kBlock});
  out += end_of_archive();
  return out;
}

std::vector<SignatureEntry> PackageBuilder::content_entries() const {
  std::vector<SignatureEntry> entries;
  if (sbom) entries.push_back({std::string(kSbomEntry), *sbom});
  for (std::size_t i = 0; i < images.size() && i < manifest.images.size(); ++i)
    entries.push_back({image_entry_name(manifest.images[i].name), images[i]});
  return entries;
}

void PackageBuilder::use_version_2(std::uint64_t signature_space) {
  manifest.format_version = kManifestFormatVersion;
  manifest.signature_space = signature_space;
}

std::string PackageBuilder::signature_area(std::string_view mb) const {
  std::vector<SignatureEnvelope> envelopes;
  for (const auto& make : entries_) {
    SignatureEntry e = make(mb);
    envelopes.push_back(must(parse_envelope(e.data, e.name), "envelope"));
  }
  return must(serialize_signature_area(std::move(envelopes), manifest.signature_space), "signature area");
}

std::string PackageBuilder::build(std::vector<Region>* regions) {
  const std::string mb = manifest_bytes();
  std::vector<SignatureEntry> entries;
  if (manifest.format_version >= kManifestFormatVersion)
    entries.push_back({std::string(kSignaturesEntry), signature_area_override ? *signature_area_override
                                                                              : signature_area(mb)});
  for (auto& e : content_entries()) entries.push_back(std::move(e));
  if (manifest.format_version < kManifestFormatVersion)
    for (const auto& make : entries_) entries.push_back(make(mb));
  return assemble(mb, manifest.created, entries, regions);
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

}  // namespace fwseal::test
