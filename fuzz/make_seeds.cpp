// fuzz_make_seeds OUT_DIR: writes the seed corpora, deterministically (fixed
// keys, Ed25519 signatures, fixed times), into OUT_DIR/{manifest,signature,
// trust,package,decrypt}/. Package seeds are named "<expected exit code>-<what>.fwpkg"
// and each is verified against fuzz::fixed_trust() here, so a seed that stops
// meaning what its name says fails the run instead of quietly fuzzing
// something else.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "fwseal/base/digest.h"
#include "fwseal/format/layout.h"

using namespace fwseal;
using namespace fwseal::verifier;
using fuzz::fixed_key;
using fuzz::KeyName;

namespace {

std::filesystem::path g_out;
int g_written = 0;

void write(const std::string& dir, const std::string& name, std::string_view bytes) {
  std::filesystem::path d = g_out / dir;
  std::filesystem::create_directories(d);
  std::ofstream f(d / name, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) fuzz::fail(__FILE__, __LINE__, "cannot write " + (d / name).string());
  ++g_written;
}

template <class T>
T must(Result<T> r, const char* what) {
  if (!r.ok()) fuzz::fail(__FILE__, __LINE__, std::string(what) + ": " + r.error().message);
  return std::move(r).value();
}

std::string replace_once(std::string s, std::string_view from, std::string_view to) {
  auto at = s.find(from);
  if (at == std::string::npos) fuzz::fail(__FILE__, __LINE__, "seed edit: no " + std::string(from));
  return s.replace(at, from.size(), to);
}

void manifests() {
  fuzz::Release base;
  const std::string release = base.finish();
  write("manifest", "release.json", release);

  fuzz::Release with_sbom;
  with_sbom.sbom = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\"}";
  write("manifest", "sbom.json", with_sbom.finish());

  fuzz::Release minimal;
  minimal.manifest = Manifest{};
  minimal.images.clear();
  minimal.manifest.product = "p";
  minimal.manifest.version = "1";
  minimal.manifest.hardware = {"x"};
  minimal.add_image("a", "a", "");
  write("manifest", "minimal.json", minimal.finish());

  // Extremes: the largest security version, the latest time a package may
  // carry (R11), multi-byte UTF-8, a 64-byte image name, an image big enough
  // for a pax size header, many hardware ids.
  Manifest big;
  big.product = "Kamera \xe2\x80\x93 \xe6\x91\x84\xe5\x83\x8f\xe5\xa4\xb4 \xf0\x9f\x93\xb7";
  big.version = "2026.1.0-rc.1+build.7";
  big.security_version = 18446744073709551615u;
  big.created = kMaxCreated;  // the last second R11 allows
  for (int i = 0; i < 12; ++i) big.hardware.push_back("hw-" + std::string(1, static_cast<char>('a' + i)) + "!~");
  big.images.push_back(ImageInfo{std::string(64, 'z'), "rootfs", std::uint64_t{1} << 34, sha256("big")});
  big.images.push_back(ImageInfo{"Boot.loader_v2-0", "bootloader", 512, sha256("boot")});
  big.images.push_back(ImageInfo{"0", "a-1", 0, sha256("")});
  big.sbom = SbomInfo{9007199254740991u, sha256("sbom")};
  write("manifest", "extremes.json", must(serialize_manifest(big), "extremes"));

  // Refused ones, a byte or a member away from valid.
  write("manifest", "bad-whitespace.json", replace_once(release, ",", ", "));
  write("manifest", "bad-order.json", replace_once(release, "{\"created\"", "{\"product\":\"x\",\"created\""));
  write("manifest", "bad-unknown-member.json", replace_once(release, "\"version\"", "\"vendor\":\"a\",\"version\""));
  write("manifest", "bad-leading-zero.json", replace_once(release, "\"security_version\":\"3\"", "\"security_version\":\"03\""));
  write("manifest", "bad-escape.json", replace_once(release, "acme-cam\"", "acme\\u002dcam\""));
  write("manifest", "bad-version.json", replace_once(release, "\"format_version\":1", "\"format_version\":2"));
}

void signatures() {
  const auto& a = fixed_key(KeyName::trusted_a);
  SignatureEnvelope env;
  env.algorithm = Algorithm::ed25519;
  env.key_id = a.id;
  env.signature = fuzz::sign_raw(a, fuzz::kFuzzMessage);
  write("signature", "ed25519-valid.json", must(serialize_envelope(env), "envelope"));

  env.certificates = {fuzz::pattern(300, 7), fuzz::pattern(40, 8)};
  write("signature", "ed25519-certificates.json", must(serialize_envelope(env), "envelope"));

  // A DER ECDSA-Sig-Value shape with fixed (wrong) numbers: ECDSA signatures
  // are randomised, so no valid one can be a deterministic seed.
  SignatureEnvelope ec;
  ec.algorithm = Algorithm::ecdsa_p256;
  ec.key_id = fixed_key(KeyName::p256).id;
  ec.signature = std::string("\x30\x44\x02\x20", 4) + fuzz::pattern(32, 9) + std::string("\x02\x20", 2) +
                 fuzz::pattern(32, 10);
  ec.signature[4] = 0x11;   // positive INTEGERs
  ec.signature[38] = 0x22;
  write("signature", "ecdsa-p256.json", must(serialize_envelope(ec), "envelope"));

  for (Algorithm alg : {Algorithm::ecdsa_p384, Algorithm::rsa_pss_3072, Algorithm::rsa_pss_4096}) {
    SignatureEnvelope other;
    other.algorithm = alg;
    other.key_id = sha256(algorithm_name(alg));
    other.signature = fuzz::pattern(alg == Algorithm::ecdsa_p384 ? 103 : alg == Algorithm::rsa_pss_3072 ? 384 : 512, 11);
    write("signature", std::string(algorithm_name(alg)) + ".json", must(serialize_envelope(other), "envelope"));
  }

  // Tar header blocks: the entries fwseal writes, a pax size header, and
  // near misses (GNU magic, a directory, a bad checksum).
  const std::string id_hex = to_hex(a.id);
  write("signature", "header-signature.tar", must(tar_header(signature_entry_name(id_hex), 151, 1700000000), "hdr"));
  write("signature", "header-manifest.tar", must(tar_header("manifest.json", 1234, 0), "hdr"));
  write("signature", "header-image.tar", must(tar_header(image_entry_name(std::string(64, 'n')), 700, kMaxCreated), "hdr"));
  std::string pax = must(tar_header("image/huge", std::uint64_t{1} << 34, 1700000000), "hdr");
  write("signature", "header-pax.tar", pax);
  std::string block = must(tar_header("signature/x.json", 10, 1700000000), "hdr");
  std::string gnu = block;
  gnu.replace(257, 8, std::string("ustar  \0", 8));
  write("signature", "header-gnu-magic.tar", gnu);
  std::string dir = block;
  dir[156] = '5';
  write("signature", "header-directory.tar", dir);
  std::string sum = block;
  sum[148] = static_cast<char>(sum[148] == '1' ? '2' : '1');
  write("signature", "header-bad-checksum.tar", sum);
}

void trust() {
  const TrustPolicy& fixed = fuzz::fixed_trust();
  const std::string text = must(serialize_trust(fixed), "serialize_trust");
  write("trust", "fixed.json", text);

  TrustPolicy strict = fixed;
  strict.algorithms = {Algorithm::ed25519, Algorithm::ecdsa_p256};
  strict.key_sets.front().threshold = 2;
  strict.min_security_version = 18446744073709551615u;
  strict.hardware = {"acme-cam-v1", "acme-cam-v9"};
  write("trust", "strict.json", must(serialize_trust(strict), "serialize_trust"));

  TrustPolicy with_p256 = fixed;
  with_p256.key_sets.front().keys.push_back(
      must(make_trusted_key(fixed_key(KeyName::p256).key.get(), "ec-root"), "make_trusted_key"));
  with_p256.algorithms = {Algorithm::ecdsa_p256, Algorithm::ed25519, Algorithm::rsa_pss_4096};
  write("trust", "with-p256.json", must(serialize_trust(with_p256), "serialize_trust"));

  TrustPolicy one;
  KeySet set;
  set.keys.push_back(fixed.key_sets.front().keys.front());
  set.keys.front().name.clear();
  one.key_sets.push_back(set);
  write("trust", "one-key.json", must(serialize_trust(one), "serialize_trust"));

  // Hand-written style: comments, a string security version, no key_id.
  std::string commented = "// trust policy of an acme-cam device\n" + replace_once(text, "\"keys\"", "/* roots */ \"keys\"");
  commented = replace_once(commented, "\"min_security_version\": 2", "\"min_security_version\": \"2\"");
  write("trust", "commented.json", commented);

  write("trust", "bad-unknown-member.json", replace_once(text, "\"threshold\"", "\"thresold\": 1, \"threshold\""));
  write("trust", "bad-threshold.json", replace_once(text, "\"threshold\": 1", "\"threshold\": 4"));
  write("trust", "bad-two-pem-blocks.json",
        replace_once(text, "-----END PUBLIC KEY-----\\n\"",
                     "-----END PUBLIC KEY-----\\n-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\\n\""));
}

void package(const std::string& name, Code expected, const std::string& bytes) {
  Fd fd = fuzz::memory_fd(bytes);
  VerifyReport r = verify_package(fd.get(), fuzz::fixed_trust(), VerifyOptions{});
  const Code got = r.status.ok() ? Code::ok : r.status.error().code;
  if (got != expected)
    fuzz::fail(__FILE__, __LINE__, "seed " + name + ": verify says " + fuzz::describe(r.status) + ", expected " +
                                       std::to_string(exit_code(expected)));
  char prefix[8];
  std::snprintf(prefix, sizeof prefix, "%02d-", exit_code(expected));
  write("package", prefix + name + ".fwpkg", bytes);
}

fuzz::Release signed_by(std::initializer_list<KeyName> keys) {
  fuzz::Release r;
  r.finish();
  for (KeyName k : keys) r.sign(fixed_key(k));
  return r;
}

// Version 2: signatures first, in a signature area of `space` bytes.
fuzz::Release v2_signed_by(std::initializer_list<KeyName> keys, std::uint64_t space) {
  fuzz::Release r;
  r.use_version_2(space);
  r.finish();
  for (KeyName k : keys) r.sign(fixed_key(k));
  return r;
}

void accepted_packages() {
  package("signed-a", Code::ok, fuzz::fixed_package());
  package("signed-a-b", Code::ok, signed_by({KeyName::trusted_a, KeyName::trusted_b}).package());
  package("signed-a-and-unknown", Code::ok, signed_by({KeyName::unknown, KeyName::trusted_a}).package());
  {
    fuzz::Release r;
    r.sbom = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[]}";
    r.finish();
    r.sign(fixed_key(KeyName::trusted_b));
    package("sbom-signed-b", Code::ok, r.package());
  }
  {
    // Padding edges: empty, one block, one block and a byte.
    fuzz::Release r;
    r.images.clear();
    r.manifest.images.clear();
    r.add_image("empty", "data", "");
    r.add_image("block", "data", fuzz::pattern(512, 3));
    r.add_image("block.plus-1", "data", fuzz::pattern(513, 4));
    r.finish();
    r.sign(fixed_key(KeyName::trusted_a));
    package("edge-sizes", Code::ok, r.package());
  }
}

