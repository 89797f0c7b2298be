// The whole package reader: verify_package over the input, read from a memfd,
// with fuzz::fixed_trust() (two trusted Ed25519 keys and the conformance
// vectors' one, threshold 1, one revoked key and the vectors' one,
// min_security_version 2, hardware acme-cam-v2). The input is a package file
// as it is, so tests/vectors/*.fwpkg are seeds and every crash file can be
// handed to fwseal-verify as it is.
//
// Invariants, for every input:
//   - the status is ok or 3, 10..15; never internal (1) or any other code;
//   - report.ok() iff the status is ok; exactly the check the code belongs to
//     failed (10: manifest or layout, 11: digests, 12/13: signatures,
//     14: rollback, 15: hardware), the ones before it passed, the rest skipped;
//   - report_json is JSON and states the same exit code;
//   - extract_package (into a tmpfs directory) returns the same code; on
//     failure it leaves the directory empty, on success it holds exactly the
//     images with the manifest's digests (they are removed again);
//   - no file descriptor stays open after an input.
// And for a package that is accepted:
//   - a second verify_package of the same bytes accepts it too, with the same
//     manifest digest;
//   - the bytes are exactly what format/ writes for the verified manifest,
//     SBOM and images, then canonical signature entries, then two zero blocks
//     and the end of the file; at least one signature verifies by a trusted,
//     unrevoked key; the rollback and hardware rules hold;
//   - flipping one bit anywhere before the signature entries, or in the end
//     blocks, is refused (a few positions per input, chosen from its digest).
//
// FWSEAL_FUZZ_NO_EXTRACT=1 in the environment skips extract_package.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "fwseal/format/canonical_json.h"
#include "fwseal/base/digest.h"
#include "fwseal/format/layout.h"
#include "fwseal/verifier/extract.h"
#include "fwseal/verifier/verify.h"

using namespace fwseal;
using namespace fwseal::verifier;

