// fwseal inventory advisories import: files, directories and zips of OSV
// records into the inventory, in one transaction per import.
#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "fwseal/base/digest.h"
#include "fwseal/base/file.h"
#include "fwseal/base/text.h"
#include "fwseal/base/time.h"
#include "fwseal/inventory/advisory.h"
#include "fwseal/inventory/scan.h"

namespace fwseal::inventory {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::size_t kMaxRecordBytes = 8u << 20;
constexpr std::size_t kMaxRecords = 2'000'000;

struct Record {
  std::string where;  // file, or zip:entry
  std::string bytes;
};

// The SHA-256 of a file, read in pieces.
Result<std::string> file_sha256(const std::string& path) {
  FWSEAL_ASSIGN(Fd fd, open_read(path));
  Hasher h = Hasher::sha256();
  std::string buf(1 << 16, '\0');
  while (true) {
    FWSEAL_ASSIGN(std::size_t n, read_full(fd.get(), buf.data(), buf.size(), path));
    h.update(std::string_view(buf.data(), n));
    if (n < buf.size()) break;
  }
  return to_hex(h.finish());
}

// Calls `each` for every record at `path`, in a stable order; `digest` is
// the SHA-256 of the file, or of a directory's list of names and digests.
Status read_records(const std::string& path, std::string& digest,
                    const std::function<Status(const Record&)>& each) {
  std::error_code ec;
  auto status = fs::symlink_status(path, ec);
  if (ec) return make_error(Code::io, path + ": cannot read: " + ec.message());
  if (fs::is_directory(status)) {
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      if (it->is_regular_file() && !it->is_symlink() && it->path().extension() == ".json") files.push_back(it->path());
    if (ec) return make_error(Code::io, path + ": cannot read the directory: " + ec.message());
    std::sort(files.begin(), files.end());
    if (files.size() > kMaxRecords) return make_error(Code::malformed, path + ": more than 2,000,000 records");
    std::string list;
    for (const auto& f : files) {
      FWSEAL_ASSIGN(std::string bytes, read_regular_file(f.string(), kMaxRecordBytes));
      list += fs::relative(f, path).string() + " " + sha256_hex(bytes) + "\n";
      FWSEAL_TRY(each(Record{f.string(), std::move(bytes)}));
    }
    digest = sha256_hex(list);
    return ok_status();
  }
  if (!fs::is_regular_file(status)) return make_error(Code::io, path + ": not a file or directory");
  if (path.ends_with(".zip")) {
    std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
    archive_read_support_format_zip(a.get());
    if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK)
      return make_error(Code::malformed, path + ": not a zip archive: " + archive_error_string(a.get()));
    FWSEAL_ASSIGN(digest, file_sha256(path));
    archive_entry* entry = nullptr;
    std::size_t records = 0;
    while (true) {
      int rc = archive_read_next_header(a.get(), &entry);
      if (rc == ARCHIVE_EOF) break;
      if (rc != ARCHIVE_OK)
        return make_error(Code::malformed, path + ": damaged zip: " + std::string(archive_error_string(a.get())));
      std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
      if (archive_entry_filetype(entry) != AE_IFREG || !name.ends_with(".json")) continue;
      if (++records > kMaxRecords) return make_error(Code::malformed, path + ": more than 2,000,000 records");
      const std::string where = path + ":" + plain_or_quoted(name);
      if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > static_cast<la_int64_t>(kMaxRecordBytes))
        return make_error(Code::malformed, where + ": larger than 8 MiB");
      std::string bytes;
      char buf[65536];
      while (true) {
        la_ssize_t n = archive_read_data(a.get(), buf, sizeof buf);
        if (n < 0) return make_error(Code::malformed, where + ": " + std::string(archive_error_string(a.get())));
        if (n == 0) break;
        bytes.append(buf, static_cast<std::size_t>(n));
        if (bytes.size() > kMaxRecordBytes) return make_error(Code::malformed, where + ": larger than 8 MiB");
      }
      FWSEAL_TRY(each(Record{where, std::move(bytes)}));
    }
    return ok_status();
  }
  FWSEAL_ASSIGN(std::string bytes, read_regular_file(path, kMaxRecordBytes));
  digest = sha256_hex(bytes);
  return each(Record{path, std::move(bytes)});
}

json intervals_json(const std::vector<VersionInterval>& ranges);

// NVD configurations' other conditions: [{"negate": false, "any": [{"vendor",
// "product", "ranges", "versions"}]}]
json requires_json(const std::vector<Requirement>& requires_also) {
  json out = json::array();
  for (const auto& r : requires_also) {
    json any = json::array();
    for (const auto& c : r.any)
      any.push_back({{"vendor", c.purl_namespace}, {"product", c.name}, {"ranges", intervals_json(c.ranges)},
                     {"versions", c.versions}});
    out.push_back({{"negate", r.negate}, {"any", std::move(any)}});
  }
  return out;
}

json intervals_json(const std::vector<VersionInterval>& ranges) {
  json out = json::array();
  for (const auto& r : ranges) {
    json j = json::object();
    if (r.lower) j[r.lower_inclusive ? "gte" : "gt"] = *r.lower;
    if (r.upper) j[r.upper_inclusive ? "lte" : "lt"] = *r.upper;
    out.push_back(std::move(j));
  }
  return out;
}

