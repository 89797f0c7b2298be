// `fwseal audit verify`: the whole chain, line by line, and at the first
// break a diagnosis that names the line (docs/AUDIT.md "Verifying").
#include <algorithm>

#include "fwseal/base/file.h"
#include "fwseal/signer/audit.h"

namespace fwseal::signer {
namespace {

constexpr std::size_t kMaxAuditLogBytes = std::size_t{1} << 30;

struct Line {
  std::string_view bytes;  // without its "\n"
  std::string hash;        // SHA-256 hex of bytes + "\n"
  std::optional<AuditRecord> record;
  Error error;  // why `record` is empty
};

std::string n(std::uint64_t v) { return std::to_string(v); }

// The first line (1-based) at or after `from` whose record has `seq`, or 0.
std::size_t find_seq(const std::vector<Line>& lines, std::size_t from, std::uint64_t seq) {
  for (std::size_t i = from; i <= lines.size(); ++i)
    if (lines[i - 1].record && lines[i - 1].record->seq == seq) return i;
  return 0;
}

// Lines 1..i-1 chain correctly and line i (1-based) parses but does not fit:
// say what most plausibly happened, naming the line.
std::string diagnose(const std::vector<Line>& lines, std::size_t i) {
  const AuditRecord& r = *lines[i - 1].record;
  const std::string here = "line " + n(i);
  const std::uint64_t seq = r.seq;
  if (seq == i) {
    if (i == 1)
      return "line 1: prev is not the genesis value (64 zeros): line 1 was changed, or lines before it were removed";
    return "line " + n(i - 1) + " was changed: line " + n(i) + " records SHA-256 " + r.prev +
           " for the line before it, but line " + n(i - 1) + " hashes to " + lines[i - 2].hash;
  }
  if (seq > i) {
    if (std::size_t j = find_seq(lines, i + 1, i); j != 0)
      return "lines " + n(i) + " and " + n(j) + " are out of order: line " + n(i) + " has seq " + n(seq) +
             " and line " + n(j) + " has seq " + n(i);
    if (seq == i + 1) return "line " + n(i) + " was removed: the line now at " + n(i) + " has seq " + n(seq);
    return "lines " + n(i) + " to " + n(seq - 1) + " were removed: the line now at " + n(i) + " has seq " + n(seq);
  }
  // seq < i: a seq seen before.
  const Line& same = lines[seq - 1];
  if (same.bytes == lines[i - 1].bytes)
    return here + " was inserted: it is a copy of line " + n(seq);
  if (seq == i - 1 && i >= 3 && r.prev == lines[i - 3].hash)
    return "line " + n(i - 1) + " was inserted: line " + n(i) + " has seq " + n(seq) + " and chains to line " +
           n(i - 2);
  if (seq == i - 1 && i == 2 && r.prev == kAuditGenesis)
    return "line 1 was inserted: line 2 has seq 1 and is the log's real first line";
  return here + ": seq is " + n(seq) + ", expected " + n(i) + ": a line was inserted before it, or lines were reordered";
}

}  // namespace

Result<AuditSummary> verify_audit_log(const std::string& path, const AuditVerifyOptions& options) {
  FWSEAL_ASSIGN(std::string text, read_file(path, kMaxAuditLogBytes));
  const std::string prefix = path + ": ";
  std::vector<Line> lines;
  std::string_view rest = text;
  std::optional<std::string_view> torn;
  while (!rest.empty()) {
    std::size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) {
      torn = rest;
      break;
    }
    Line line;
    line.bytes = rest.substr(0, nl);
    line.hash = sha256_hex(rest.substr(0, nl + 1));
    auto rec = parse_audit_record(line.bytes, "line " + n(lines.size() + 1));
    if (rec.ok()) {
      line.record = std::move(rec).value();
    } else {
      line.error = std::move(rec).error();
    }
    lines.push_back(std::move(line));
    rest.remove_prefix(nl + 1);
  }

  AuditSummary s;
  s.head = std::string(kAuditGenesis);
  for (std::size_t i = 1; i <= lines.size(); ++i) {
    const Line& line = lines[i - 1];
    if (!line.record)
      return make_error(Code::malformed, prefix + "line " + n(i) + " is not a valid audit record: " + line.error.message);
    const AuditRecord& r = *line.record;
    const std::string& expected_prev = i == 1 ? std::string(kAuditGenesis) : lines[i - 2].hash;
    if (r.seq != i || r.prev != expected_prev) return make_error(Code::malformed, prefix + diagnose(lines, i));
    if (i == 1) s.first_time = r.time;
    s.last_time = r.time;
    s.head = line.hash;
    if (r.repaired) s.repaired_lines.push_back(i);
    AuditKeySummary& k = s.keys[to_hex(r.event.key_id)];
    k.algorithm = std::string(algorithm_name(r.event.algorithm));
    if (!r.event.key_uri.empty()) k.key_uri = r.event.key_uri;
    (r.event.result == "signed" ? k.signed_count : k.refused_count) += 1;
  }
  s.lines = lines.size();
  if (torn)
    return make_error(Code::malformed, prefix + "line " + n(lines.size() + 1) + " is torn: " + n(torn->size()) +
                                           " bytes without a newline (a writer was interrupted); the next signature "
                                           "cuts it off and records the cut bytes in its line");
  if (options.anchor) {
    bool found = std::any_of(lines.begin(), lines.end(), [&](const Line& l) { return l.hash == *options.anchor; });
    if (!found && !(lines.empty() && *options.anchor == kAuditGenesis))
      return make_error(Code::malformed, prefix + "no line hashes to the anchor " + *options.anchor +
                                             ": lines up to the anchored one were changed or removed");
  }
  return s;
}

}  // namespace fwseal::signer
