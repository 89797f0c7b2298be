// The signing audit log: one JSON line per signature, hash-chained, append-only.
// docs/AUDIT.md is the prose form of this file.
//
// A line is the canonical JSON (RFC 8785) of one record and "\n":
//   {"algorithm":"ed25519","format":"fwseal-audit","format_version":1,"host":"ci-7",
//    "key_id":"<64 hex>","key_uri":"pkcs11:token=release;object=fw-2026","login":"ci",
//    "manifest_sha256":"<64 hex>","operator":"alice","package":"out/cam.fwpkg",
//    "prev":"<64 hex>","product":"acme-cam","result":"signed","seq":7,
//    "source":"hsm","target":"manifest","time":"2026-11-01T09:30:00Z","version":"1.4.2"}
// `prev` is the SHA-256 of the previous line's bytes, newline included
// (kAuditGenesis for line 1), and `seq` is the line's number, so an edited,
// removed, inserted or reordered line breaks the chain at a line that can be
// named. key_uri never holds a PIN: pin-value and pin-source are removed
// (redact_key_uri) before a line is built.
//
// Appending (AuditLog) is crash-safe: O_APPEND, an exclusive flock held from
// open() until the AuditLog is destroyed, the last line read back and
// validated, the new line written with one write() and fsync'd. A writer killed
// mid-write can leave at most a torn final line without its newline; the next
// append truncates it and records the cut bytes in its `repaired` member, and
// `fwseal audit verify` reports an unrepaired torn line as such (exit 10).
//
// Signing is write-ahead: sign_package_audited logs "signed" when the HSM
// returns a signature and before the signature can reach the package; if the
// line cannot be written, the signature is dropped and nothing is signed.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/digest.h"
#include "fwseal/base/error.h"
#include "fwseal/base/file.h"
#include "fwseal/format/signature.h"
#include "fwseal/signer/signer.h"

namespace fwseal::signer {

inline constexpr std::string_view kAuditFormat = "fwseal-audit";
inline constexpr int kAuditFormatVersion = 1;
// `prev` of the first line.
inline constexpr std::string_view kAuditGenesis = "0000000000000000000000000000000000000000000000000000000000000000";
// A longer line is not written (results are shortened to fit) and not read.
inline constexpr std::size_t kMaxAuditLineBytes = 64 * 1024;

// --- Where the log is and who signs --------------------------------------

// `flag` (--audit-log) if not empty, else $FWSEAL_AUDIT_LOG if set and not
// empty, else <fwseal_home>/audit.log (fwseal_home: hsm::home_dir()).
std::string audit_log_path(std::string_view flag, const std::string& fwseal_home);

// The key URI without pin-value / pin-source attributes (query or path, any
// case, percent-encoded names too); everything else is kept as written.
std::string redact_key_uri(std::string_view uri);

// $FWSEAL_OPERATOR if set and not empty, else the login name (getlogin_r),
// else $USER, else the account name of the effective uid, else "uid <n>".
std::string audit_operator();
// The account of the effective uid ("uid <n>" if it has no name): recorded
// beside `operator`, which FWSEAL_OPERATOR can set to anything.
std::string audit_login();
std::string audit_host();  // gethostname(), "unknown" if that fails

// --- Records ----------------------------------------------------------------

// What was signed, by which key, with what result. AuditLog::append adds
// seq, prev, time and repaired.
struct AuditEvent {
  std::string target = "manifest";  // "manifest" (a package signature) or "provenance"
  std::string source = "hsm";       // "hsm" (signed here) or "import" (--import-signature)
  std::string package;              // the package path as given
  std::string key_uri;              // as given (redacted when the line is built); empty for imports
  KeyId key_id{};
  Algorithm algorithm = Algorithm::ed25519;
  Sha256 manifest_digest{};
  std::string product;
  std::string version;
  std::string result;         // "signed", or "refused: <one-line reason>"
  std::string operator_name;  // empty: audit_operator()
  std::string login;          // empty: audit_login()
  std::string host;           // empty: audit_host()
};

// A torn final line that an append cut off (the member "repaired").
struct AuditRepair {
  std::uint64_t offset = 0;  // where the torn bytes started (and the new line starts)
  std::string text;          // the cut bytes (invalid UTF-8 replaced by "?")