// What of a record the inventory holds, as one digest: a record whose
// digest is unchanged is not rewritten (also one of many in an NVD response).
std::string advisory_digest(const Advisory& a) {
  json affected = json::array();
  for (const auto& e : a.affected)
    affected.push_back({e.purl_type, e.purl_namespace, e.name, e.distro, std::string(scheme_name(e.scheme)),
                        intervals_json(e.ranges), e.versions, requires_json(e.requires_also), e.rule});
  json j = {a.id, a.format, a.aliases, a.summary, a.modified, a.withdrawn,
            a.cvss ? a.cvss->vector : std::string(), affected};
  return sha256_hex(j.dump(-1, ' ', false, json::error_handler_t::replace));
}

// Records (or replaces) one advisory inside the import's transaction.
Status store(Connection& db, const Advisory& a, const std::string& record_sha256, const std::string& import_id,
             ImportResult& result) {
  FWSEAL_ASSIGN(auto existing, db.query("SELECT id, record_sha256 FROM advisories WHERE advisory_id = ? AND format = ?", {a.id, a.format}));
  Cell score = a.cvss ? Cell(std::to_string(a.cvss->base_score)) : std::nullopt;
  Cell vector = a.cvss ? Cell(a.cvss->vector) : std::nullopt;
  Cell withdrawn = a.withdrawn.empty() ? std::nullopt : Cell(a.withdrawn);
  std::string id;
  if (!existing.empty()) {
    if (existing[0][1] == record_sha256) {
      ++result.unchanged;
      return ok_status();
    }
    id = existing[0][0].value_or("");
    for (const char* table : {"advisory_affected", "advisory_aliases"})
      FWSEAL_TRY(db.query(std::string("DELETE FROM ") + table + " WHERE advisory_id = ?", {id}));
    FWSEAL_TRY(db.query("UPDATE advisories SET format = ?, summary = ?, modified = ?, withdrawn = ?, cvss_vector = ?, "
                        "cvss_score = ?, record_sha256 = ?, import_id = ? WHERE id = ?",
                        {a.format, a.summary, a.modified, withdrawn, vector, score, record_sha256, import_id, id}));
    ++(a.withdrawn.empty() ? result.updated : result.withdrawn);
  } else {
    FWSEAL_ASSIGN(auto inserted,
                  db.query("INSERT INTO advisories (advisory_id, format, summary, modified, withdrawn, cvss_vector, "
                           "cvss_score, record_sha256, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                           {a.id, a.format, a.summary, a.modified, withdrawn, vector, score, record_sha256, import_id}));
    id = inserted.at(0).at(0).value_or("");
    ++(a.withdrawn.empty() ? result.added : result.withdrawn);
  }
  std::vector<std::string> aliases = a.aliases;
  std::sort(aliases.begin(), aliases.end());
  aliases.erase(std::unique(aliases.begin(), aliases.end()), aliases.end());
  for (const auto& alias : aliases)
    FWSEAL_TRY(db.query("INSERT INTO advisory_aliases (advisory_id, alias) VALUES (?, ?)", {id, alias}));
  for (const auto& e : a.affected)
    FWSEAL_TRY(db.query("INSERT INTO advisory_affected (advisory_id, purl_type, purl_namespace, name, distro, scheme, "
                        "ranges, versions, requires, rule) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        {id, e.purl_type, e.purl_namespace, e.name, e.distro, std::string(scheme_name(e.scheme)),
                         intervals_json(e.ranges).dump(), json(e.versions).dump(),
                         requires_json(e.requires_also).dump(), e.rule}));
  return ok_status();
}

}  // namespace

Result<ImportResult> import_advisories(Connection& db, const std::string& path) {
  ImportResult result;
  result.source = path;
  FWSEAL_TRY(db.begin_write());
  auto run = [&]() -> Status {
    FWSEAL_ASSIGN(auto import_row,
                  db.query("INSERT INTO advisory_imports (source, format, sha256, imported, records) VALUES (?, '', "
                           "'', ?, 0) RETURNING id",
                           {path, now_rfc3339_utc()}));
    const std::string import_id = import_row.at(0).at(0).value_or("");
    std::set<std::string> formats;
    auto each = [&](const Record& r) -> Status {
      FWSEAL_ASSIGN(auto advisories, parse_advisories(r.bytes, r.where));
      for (const auto& a : advisories) {
        ++result.records;
        formats.insert(a.format);
        if (auto s = store(db, a, advisory_digest(a), import_id, result); !s.ok()) return s;
      }
      return ok_status();
    };
    FWSEAL_TRY(read_records(path, result.sha256, each));
    std::string format;
    for (const auto& f : formats) format += (format.empty() ? "" : "+") + f;
    FWSEAL_TRY(db.query("UPDATE advisory_imports SET format = ?, sha256 = ?, records = ? WHERE id = ?",
                        {format, result.sha256, std::to_string(result.records), import_id}));
    return ok_status();
  };
  if (auto s = run(); !s.ok()) {
    db.rollback();
    return s.error();
  }
  FWSEAL_TRY(db.commit());
  return result;
}

Result<std::optional<std::string>> newest_import(Connection& db) {
  FWSEAL_ASSIGN(auto rows, db.query("SELECT max(imported) FROM advisory_imports"));
  if (rows.empty() || !rows[0][0]) return std::optional<std::string>();
  return std::optional<std::string>(*rows[0][0]);
}

}  // namespace fwseal::inventory
