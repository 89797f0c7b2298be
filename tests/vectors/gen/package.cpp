#include "package.h"

#include <archive.h>
#include <archive_entry.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "fwseal/base/digest.h"
#include "fwseal/base/file.h"

namespace fwseal::vectors {
namespace {

std::string padding(std::size_t n) { return std::string(padded_size(n) - n, '\0'); }

const unsigned char* uchars(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// Signs or verifies `message` with the parameters of `alg` changed as `v` says.
struct Params {
  const EVP_MD* md = nullptr;
  int padding = 0;  // RSA only
  int salt = 0;     // RSA-PSS only
};

Params params(Algorithm alg, Variant v) {
  Params p;
  p.md = algorithm_digest(alg);
  const bool rsa = alg == Algorithm::rsa_pss_3072 || alg == Algorithm::rsa_pss_4096;
  if (rsa) {
    p.padding = v == Variant::rsa_pkcs1_v15 ? RSA_PKCS1_PADDING : RSA_PKCS1_PSS_PADDING;
    p.salt = v == Variant::rsa_pss_salt64 ? 64 : RSA_PSS_SALTLEN_DIGEST;
  }
  if (v == Variant::other_digest) {
    require(alg == Algorithm::ecdsa_p256 || alg == Algorithm::ecdsa_p384, "other_digest is for ECDSA keys");
    p.md = alg == Algorithm::ecdsa_p256 ? EVP_sha384() : EVP_sha256();
  }
  require(rsa || (v != Variant::rsa_pkcs1_v15 && v != Variant::rsa_pss_salt64), "RSA variant for a non-RSA key");
  return p;
}

void set_rsa(EVP_PKEY_CTX* pctx, const Params& p) {
  if (p.padding == 0) return;
  require(EVP_PKEY_CTX_set_rsa_padding(pctx, p.padding) == 1, "RSA padding");
  if (p.padding == RSA_PKCS1_PSS_PADDING)
    require(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, p.md) == 1 && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, p.salt) == 1,
            "RSA-PSS parameters");
}

std::string raw_sign(EVP_PKEY* key, const Params& p, std::string_view message) {
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  require(EVP_DigestSignInit(ctx.get(), &pctx, p.md, nullptr, key) == 1, "sign init");
  set_rsa(pctx, p);
  std::size_t len = 0;
  require(EVP_DigestSign(ctx.get(), nullptr, &len, uchars(message), message.size()) == 1, "sign");
  std::string sig(len, '\0');
  require(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, uchars(message),
                         message.size()) == 1,
          "sign");
  sig.resize(len);
  return sig;
}

bool raw_verify(EVP_PKEY* key, const Params& p, std::string_view message, std::string_view sig) {
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  require(EVP_DigestVerifyInit(ctx.get(), &pctx, p.md, nullptr, key) == 1, "verify init");
  set_rsa(pctx, p);
  int r = EVP_DigestVerify(ctx.get(), uchars(sig), sig.size(), uchars(message), message.size());
  ossl::last_error();
  return r == 1;
}