namespace {

Code code_of(const VerifyReport& r) { return r.status.ok() ? Code::ok : r.status.error().code; }

VerifyReport verify(std::string_view bytes) {
  Fd fd = fuzz::memory_fd(bytes);
  return verify_package(fd.get(), fuzz::fixed_trust(), VerifyOptions{});
}

// Whether the step named `name` is one a failure code belongs to.
bool check_matches(const std::string& name, Code code) {
  switch (code) {
    case Code::malformed:
      return name != "check_signatures" && name != "check_digests" && name != "check_rollback" &&
             name != "check_hardware";
    case Code::digest: return name == "check_digests";
    case Code::signature:
    case Code::untrusted: return name == "check_signatures";
    case Code::rollback: return name == "check_rollback";
    case Code::hardware: return name == "check_hardware";
    default: return true;  // io: wherever the read failed
  }
}

void check_report(const VerifyReport& r) {
  const Code code = code_of(r);
  const bool allowed = code == Code::ok || code == Code::io || code == Code::malformed || code == Code::digest ||
                       code == Code::signature || code == Code::untrusted || code == Code::rollback ||
                       code == Code::hardware;
  FUZZ_CHECK(allowed, "status " + fuzz::describe(r.status));
  FUZZ_CHECK(r.ok() == (code == Code::ok), "report.ok() disagrees with the status");
  FUZZ_CHECK(r.verified.has_value() == (code == Code::ok), "verified is set for a failure, or missing");
  // One row per step of FORMAT.md's table for the version, in the order they
  // ran: version 2 decides before it reads the content.
  const bool version_1 = r.unverified_manifest && r.unverified_manifest->format_version < kManifestFormatVersion;
  const std::vector<std::string> names =
      version_1 ? std::vector<std::string>{"check_trust", "read_manifest_header", "read_manifest_bytes",
                                           "parse_unverified_manifest", "check_manifest_header", "read_contents",
                                           "read_signatures", "check_signatures", "check_digests",
                                           "check_rollback", "check_hardware"}
                : std::vector<std::string>{"check_trust", "read_manifest_header", "read_manifest_bytes",
                                           "parse_unverified_manifest", "check_manifest_header",
                                           "read_signature_area", "check_signatures", "check_rollback",
                                           "check_hardware", "read_contents", "check_digests"};
  FUZZ_CHECK(r.checks.size() == names.size(), "report has " + std::to_string(r.checks.size()) + " checks");
  std::size_t failed = 0, first_fail = r.checks.size();
  for (std::size_t i = 0; i < r.checks.size(); ++i) {
    FUZZ_CHECK(r.checks[i].name == names[i], "check " + std::to_string(i) + " is " + r.checks[i].name);
    if (r.checks[i].result == CheckResult::fail) {
      ++failed;
      first_fail = std::min(first_fail, i);
    }
  }
  if (code == Code::ok) {
    FUZZ_CHECK(failed == 0, "a valid package has a failed check");
  } else {
    FUZZ_CHECK(failed == 1, std::to_string(failed) + " failed checks for " + fuzz::describe(r.status));
    FUZZ_CHECK(check_matches(names[first_fail], code),
               "check " + r.checks[first_fail].name + " failed with " + fuzz::describe(r.status));
    for (std::size_t i = 0; i < first_fail; ++i)
      FUZZ_CHECK(r.checks[i].result == CheckResult::pass, "check " + names[i] + " before the failure did not pass");
    for (std::size_t i = first_fail + 1; i < r.checks.size(); ++i)
      FUZZ_CHECK(r.checks[i].result == CheckResult::skip, "check " + names[i] + " after the failure was not skipped");
  }
  if (r.unverified_manifest) FUZZ_CHECK(r.manifest_digest.has_value(), "a manifest without its digest");

  const std::string text = report_json(r);
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(!j.is_discarded(), "report_json is not JSON: " + text);
  FUZZ_CHECK(j.value("exit_code", -1) == exit_code(code), "report_json exit_code: " + text);
}

bool all_zero(std::string_view s) { return std::all_of(s.begin(), s.end(), [](char c) { return c == '\0'; }); }

// What the verifier says it accepted: a second run agrees, the manifest is
// its bytes and meets the trust policy's rollback and hardware rules.
void check_verified_manifest(std::string_view input, const VerifiedPackage& v) {
  const Manifest& m = v.manifest();
  const TrustPolicy& trust = fuzz::fixed_trust();

  VerifyReport second = verify(input);
  FUZZ_CHECK(second.ok(), "accepted once, refused the second time: " + fuzz::describe(second.status));
  FUZZ_CHECK(second.verified->manifest_digest() == v.manifest_digest(), "second run gives another manifest digest");

  FUZZ_CHECK(v.manifest_digest() == sha256(v.manifest_bytes()), "manifest digest");
  auto serialised = serialize_manifest(m);
  FUZZ_CHECK(serialised.ok() && *serialised == v.manifest_bytes(), "verified manifest is not its bytes");
  FUZZ_CHECK(m.security_version >= trust.min_security_version, "rollback accepted");
  FUZZ_CHECK(std::find(m.hardware.begin(), m.hardware.end(), "acme-cam-v2") != m.hardware.end(),
             "package for other hardware accepted");
  FUZZ_CHECK(v.sbom().has_value() == m.sbom.has_value(), "SBOM presence");
}

// The accepted content as format/ writes it for the verified manifest, SBOM
// and images (version 2: and the signature area, whose envelopes it reads).
struct Content {
  std::string expected;
  std::vector<SignatureEnvelope> envelopes;
  std::size_t area_begin = 0, area_end = 0;  // version 2: the signature area's data
};

Content check_content(std::string_view input, const VerifiedPackage& v) {
  const Manifest& m = v.manifest();
  auto layout = compute_layout(m, v.manifest_bytes().size());
  FUZZ_CHECK(layout.ok(), fuzz::describe(layout));
  Content out;
  for (std::size_t i = 0; i < layout->size(); ++i) {
    const EntryLayout& e = (*layout)[i];
    FUZZ_CHECK(e.end_offset <= input.size(), "layout past the end of an accepted input");
    std::string_view data = input.substr(static_cast<std::size_t>(e.data_offset), static_cast<std::size_t>(e.data_size));
    if (e.kind == EntryLayout::Kind::manifest) {
      FUZZ_CHECK(data == v.manifest_bytes(), "manifest bytes");
    } else if (e.kind == EntryLayout::Kind::signatures) {
      auto area = parse_signature_area(data, e.data_offset);
      FUZZ_CHECK(area.ok(), fuzz::describe(area));
      auto again = serialize_signature_area(*area, m.signature_space);
      FUZZ_CHECK(again.ok() && *again == data, "signature area not canonical");
      out.envelopes = std::move(area).value();
      out.area_begin = static_cast<std::size_t>(e.data_offset);
      out.area_end = static_cast<std::size_t>(e.data_offset + e.data_size);
    } else if (e.kind == EntryLayout::Kind::sbom) {
      FUZZ_CHECK(data == *v.sbom() && sha256(data) == m.sbom->sha256, "SBOM bytes");
    } else {
      const ImageInfo& img = m.images[e.image];
      FUZZ_CHECK(sha256(data) == img.sha256 && data.size() == img.size, "image " + img.name + " digest");
    }
    auto header = tar_header(e.name, e.data_size, m.created);
    FUZZ_CHECK(header.ok(), fuzz::describe(header));
    out.expected += *header;
    out.expected += data;
    out.expected.append(static_cast<std::size_t>(padded_size(e.data_size) - e.data_size), '\0');
  }
  FUZZ_CHECK(input.substr(0, out.expected.size()) == out.expected, "the accepted content is not what format/ writes");
  return out;
}

// After the content: version 1's canonical signature entries (their
// envelopes are added to `envelopes`), then the end of the archive.
void check_signature_entries(std::string_view input, const Manifest& m, std::size_t at,
                             std::vector<SignatureEnvelope>& envelopes) {
  if (m.format_version >= kManifestFormatVersion)
    FUZZ_CHECK(input.size() == at + 2 * kBlock && all_zero(input.substr(at)), "end of archive");
  for (; m.format_version < kManifestFormatVersion;) {
    FUZZ_CHECK(at + kBlock <= input.size(), "accepted input ends inside its signature entries");
    std::string_view block = input.substr(at, kBlock);
    if (all_zero(block)) {
      FUZZ_CHECK(input.size() == at + 2 * kBlock && all_zero(input.substr(at)), "end of archive");
      break;
    }
    auto h = parse_tar_header(block, "signature header");
    FUZZ_CHECK(h.ok(), fuzz::describe(h));
    auto canonical = tar_header(h->name, h->size, m.created);
    FUZZ_CHECK(canonical.ok() && *canonical == block, "signature header not canonical: " + h->name);
    FUZZ_CHECK(at + kBlock + padded_size(h->size) <= input.size(), "signature entry past the end");
    std::string_view data = input.substr(at + kBlock, static_cast<std::size_t>(h->size));
    FUZZ_CHECK(all_zero(input.substr(at + kBlock + data.size(),
                                     static_cast<std::size_t>(padded_size(h->size) - h->size))),
               "signature padding");
    auto env = parse_envelope(data, h->name);
    FUZZ_CHECK(env.ok(), fuzz::describe(env));
    auto env_bytes = serialize_envelope(*env);
    FUZZ_CHECK(env_bytes.ok() && *env_bytes == data, "envelope not canonical");
    FUZZ_CHECK(h->name == signature_entry_name(to_hex(env->key_id)), "entry name is not the key id");
    envelopes.push_back(std::move(env).value());
    at += kBlock + static_cast<std::size_t>(padded_size(h->size));
  }
}

// At least threshold distinct trusted, unrevoked keys sign validly; no
// trusted key's signature is bad.
void check_signatures(const VerifyReport& r, const std::vector<SignatureEnvelope>& envelopes) {
  const TrustPolicy& trust = fuzz::fixed_trust();
  FUZZ_CHECK(envelopes.size() == r.signatures.size() && envelopes.size() <= kMaxSignatures, "signature count");
  const std::string message = signed_bytes(r.verified->manifest_bytes());
  std::set<KeyId> valid;
  for (const auto& env : envelopes) {
    const TrustedKey* key = trust.find_key(env.key_id);
    if (!key || trust.revoked(env.key_id)) continue;
    auto pkey = public_key_from_der(key->spki_der, "trusted key");
    FUZZ_CHECK(pkey.ok(), fuzz::describe(pkey));
    Status s = verify_signature(env.algorithm, pkey->get(), message, env.signature);
    FUZZ_CHECK(s.ok(), "accepted with a bad signature by a trusted key: " + fuzz::describe(s));
    valid.insert(env.key_id);
  }
  FUZZ_CHECK(valid.size() >= trust.key_sets.front().threshold && valid.size() == r.signatures_valid,
             "accepted with " + std::to_string(valid.size()) + " valid signatures");
}

// Single bit flips in the authenticated or fixed bytes are refused.
void check_bit_flips(std::string_view input, const Content& content) {
  const Sha256 d = sha256(input);
  // (A version-2 signature area is left out: like version 1's signature
  // entries, an unknown key's envelope there is never checked.)
  const std::size_t covered = content.expected.size() - (content.area_end - content.area_begin);
  for (std::size_t k = 0; k < 4; ++k) {
    const std::size_t pick = (std::size_t{d[2 * k]} << 8 | d[2 * k + 1]) * 2654435761u;
    const bool in_end = (d[16 + k] & 1) != 0;
    std::size_t pos = in_end ? input.size() - 2 * kBlock + pick % (2 * kBlock) : pick % covered;
    if (!in_end && content.area_end > content.area_begin && pos >= content.area_begin)
      pos += content.area_end - content.area_begin;
    std::string flipped(input);
    flipped[pos] = static_cast<char>(flipped[pos] ^ (1 << (d[20 + k] & 7)));
    VerifyReport fr = verify(flipped);
    check_report(fr);
    FUZZ_CHECK(!fr.ok(), "a package with bit " + std::to_string(d[20 + k] & 7) + " of byte " + std::to_string(pos) +
                             " flipped is accepted");
  }
}

// The accepted input, rebuilt from what the verifier says it accepted.
void check_accepted(std::string_view input, const VerifyReport& r) {
  const VerifiedPackage& v = *r.verified;
  check_verified_manifest(input, v);
  Content content = check_content(input, v);
  check_signature_entries(input, v.manifest(), content.expected.size(), content.envelopes);
  check_signatures(r, content.envelopes);
  check_bit_flips(input, content);
}

// Removes every entry of the directory (files only: extract writes nothing else)
// and returns their names.
std::vector<std::string> drain_dir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  FUZZ_CHECK(d != nullptr, dir + ": " + errno_text(errno));
  while (const dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    names.push_back(name);
  }
  ::closedir(d);
  for (const auto& n : names) {
    std::string path = dir + "/" + n;
    if (::unlink(path.c_str()) != 0) ::rmdir(path.c_str());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string g_extract_dir;

void remove_extract_dir() {
  if (g_extract_dir.empty()) return;
  drain_dir(g_extract_dir);
  ::rmdir(g_extract_dir.c_str());
}

const std::string& extract_dir() {
  if (g_extract_dir.empty()) {
    struct stat st {};
    std::string base = ::stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
    std::string tmpl = base + "/fwseal-fuzz-extract-XXXXXX";
    FUZZ_CHECK(::mkdtemp(tmpl.data()) != nullptr, "mkdtemp: " + errno_text(errno));
    g_extract_dir = tmpl;
    std::atexit(remove_extract_dir);
  }
  return g_extract_dir;
}

void check_extract(std::string_view input, const VerifyReport& r) {
  const std::string& dir = extract_dir();
  Fd fd = fuzz::memory_fd(input);
  VerifyReport er;
  Status s = extract_package(fd.get(), fuzz::fixed_trust(), VerifyOptions{}, dir, &er);
  const Code code = s.ok() ? Code::ok : s.error().code;
  FUZZ_CHECK(code == code_of(r), "extract_package says " + fuzz::describe(s) + ", verify_package says " +
                                     fuzz::describe(r.status));
  FUZZ_CHECK(code_of(er) == code, "extract's report disagrees with its status");
  if (s.ok()) {
    for (const auto& img : r.verified->manifest().images) {
      auto bytes = read_file(dir + "/" + img.name);
      FUZZ_CHECK(bytes.ok() && sha256(*bytes) == img.sha256, "extracted " + img.name + ": " + fuzz::describe(bytes));
    }
  }
  std::vector<std::string> files = drain_dir(dir);
  if (!s.ok()) {
    FUZZ_CHECK(files.empty(), "a refused extract left " + std::to_string(files.size()) + " entries, first " +
                                  (files.empty() ? std::string() : files.front()));
    return;
  }
  std::vector<std::string> want;
  for (const auto& img : r.verified->manifest().images) want.push_back(img.name);
  std::sort(want.begin(), want.end());
  FUZZ_CHECK(files == want, "extract wrote other files than the images");
}

// Open file descriptors of this process.
std::size_t open_fds() {
  std::size_t n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  if (!d) return 0;
  while (const dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
  ::closedir(d);
  return n - 1;  // the directory stream's own
}

bool g_extract = true;
std::size_t g_fds = 0;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  g_extract = std::getenv("FWSEAL_FUZZ_NO_EXTRACT") == nullptr;
  // Key set-up and one whole verification and extraction before the first
  // input, so whatever OpenSSL or libarchive set up once is not counted as a
  // leaked descriptor.
  VerifyReport r = verify(fuzz::fixed_package());
  FUZZ_CHECK(r.ok(), "the fixed package is refused: " + fuzz::describe(r.status));
  if (g_extract) check_extract(fuzz::fixed_package(), r);
  g_fds = open_fds();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  VerifyReport r = verify(input);
  check_report(r);
  if (r.ok()) check_accepted(input, r);
  // Before the manifest parses, extract has nothing to stage: skip it there.
  if (g_extract && r.unverified_manifest) check_extract(input, r);
  const std::size_t fds = open_fds();
  FUZZ_CHECK(fds == g_fds, std::to_string(fds) + " open file descriptors after the input, " + std::to_string(g_fds) +
                               " before the first");
  return 0;
}