  bool operator==(const AuditRepair&) const = default;
};

struct AuditRecord {
  std::uint64_t seq = 0;  // = the line number, from 1
  std::string prev;       // 64 hex
  std::string time;       // RFC 3339 UTC, "2026-11-01T09:30:00Z"
  AuditEvent event;       // operator_name, login and host filled in
  std::optional<AuditRepair> repaired;
};

// The canonical JSON line of a record, "\n" included. Code::malformed if a
// field cannot be written (e.g. an unknown target); over-long text fields are
// shortened so that the line fits kMaxAuditLineBytes.
Result<std::string> serialize_audit_record(const AuditRecord& r);
// One line without its "\n": canonical JSON with exactly the members above.
// Code::malformed naming `where`.
Result<AuditRecord> parse_audit_record(std::string_view line, std::string_view where);

// --- Appending --------------------------------------------------------------

// An open, locked log. Only one exists per log at a time across processes
// that use fwseal (flock); others wait in open().
class AuditLog {
 public:
  // Opens or creates the log (mode 0644; its directory, one level, 0700),
  // takes the lock and reads back the last complete line, which must be a
  // valid record. A torn final line is remembered and cut by append().
  // Code::io if the file cannot be opened, locked or read; Code::malformed if
  // the last line is not a valid record (run `fwseal audit verify`).
  static Result<AuditLog> open(const std::string& path);

  AuditLog(AuditLog&&) noexcept = default;
  AuditLog& operator=(AuditLog&&) noexcept = default;
  ~AuditLog() = default;  // closing the descriptor releases the lock

  // Writes one line for `event` (one write(), then fsync; the directory too
  // when the line is the first). Code::io if it cannot be written completely
  // and durably; a partial write is cut off again before returning.
  Result<AuditRecord> append(AuditEvent event);

  const std::string& path() const { return path_; }
  std::uint64_t next_seq() const { return next_seq_; }
  // A torn final line that the next append will cut, if any.
  const std::optional<AuditRepair>& torn_tail() const { return torn_; }

 private:
  AuditLog(std::string path, Fd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  Status load_tail();
  std::string path_;
  Fd fd_;
  std::uint64_t size_ = 0;  // bytes of complete lines (the file's size once a torn tail is cut)
  std::uint64_t next_seq_ = 1;
  std::string prev_{kAuditGenesis};
  std::optional<AuditRepair> torn_;
};

// --- Signing with an audit line ---------------------------------------------

// Per invocation: which log, and how the key was named.
struct AuditContext {
  std::string log_path;       // audit_log_path(--audit-log, hsm::home_dir(options))
  std::string key_uri;        // the key's URI as given (redacted when written); empty for imports
  std::string operator_name;  // empty: audit_operator()
};

// sign_package with the log: opens and locks the log first (its errors come
// back before the key is used), then writes one "signed" line as soon as the
// key returns a signature, before that signature is appended to the package,
// or one "refused: <reason>" line if signing fails once the key is in hand
// (the key refuses or fails, the package is already signed by this key or
// full, the signature cannot be stored). Errors: those of AuditLog::open and
// append (nothing is signed), read_unverified_package, and sign_package.
Result<SignResult> sign_package_audited(const std::string& path, const SigningKey& key, const AuditContext& audit,
                                        const std::vector<std::string>& certificate_chain_der = {});

// import_signature with the log: a "signed" line (source "import") once the
// signature has been checked against the public key and before it is stored;
// "refused: <reason>" if it does not verify or cannot be stored.
Result<SignResult> import_signature_audited(const std::string& path, const EVP_PKEY* public_key,
                                            std::string_view signature, const AuditContext& audit,
                                            const std::vector<std::string>& certificate_chain_der = {});

// Signs `message` with `key` for a non-package target (provenance), writing
// the "signed"/"refused: …" line the same way, write-ahead. `event` names the
// target, package and manifest; key id, algorithm and result are filled in.
Result<std::string> sign_audited(const SigningKey& key, std::string_view message, AuditEvent event,
                                 const AuditContext& audit);

// --- Verifying --------------------------------------------------------------

struct AuditKeySummary {
  std::string algorithm;
  std::string key_uri;  // the last one recorded ("" for imports only)
  std::uint64_t signed_count = 0;
  std::uint64_t refused_count = 0;
};

struct AuditSummary {
  std::uint64_t lines = 0;
  std::string first_time;  // empty for an empty log
  std::string last_time;
  std::string head;  // SHA-256 of the last line (kAuditGenesis for an empty log): anchor it elsewhere
  std::map<std::string, AuditKeySummary> keys;  // by key id (hex)
  std::vector<std::uint64_t> repaired_lines;    // lines that record a cut torn tail
};

struct AuditVerifyOptions {
  // If set: some line's SHA-256 must equal it (a head recorded earlier), so
  // lines removed from or changed at the end since then are detected too.
  std::optional<std::string> anchor;
};

// Reads the whole log and checks every line: a valid record, seq = its line
// number, prev = SHA-256 of the line before. Code::malformed naming the first
// bad line ("line 7 was changed", "line 7 was removed", "lines 3 and 4 are out
// of order", "line 7 was inserted", "line 9 is torn"); Code::io if the log
// cannot be read.
Result<AuditSummary> verify_audit_log(const std::string& path, const AuditVerifyOptions& options = {});

}  // namespace fwseal::signer