std::uint64_t octal(std::string_view field) {
  std::uint64_t v = 0;
  for (char c : field) {
    if (c < '0' || c > '7') break;
    v = v * 8 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

}  // namespace

// ---- header fields ----

void fix_checksum(std::string& header, std::size_t block) {
  std::fill_n(header.begin() + static_cast<std::ptrdiff_t>(block + kChecksum.at), kChecksum.len, ' ');
  unsigned sum = 0;
  for (std::size_t i = 0; i < kBlock; ++i) sum += static_cast<unsigned char>(header[block + i]);
  char text[16];
  std::snprintf(text, sizeof text, "%06o", sum);  // as libarchive: six digits, NUL, space
  header.replace(block + kChecksum.at, 6, text, 6);
  header[block + kChecksum.at + 6] = '\0';
}

void set_field(std::string& header, Field field, std::string_view value, std::size_t block) {
  require(value.size() <= field.len && header.size() >= block + kBlock, "set_field: value too long");
  std::string bytes(value);
  bytes.resize(field.len, '\0');
  header.replace(block + field.at, field.len, bytes);
  if (field.at != kChecksum.at) fix_checksum(header, block);
}

void set_octal(std::string& header, Field field, std::uint64_t value, std::size_t block) {
  char text[32];
  std::snprintf(text, sizeof text, "%0*llo", static_cast<int>(field.len - 1), static_cast<unsigned long long>(value));
  set_field(header, field, text, block);
}

void set_base256(std::string& header, Field field, std::uint64_t value, std::size_t block) {
  std::string bytes(field.len, '\0');
  bytes[0] = static_cast<char>(0x80);
  for (std::size_t i = field.len - 1; i > 0 && value > 0; --i, value >>= 8) bytes[i] = static_cast<char>(value & 0xff);
  set_field(header, field, bytes, block);
}

std::string pax_record(std::string_view key, std::string_view value) {
  const std::size_t body = 1 + key.size() + 1 + value.size() + 1;  // " key=value\n"
  std::size_t len = body + 1;
  while (std::to_string(len).size() + body != len) ++len;
  return std::to_string(len) + " " + std::string(key) + "=" + std::string(value) + "\n";
}

std::string pax_entry(std::string_view name, std::string_view records, std::int64_t mtime, char type) {
  std::string header = must(tar_header(name, records.size(), mtime), "pax header");
  set_field(header, kTypeflag, std::string(1, type));
  return header + std::string(records) + padding(records.size());
}

namespace {
struct ArchiveWriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
}  // namespace

std::string libarchive_entry(int format, std::string_view name, unsigned type, std::string_view data,
                             std::int64_t mtime, const std::function<void(archive_entry*)>& setup) {
  std::string buf(64 * 1024 + data.size(), '\0');
  std::size_t used = 0;
  std::unique_ptr<archive, ArchiveWriteDeleter> a(archive_write_new());
  std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
  require(archive_write_set_format(a.get(), format) == ARCHIVE_OK &&
              archive_write_set_bytes_per_block(a.get(), static_cast<int>(kBlock)) == ARCHIVE_OK &&
              archive_write_set_bytes_in_last_block(a.get(), 1) == ARCHIVE_OK &&
              archive_write_open_memory(a.get(), buf.data(), buf.size(), &used) == ARCHIVE_OK,
          "libarchive open");
  archive_entry_copy_pathname(e.get(), std::string(name).c_str());
  archive_entry_set_filetype(e.get(), type);
  archive_entry_set_perm(e.get(), 0644);
  archive_entry_set_uid(e.get(), 0);
  archive_entry_set_gid(e.get(), 0);
  archive_entry_set_size(e.get(), static_cast<la_int64_t>(data.size()));
  archive_entry_set_mtime(e.get(), static_cast<time_t>(mtime), 0);
  if (setup) setup(e.get());
  const int r = archive_write_header(a.get(), e.get());
  const char* why = archive_error_string(a.get());
  require(r == ARCHIVE_OK,
          "libarchive header for " + std::string(name) + ": " + std::to_string(r) + " " + (why ? why : ""));
  if (!data.empty())
    require(archive_write_data(a.get(), data.data(), data.size()) == static_cast<la_ssize_t>(data.size()),
            "libarchive data");
  require(archive_write_close(a.get()) == ARCHIVE_OK, "libarchive close");
  require(used >= 2 * kBlock && used % kBlock == 0, "libarchive output size");
  buf.resize(used - 2 * kBlock);  // without the end-of-archive blocks
  return buf;
}

// ---- Pkg ----

std::string Pkg::bytes() const {
  std::string out;
  for (const auto& e : entries) out += e.header + e.data + e.pad;
  return out + end;
}

std::size_t Pkg::index(std::string_view name) const {
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (entries[i].name == name) return i;
  throw std::runtime_error("no entry " + std::string(name));
}

Entry& Pkg::at(std::string_view name) { return entries[index(name)]; }

std::uint64_t Pkg::offset(std::string_view name) const {
  std::uint64_t at = 0;
  for (std::size_t i = 0; i < index(name); ++i)
    at += entries[i].header.size() + entries[i].data.size() + entries[i].pad.size();
  return at;
}

std::uint64_t Pkg::data_offset(std::string_view name) const {
  return offset(name) + entries[index(name)].header.size();
}

std::uint64_t Pkg::pad_offset(std::string_view name) const {
  return data_offset(name) + entries[index(name)].data.size();
}

std::uint64_t Pkg::end_offset() const { return bytes().size() - end.size(); }

void Pkg::insert_before(std::string_view name, Entry e) {
  auto at = name.empty() ? entries.end() : entries.begin() + static_cast<std::ptrdiff_t>(index(name));
  entries.insert(at, std::move(e));
}

void Pkg::erase(std::string_view name) { entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(index(name))); }