void version_2_packages() {
  package("v2-signed-a", Code::ok, v2_signed_by({KeyName::trusted_a}, 2048).package());
  package("v2-signed-a-b-unknown", Code::ok,
          v2_signed_by({KeyName::trusted_a, KeyName::trusted_b, KeyName::unknown}, 4096).package());
  package("v2-unsigned", Code::untrusted, v2_signed_by({}, 512).package());
  package("v2-revoked-only", Code::untrusted, v2_signed_by({KeyName::revoked}, 1024).package());
}

// Packages no trusted key signs.
void untrusted_packages() {
  package("unsigned", Code::untrusted, signed_by({}).package());
  package("revoked-only", Code::untrusted, signed_by({KeyName::revoked}).package());
  package("unknown-only", Code::untrusted, signed_by({KeyName::unknown}).package());
  fuzz::Release r;
  r.finish();
  SignatureEnvelope ec;
  ec.algorithm = Algorithm::ecdsa_p256;
  ec.key_id = fixed_key(KeyName::p256).id;
  ec.signature = std::string("\x30\x06\x02\x01\x01\x02\x01\x01", 8);
  r.signatures.push_back({signature_entry_name(to_hex(ec.key_id)), must(serialize_envelope(ec), "envelope")});
  package("p256-unknown-key", Code::untrusted, r.package());
}

