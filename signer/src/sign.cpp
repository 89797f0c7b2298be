#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "fwseal/base/file.h"
#include "fwseal/format/layout.h"
#include "fwseal/format/x509.h"
#include "fwseal/signer/signer.h"

namespace fwseal::signer {
namespace {

// Holds an exclusive lock on the package while it is read and extended, so two
// concurrent signers cannot both append at the same offset.
// A second signer waits for the first (signing takes milliseconds), and gives
// up with a "busy" message rather than hang behind one stuck for a minute.
Result<Fd> open_locked(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) return make_error(Code::io, path + ": cannot open for signing: " + errno_text(errno));
  constexpr int kWaitMs = 60'000, kStepMs = 20;
  for (int waited = 0;; waited += kStepMs) {
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return fd;
    if (errno != EWOULDBLOCK && errno != EINTR)
      return make_error(Code::io, path + ": cannot lock: " + errno_text(errno));
    if (waited >= kWaitMs)
      return make_error(Code::io, path + ": busy: another process has been signing it for " +
                                      std::to_string(kWaitMs / 1000) + " s; try again when it is done");
    ::usleep(kStepMs * 1000);
  }
}

Status append_entry(int fd, const std::string& path, const UnverifiedPackage& head, const SignatureEnvelope& env);

// SIGINT, SIGTERM and SIGHUP wait while the signature is written and synced:
// an interrupted run has either not touched the package or signed it. (A
// SIGKILL can still stop a write of several pages half-way, and a power loss
// can tear it; docs/USAGE.md says what that risks, and `sign -o` avoids it.)
class HoldSignals {
 public:
  HoldSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, sig);
    ::pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~HoldSignals() { ::pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  HoldSignals(const HoldSignals&) = delete;
  HoldSignals& operator=(const HoldSignals&) = delete;

 private:
  sigset_t old_;
};

Result<SignResult> append(int fd, const std::string& path, const UnverifiedPackage& head, const SignatureEnvelope& env) {
  for (const auto& existing : head.signatures)
    if (existing.key_id == env.key_id)
      return make_error(Code::usage, path + ": already signed by key " + to_hex(env.key_id) +
                                         "; each key signs a package once (use another key for m-of-n)");
  if (head.signatures.size() >= kMaxSignatures)
    return make_error(Code::usage, path + ": already carries the maximum of " + std::to_string(kMaxSignatures) + " signatures");
  const HoldSignals hold;
  if (head.manifest.content.format_version >= kManifestFormatVersion) {
    // Version 2: the signature area is rewritten in place, the same size, with
    // the envelopes sorted by key id (so the order of signers does not show).
    std::vector<SignatureEnvelope> all = head.signatures;
    all.push_back(env);
    auto area = serialize_signature_area(std::move(all), head.manifest.content.signature_space);
    if (!area.ok()) return make_error(area.error().code, path + ": " + area.error().message);
    // One write of the area. If it is interrupted the area no longer parses and
    // every verifier refuses the package; it never verifies with content it did not have.
    FWSEAL_TRY(pwrite_all(fd, *area, head.signature_area_offset, path));
  } else {
    FWSEAL_TRY(append_entry(fd, path, head, env));
  }
  if (::fsync(fd) != 0) return make_error(Code::io, path + ": fsync failed: " + errno_text(errno));
  SignResult r;
  r.key_id = env.key_id;
  r.algorithm = env.algorithm;
  r.manifest_digest = manifest_digest(head.manifest.bytes);
  r.signature_count = head.signatures.size() + 1;
  return r;
}

// Version 1: a signature entry over the old end-of-archive blocks.
Status append_entry(int fd, const std::string& path, const UnverifiedPackage& head, const SignatureEnvelope& env) {
  FWSEAL_ASSIGN(std::string body, serialize_envelope(env));
  std::string name = signature_entry_name(to_hex(env.key_id));
  FWSEAL_ASSIGN(std::string tail, tar_header(name, body.size(), head.manifest.content.created));
  tail += body;
  tail.append(padded_size(body.size()) - body.size(), '\0');
  tail += end_of_archive();
  // One write over the old end-of-archive blocks. If it is interrupted the
  // package no longer parses and every verifier refuses it; it never becomes
  // a package that verifies with content it did not have.
  return pwrite_all(fd, tail, head.end_offset, path);
}

// A chain whose first certificate is for another key would be embedded and
// then refused by every verifier: refuse it before signing, where it can be fixed.
Status check_chain(const KeyId& signer, const std::vector<std::string>& chain) {
  if (chain.empty()) return ok_status();
  FWSEAL_ASSIGN(ossl::X509Ptr first, certificate_from_der(chain.front(), "the certificate chain's first certificate"));
  FWSEAL_ASSIGN(KeyId certified, certificate_key_id(first.get()));
  if (certified != signer)
    return make_error(Code::usage, "the certificate chain starts with a certificate for key " + to_hex(certified) +
                                       ", but the signature is made with key " + to_hex(signer) +
                                       "; put the signing key's own certificate first");
  return ok_status();
}

// HSMs and signing services return either of an ECDSA signature's two forms;
// the package stores the low-S one (R22), which every verifier accepts.
Result<SignatureEnvelope> checked_envelope(const EVP_PKEY* key, const UnverifiedPackage& head, std::string_view returned,
                                           const std::vector<std::string>& chain) {
  FWSEAL_ASSIGN(Algorithm alg, algorithm_of(key));
  FWSEAL_ASSIGN(std::string sig, ecdsa_low_s(alg, returned));
  FWSEAL_TRY(verify_signature(alg, key, signed_bytes(head.manifest.bytes), sig));
  SignatureEnvelope env;
  env.algorithm = alg;
  FWSEAL_ASSIGN(env.key_id, key_id_of(key));
  env.signature = std::move(sig);
  env.certificates = chain;
  return env;
}

}  // namespace

