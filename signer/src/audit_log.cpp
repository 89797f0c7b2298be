// Appending to the audit log: O_APPEND, flock, the last line read back and
// validated, one write(), fsync. docs/AUDIT.md "Crash safety" says why each
// step is there.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "fwseal/format/provenance.h"
#include "fwseal/signer/audit.h"

namespace fwseal::signer {
namespace {

// Room for a torn line and the complete line before it.
constexpr std::size_t kTailWindow = 2 * kMaxAuditLineBytes + 1;

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Status fsync_dir(const std::string& dir) {
  Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!d || ::fsync(d.get()) != 0)
    return make_error(Code::io, dir + ": cannot sync the audit log's directory: " + errno_text(errno));
  return ok_status();
}

// The number of complete lines in the first `end` bytes (for messages).
std::uint64_t count_lines(int fd, std::uint64_t end) {
  std::string buf(1 << 16, '\0');
  std::uint64_t lines = 0;
  for (std::uint64_t off = 0; off < end;) {
    auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), end - off));
    ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(off));
    if (n <= 0) break;
    lines += static_cast<std::uint64_t>(std::count(buf.begin(), buf.begin() + n, '\n'));
    off += static_cast<std::uint64_t>(n);
  }
  return lines;
}

}  // namespace

Result<AuditLog> AuditLog::open(const std::string& path) {
  if (path.empty()) return make_error(Code::usage, "no audit log path given");
  std::string dir = dir_of(path);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return make_error(Code::io, path + ": cannot create the audit log's directory: " + errno_text(errno));
  Fd fd(::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) return make_error(Code::io, path + ": cannot open the audit log: " + errno_text(errno));
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) return make_error(Code::io, path + ": cannot stat the audit log: " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) return make_error(Code::io, path + ": the audit log is not a regular file");
  int rc;
  do rc = ::flock(fd.get(), LOCK_EX);
  while (rc != 0 && errno == EINTR);
  if (rc != 0) return make_error(Code::io, path + ": cannot lock the audit log: " + errno_text(errno));
  AuditLog log(path, std::move(fd));
  FWSEAL_TRY(log.load_tail());
  return log;
}

Status AuditLog::load_tail() {
  struct stat st{};
  if (::fstat(fd_.get(), &st) != 0) return make_error(Code::io, path_ + ": cannot stat the audit log: " + errno_text(errno));
  const auto size = static_cast<std::uint64_t>(st.st_size);
  next_seq_ = 1;
  prev_ = std::string(kAuditGenesis);
  torn_.reset();
  size_ = 0;
  if (size == 0) return ok_status();

  const std::uint64_t start = size > kTailWindow ? size - kTailWindow : 0;
  std::string tail(static_cast<std::size_t>(size - start), '\0');
  ssize_t n = ::pread(fd_.get(), tail.data(), tail.size(), static_cast<off_t>(start));
  if (n < 0 || static_cast<std::size_t>(n) != tail.size())
    return make_error(Code::io, path_ + ": cannot read the end of the audit log: " + errno_text(errno));

  // A final line without its newline is a write that never finished.
  std::size_t end = tail.size();  // end of the complete lines, within `tail`
  if (tail.back() != '\n') {
    std::size_t nl = tail.rfind('\n');
    std::size_t from = nl == std::string::npos ? 0 : nl + 1;
    if ((nl == std::string::npos && start > 0) || tail.size() - from >= kMaxAuditLineBytes)
      return make_error(Code::malformed, path_ + ": ends in " + std::to_string(tail.size() - from) +
                                             "+ bytes without a newline, more than any audit line: not an fwseal "
                                             "audit log, or damaged; run fwseal audit verify " + path_);
    torn_ = AuditRepair{start + from, tail.substr(from)};
    end = from;
  }
  size_ = start + end;
  if (end == 0) {
    if (start == 0) return ok_status();  // nothing but a torn first line
    return make_error(Code::malformed, path_ + ": the last line is longer than any audit line");
  }
  std::size_t nl = end >= 2 ? tail.rfind('\n', end - 2) : std::string::npos;
  std::size_t from = nl == std::string::npos ? 0 : nl + 1;
  if (nl == std::string::npos && start > 0)
    return make_error(Code::malformed, path_ + ": the last line is longer than any audit line");
  std::string_view line(tail.data() + from, end - from);
  auto rec = parse_audit_record(line.substr(0, line.size() - 1), "last line");
  if (!rec.ok()) {
    std::uint64_t number = count_lines(fd_.get(), size_);
    return make_error(Code::malformed, path_ + ": line " + std::to_string(number) +
                                           ", the last, is not a valid audit record (" + rec.error().message +
                                           "); fwseal appends only to a valid log: run fwseal audit verify " + path_);
  }
  prev_ = sha256_hex(line);
  next_seq_ = rec->seq + 1;
  return ok_status();
}

Result<AuditRecord> AuditLog::append(AuditEvent event) {
  if (!fd_) return make_error(Code::internal, "audit log used after it was moved");
  if (event.operator_name.empty()) event.operator_name = audit_operator();
  if (event.login.empty()) event.login = audit_login();
  if (event.host.empty()) event.host = audit_host();
  AuditRecord rec;
  rec.seq = next_seq_;
  rec.prev = prev_;
  rec.time = rfc3339_utc(static_cast<std::int64_t>(std::time(nullptr)));
  rec.event = std::move(event);
  rec.repaired = torn_;
  FWSEAL_ASSIGN(std::string line, serialize_audit_record(rec));

  // Cut a torn tail first; the line written next records what was cut.
  if (torn_ && ::ftruncate(fd_.get(), static_cast<off_t>(torn_->offset)) != 0)
    return make_error(Code::io, path_ + ": cannot cut the torn last line of the audit log: " + errno_text(errno));
  torn_.reset();
  // One write(): with O_APPEND and the lock, the line lands whole at the end,
  // or (killed, disk full) as a torn tail that the next append cuts.
  ssize_t n;
  do n = ::write(fd_.get(), line.data(), line.size());
  while (n < 0 && errno == EINTR);
  if (n < 0 || static_cast<std::size_t>(n) != line.size()) {
    int err = n < 0 ? errno : ENOSPC;
    if (n > 0 && ::ftruncate(fd_.get(), static_cast<off_t>(size_)) == 0) n = 0;  // take the partial line back
    if (n > 0) torn_ = AuditRepair{size_, line.substr(0, static_cast<std::size_t>(n))};
    return make_error(Code::io, path_ + ": cannot write the audit log: " + errno_text(err));
  }
  if (::fsync(fd_.get()) != 0)
    return make_error(Code::io, path_ + ": cannot sync the audit log: " + errno_text(errno));
  if (rec.seq == 1) FWSEAL_TRY(fsync_dir(dir_of(path_)));
  size_ += line.size();
  prev_ = sha256_hex(line);
  ++next_seq_;
  return rec;
}

}  // namespace fwseal::signer