// Packages refused by one check each: signature, digests, rollback,
// hardware.
void refused_packages() {
  const auto& a = fixed_key(KeyName::trusted_a);
  {
    fuzz::Release r;
    const std::string mb = r.finish();
    SignatureEnvelope env;
    env.algorithm = Algorithm::ed25519;
    env.key_id = a.id;
    env.signature = fuzz::sign_raw(a, signed_bytes(mb));
    env.signature[10] = static_cast<char>(env.signature[10] ^ 0x40);
    r.signatures.push_back({signature_entry_name(to_hex(a.id)), must(serialize_envelope(env), "envelope")});
    package("a-bad-signature", Code::signature, r.package());
  }
  {
    fuzz::Release r = signed_by({KeyName::trusted_a});
    r.images[1][100] = static_cast<char>(r.images[1][100] ^ 1);
    package("digest-mismatch", Code::digest, r.package());
  }
  {
    fuzz::Release r;
    r.manifest.security_version = 1;
    r.finish();
    r.sign(a);
    package("rollback", Code::rollback, r.package());
  }
  fuzz::Release r;
  r.manifest.hardware = {"acme-cam-v9"};
  r.finish();
  r.sign(a);
  package("other-hardware", Code::hardware, r.package());
}

void malformed_packages() {
  const std::string good = fuzz::fixed_package();
  package("trailing-block", Code::malformed, good + std::string(kBlock, '\0'));
  package("truncated", Code::malformed, good.substr(0, good.size() / 2));
  package("no-end-blocks", Code::malformed, good.substr(0, good.size() - 2 * kBlock));
  {
    fuzz::Release r;
    const std::string mb = r.finish();
    const std::string loose = replace_once(mb, ",", ", ");
    std::vector<fuzz::Entry> entries;
    for (std::size_t i = 0; i < r.images.size(); ++i)
      entries.push_back({image_entry_name(r.manifest.images[i].name), r.images[i]});
    package("manifest-not-canonical", Code::malformed, test::PackageBuilder::assemble(loose, r.manifest.created, entries));
  }
  {
    fuzz::Release r = signed_by({KeyName::trusted_a});
    r.signatures.front().name = signature_entry_name(to_hex(fixed_key(KeyName::trusted_b).id));
    package("signature-name-mismatch", Code::malformed, r.package());
  }
  package("signature-twice", Code::malformed, signed_by({KeyName::trusted_a, KeyName::trusted_a}).package());
}