Result<SignResult> sign_package(const std::string& path, const SigningKey& key,
                                const std::vector<std::string>& certificate_chain_der) {
  FWSEAL_ASSIGN(Fd fd, open_locked(path));
  FWSEAL_ASSIGN(UnverifiedPackage head, read_unverified_package(fd.get(), path));
  FWSEAL_ASSIGN(KeyId id, key_id_of(key.public_key()));
  for (const auto& existing : head.signatures)
    if (existing.key_id == id)  // refuse before asking the HSM for a signature
      return make_error(Code::usage, path + ": already signed by key " + to_hex(id) +
                                         "; each key signs a package once (use another key for m-of-n)");
  FWSEAL_TRY(check_chain(id, certificate_chain_der));
  FWSEAL_ASSIGN(std::string sig, key.sign(signed_bytes(head.manifest.bytes)));
  auto env = checked_envelope(key.public_key(), head, sig, certificate_chain_der);
  if (!env.ok())
    return make_error(Code::hsm, "the signing key returned a signature that does not verify with its public key (" +
                                     env.error().message + ")");
  return append(fd.get(), path, head, *env);
}

Result<SignResult> import_signature(const std::string& path, const EVP_PKEY* public_key, std::string_view signature,
                                    const std::vector<std::string>& certificate_chain_der) {
  FWSEAL_ASSIGN(Fd fd, open_locked(path));
  FWSEAL_ASSIGN(UnverifiedPackage head, read_unverified_package(fd.get(), path));
  FWSEAL_ASSIGN(KeyId id, key_id_of(public_key));
  FWSEAL_TRY(check_chain(id, certificate_chain_der));
  auto env = checked_envelope(public_key, head, signature, certificate_chain_der);
  if (!env.ok())
    return make_error(env.error().code, "imported signature refused: " + env.error().message +
                                            " (it must cover the bytes of `fwseal sign --export-tbs`)");
  return append(fd.get(), path, head, *env);
}

namespace {

// Copies `in` to `out` region by region: holes (of sparse images) stay holes.
Status copy_contents(int in, int out, const std::string& in_name, const std::string& out_name) {
  struct stat st {};
  if (::fstat(in, &st) != 0) return make_error(Code::io, in_name + ": cannot stat: " + errno_text(errno));
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (::ftruncate(out, st.st_size) != 0) return make_error(Code::io, out_name + ": cannot write: " + errno_text(errno));
  std::uint64_t pos = 0;
  while (pos < size) {
    off_t data = ::lseek(in, static_cast<off_t>(pos), SEEK_DATA);
    if (data < 0 && errno == ENXIO) break;  // only a hole is left
    if (data < 0) data = static_cast<off_t>(pos);  // no SEEK_DATA: copy everything
    off_t hole = ::lseek(in, data, SEEK_HOLE);
    const std::uint64_t end = hole > data ? static_cast<std::uint64_t>(hole) : size;
    loff_t from = data, to = data;
    for (std::uint64_t left = end - static_cast<std::uint64_t>(data); left > 0;) {
      const ssize_t n = ::copy_file_range(in, &from, out, &to, left, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return make_error(Code::io, out_name + ": cannot copy " + in_name + ": " + errno_text(errno));
      if (n == 0) return make_error(Code::io, in_name + ": changed size while being copied");
      left -= static_cast<std::uint64_t>(n);
    }
    pos = end;
  }
  return ok_status();
}

}  // namespace

Result<SignResult> sign_to_output(const std::string& package, const std::string& output, bool replace_existing,
                                  const std::function<Result<SignResult>(const std::string& copy)>& sign) {
  FWSEAL_ASSIGN(Fd in, open_read(package));
  struct stat in_st {}, out_st {};
  if (::fstat(in.get(), &in_st) != 0) return make_error(Code::io, package + ": cannot stat: " + errno_text(errno));
  if (::stat(output.c_str(), &out_st) == 0) {
    if (out_st.st_dev == in_st.st_dev && out_st.st_ino == in_st.st_ino)
      return make_error(Code::usage, "-o " + output + " is the package itself; leave out -o to sign it in place");
    if (!replace_existing)
      return make_error(Code::usage, output + " already exists; fwseal sign -o does not replace a file (it may be a "
                                              "signed release): choose another output, or --force to replace it");
  }
  FWSEAL_ASSIGN(AtomicFile copy, AtomicFile::create(output, in_st.st_mode & 0777));
  FWSEAL_TRY(copy_contents(in.get(), copy.fd(), package, copy.temp_path()));
  copy.unlock();  // the signer locks the copy itself
  auto r = sign(copy.temp_path());
  if (!r.ok()) {
    // Messages name the package, not the copy nobody asked for.
    Error e = r.error();
    for (std::size_t at; (at = e.message.find(copy.temp_path())) != std::string::npos;)
      e.message.replace(at, copy.temp_path().size(), package);
    return e;
  }
  FWSEAL_TRY(replace_existing ? copy.commit() : copy.commit_no_replace());
  return r;
}

Result<std::string> to_be_signed(const std::string& path) {
  FWSEAL_ASSIGN(UnverifiedPackage head, read_unverified_package(path));
  return signed_bytes(head.manifest.bytes);
}

}  // namespace fwseal::signer