Entry entry(std::string name, std::string data, std::int64_t mtime) {
  Entry e;
  e.header = must(tar_header(name, data.size(), mtime), "header of " + name);
  e.pad = padding(data.size());
  e.name = std::move(name);
  e.data = std::move(data);
  return e;
}

Entry raw(std::string name, std::string bytes) {
  Entry e;
  e.name = std::move(name);
  e.header = std::move(bytes);
  return e;
}

// ---- keys and signatures ----

Keys::Keys(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& f : std::filesystem::directory_iterator(dir))
    if (f.path().extension() == ".pem") files.push_back(f.path());
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    Key k;
    k.signer = must(test::load_software_key(path.string()), path.string());
    std::string pem = must(read_file(path.string(), 1 << 20), path.string());
    ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    k.private_key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    require(k.private_key != nullptr, path.string() + ": not a PEM private key");
    k.alg = k.signer->algorithm();
    k.id = must(key_id_of(k.signer->public_key()), "key id");
    keys_.emplace(path.stem().string(), std::move(k));
  }
  require(!keys_.empty(), dir + ": no keys");
}

const Keys::Key& Keys::get(std::string_view key) const {
  auto it = keys_.find(key);
  if (it == keys_.end()) throw std::runtime_error("no key " + std::string(key));
  return it->second;
}

Algorithm Keys::algorithm(std::string_view key) const { return get(key).alg; }
KeyId Keys::id(std::string_view key) const { return get(key).id; }
std::string Keys::entry_name(std::string_view key) const { return signature_entry_name(to_hex(id(key))); }

const EVP_PKEY* Keys::public_key(std::string_view key) const { return get(key).signer->public_key(); }

void Keys::harvest(const std::string& dir) {
  if (!std::filesystem::exists(dir)) return;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir)) {
    if (f.path().extension() != ".fwpkg") continue;
    std::string bytes = must(read_file(f.path().string()), f.path().string());
    // Walk the ustar headers as far as they make sense; vectors are hostile.
    for (std::size_t at = 0; at + kBlock <= bytes.size();) {
      std::string_view h(bytes.data() + at, kBlock);
      std::string name(h.substr(0, 100).substr(0, h.substr(0, 100).find('\0')));
      if (static_cast<unsigned char>(h[kSize.at]) & 0x80) break;
      const std::uint64_t size = octal(h.substr(kSize.at, kSize.len));
      if (name.empty() || size > bytes.size() - at - kBlock) break;
      std::string_view data(bytes.data() + at + kBlock, size);
      if (name.starts_with(kSignaturePrefix)) {  // version 1: one entry per signature
        auto env = parse_envelope(data, name);
        if (env.ok()) old_[env->key_id].push_back(env->signature);
      } else if (name == kSignaturesEntry) {
        // Version 2: every envelope of the list, even one a vector left out
        // of order or twice (its compact dump is canonical: ASCII only).
        auto area = nlohmann::json::parse(data.substr(0, data.find_last_of('}') + 1), nullptr, false);
        if (area.is_object() && area.contains("signatures") && area["signatures"].is_array())
          for (const auto& e : area["signatures"])
            if (auto env = parse_envelope(e.dump(), name); env.ok()) old_[env->key_id].push_back(env->signature);
      }
      at += kBlock + padded_size(size);
    }
  }
}

const SigningKey& Keys::signing_key(std::string_view key) const { return *get(key).signer; }