void packages() {
  accepted_packages();
  version_2_packages();
  untrusted_packages();
  refused_packages();
  malformed_packages();
}

}  // namespace

// Valid ciphertexts for the decrypt target (its input: two bytes of declared
// plaintext size, one of piece size, then the ciphertext), and the same cut
// short, so that the fuzzer starts from chunks that authenticate.
void decrypt() {
  for (unsigned size : {0u, 1u, 100u, 4095u, 4096u, 9000u}) {
    std::string plain(size, '\0');
    for (std::size_t i = 0; i < plain.size(); ++i) plain[i] = static_cast<char>(i * 7 + 3);
    std::string ct;
    auto e = must(enc::ChunkEncryptor::create(fuzz::fixed_data_key(), fuzz::decrypt_context(size),
                                              [&](std::span<const std::uint8_t> b) {
                                                ct.append(reinterpret_cast<const char*>(b.data()), b.size());
                                                return Status{};
                                              }),
                  "encryptor");
    if (!e.update({reinterpret_cast<const std::uint8_t*>(plain.data()), plain.size()}).ok() || !e.finish().ok())
      fuzz::fail(__FILE__, __LINE__, "encrypting a seed");
    std::string input;
    input.push_back(static_cast<char>(size >> 8));
    input.push_back(static_cast<char>(size & 0xffu));
    input.push_back(static_cast<char>(size % 7u));
    write("decrypt", "valid-" + std::to_string(size), input + ct);
    if (ct.size() > 40) write("decrypt", "short-" + std::to_string(size), input + ct.substr(0, ct.size() - 17));
  }
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  g_out = argv[1];
  manifests();
  signatures();
  trust();
  packages();
  decrypt();
  std::printf("fuzz_make_seeds: %d seeds in %s\n", g_written, argv[1]);
  return 0;
}