std::string Keys::sign(std::string_view key, std::string_view message, Variant v) {
  const Key& k = get(key);
  const Params p = params(k.alg, v);
  EVP_PKEY* pkey = k.private_key.get();
  if (k.alg == Algorithm::ed25519) return must(k.signer->sign(message), "sign");  // deterministic
  const bool rsa = k.alg == Algorithm::rsa_pss_3072 || k.alg == Algorithm::rsa_pss_4096;
  const auto modulus = static_cast<std::size_t>(EVP_PKEY_get_size(pkey));
  require(v != Variant::leading_zero || rsa, "leading_zero is for RSA keys");
  for (const auto& found : old_[k.id]) {
    // A vector may hold the signature without its leading zero byte.
    const std::string old = v == Variant::leading_zero && found.size() + 1 == modulus ? '\0' + found : found;
    // A kept valid signature must still be in the form R17 and R22 require.
    bool ok = raw_verify(pkey, p, message, old);
    if (v == Variant::standard)
      ok = ok && must(ecdsa_low_s(k.alg, old), "low S") == old && (!rsa || old.size() == modulus);
    if (v == Variant::leading_zero) ok = ok && old.size() == modulus && old[0] == '\0';
    if (ok) {
      ++reused_;
      return old;
    }
  }
  std::string sig;
  if (v == Variant::leading_zero) {
    for (int i = 0; i < 20000 && (sig.empty() || sig[0] != '\0'); ++i) sig = must(k.signer->sign(message), "sign");
    require(!sig.empty() && sig[0] == '\0', "no RSA signature with a leading zero byte in 20000");
  } else {
    sig = v == Variant::standard ? must(k.signer->sign(message), "sign") : raw_sign(pkey, p, message);
  }
  require(raw_verify(pkey, p, message, sig), "a fresh signature does not verify");
  ++fresh_;
  old_[k.id].push_back(sig);
  return sig;
}

std::string Keys::envelope(std::string_view key, std::string_view manifest_bytes) {
  SignatureEnvelope env;
  env.algorithm = algorithm(key);
  env.key_id = id(key);
  env.signature = sign(key, signed_bytes(manifest_bytes));
  return must(serialize_envelope(env), "envelope");
}

Spec base_spec() {
  Spec s;  // acme-cam 1.4.2, security version 3, its hardware, kernel and rootfs
  s.manifest.created = 1767225600;  // 2026-01-01T00:00:00Z
  s.signers = {"ed25519"};
  return s;
}

Spec base_spec_v2() {
  Spec s = base_spec();
  s.use_version_2(2048);  // smaller than fwseal's default, to keep the vectors small
  return s;
}

Pkg assemble(Spec spec, Keys& keys) {
  const std::string mb = spec.manifest_bytes();
  const std::int64_t t = spec.manifest.created;
  Pkg p;
  p.entries.push_back(entry(std::string(kManifestEntry), mb, t));
  if (spec.manifest.format_version >= kManifestFormatVersion) {
    std::vector<SignatureEnvelope> envelopes;
    for (const auto& key : spec.signers)
      envelopes.push_back(must(parse_envelope(keys.envelope(key, mb), key), "envelope"));
    const std::uint64_t space = check_manifest(spec.manifest).ok() ? spec.manifest.signature_space : kDefaultSignatureSpace;
    p.entries.push_back(
        entry(std::string(kSignaturesEntry), must(serialize_signature_area(std::move(envelopes), space), "area"), t));
  }
  if (spec.sbom) p.entries.push_back(entry(std::string(kSbomEntry), *spec.sbom, t));
  for (std::size_t i = 0; i < spec.images.size(); ++i)
    p.entries.push_back(entry(image_entry_name(spec.manifest.images[i].name), spec.images[i], t));
  if (spec.manifest.format_version < kManifestFormatVersion)
    for (const auto& key : spec.signers) p.entries.push_back(entry(keys.entry_name(key), keys.envelope(key, mb), t));
  return p;
}

// ---- helpers ----

std::string replaced(std::string text, std::string_view from, std::string_view to) {
  auto at = text.find(from);
  require(at != std::string::npos && text.find(from, at + 1) == std::string::npos,
          "replaced: \"" + std::string(from) + "\" does not occur exactly once");
  return text.replace(at, from.size(), to);
}

std::size_t first_difference(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

}  // namespace fwseal::vectors
