#include "fwseal/inventory/add.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <array>
#include <cstring>
#include <future>
#include <map>
#include <unordered_map>
#include <nlohmann/json.hpp>
#include <set>

#include "fwseal/base/digest.h"
#include "fwseal/base/parallel.h"
#include "fwseal/base/time.h"
#include "fwseal/inventory/purl_match.h"
#include "fwseal/sbom/purl.h"
#include "fwseal/sbom/validate.h"
#include "fwseal/verifier/verify.h"

namespace fwseal::inventory {
namespace {

using nlohmann::json;

struct Image {
  std::string name, type;
  std::uint64_t size = 0;
  std::string sha256;
};

// The fields the inventory records of a component, in the order of the
// components table's columns after `identity`; the identity is the SHA-256 of
// them all.
constexpr std::array<const char*, 12> kFields = {"name",     "version",  "purl",     "purl_type",
                                                 "purl_namespace", "purl_name", "upstream", "cpe",
                                                 "licences", "hashes",   "supplier", "evidence"};
enum Field : std::size_t { kName, kVersion, kPurl, kPurlType, kPurlNamespace, kPurlName, kUpstream, kCpe, kLicences,
                           kHashes, kSupplier, kEvidence };

struct Component {
  std::array<Cell, kFields.size()> fields;
  std::set<std::string> images;
};

// Everything one release contributes, gathered before the transaction starts.
struct Release {
  std::string product, version;
  std::optional<std::uint64_t> security_version;
  std::optional<std::string> created;
  std::string manifest_digest;  // the identity of the release: same digest, same release
  bool verified = false;
  std::vector<std::string> hardware, signers;
  std::vector<Image> images;
  std::vector<Component> components;
};

Cell json_cell(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

// Components of the SBOM, nested ones included; fwseal's own image entries
// ("image:NAME") are images, not components.
Status read_components(std::string_view bytes, Release& release) {
  json bom = json::parse(bytes, nullptr, false);
  if (bom.is_discarded() || !bom.is_object()) return make_error(Code::malformed, "SBOM: not JSON");
  std::map<std::string, std::set<std::string>> images_of;  // component bom-ref -> images
  if (auto deps = bom.find("dependencies"); deps != bom.end() && deps->is_array())
    for (const auto& d : *deps) {
      std::string ref = d.value("ref", "");
      auto on = d.find("dependsOn");
      if (!ref.starts_with("image:") || on == d.end() || !on->is_array()) continue;
      for (const auto& o : *on)
        if (o.is_string()) images_of[o.get<std::string>()].insert(ref.substr(6));
    }
  std::vector<const json*> pending;
  if (auto list = bom.find("components"); list != bom.end() && list->is_array())
    for (const auto& c : *list) pending.push_back(&c);
  release.components.reserve(pending.size());
  while (!pending.empty()) {
    const json& c = *pending.back();
    pending.pop_back();
    if (!c.is_object()) continue;
    if (auto nested = c.find("components"); nested != c.end() && nested->is_array())
      for (const auto& n : *nested) pending.push_back(&n);
    std::string ref = c.value("bom-ref", "");
    if (ref.starts_with("image:")) continue;
    Component out;
    auto& f = out.fields;
    f[kName] = json_cell(c, "name");
    f[kVersion] = json_cell(c, "version");
    f[kPurl] = json_cell(c, "purl");
    f[kCpe] = json_cell(c, "cpe");
    f[kLicences] = json_cell(c, "licenses");
    f[kHashes] = json_cell(c, "hashes");
    f[kSupplier] = json_cell(c, "supplier");
    f[kEvidence] = json_cell(c, "evidence");
    if (f[kPurl]) {
      auto parts = sbom::parse_purl(*f[kPurl], "SBOM");
      if (parts.ok()) {
        f[kPurlType] = parts->type;
        f[kPurlNamespace] = parts->ns;
        f[kPurlName] = parts->name;
        std::string up = upstream_name(*parts);
        if (!up.empty()) f[kUpstream] = up;
      }
    }
    if (auto it = images_of.find(ref); it != images_of.end()) out.images = it->second;
    release.components.push_back(std::move(out));
  }
  return ok_status();
}

Result<std::string> one_value(Connection& db, std::string_view sql, const std::vector<Cell>& params) {
  FWSEAL_ASSIGN(auto rows, db.query(sql, params));
  if (rows.empty() || rows[0].empty() || !rows[0][0]) return make_error(Code::internal, "no row from the inventory");
  return *rows[0][0];
}

// `before` + "(?, ?), (?, ?), ..." for rows of `width` parameters taken from
// `params`. PostgreSQL: a few hundred parameters per statement, one round
// trip each. SQLite: one row per statement, a function call on a prepared
// statement; a statement of many rows keeps a copy of every page it changes,
// to undo it alone, which made it a third slower (docs/BENCHMARKS.md,
// "Inventory").
Status insert_rows(Connection& db, std::string_view before, std::size_t width, const std::vector<Cell>& params,
                   std::string_view after = "") {
  std::string one = "(";
  for (std::size_t i = 0; i < width; ++i) one += i ? ", ?" : "?";
  one += ")";
  const std::size_t per_statement = db.engine() == "sqlite" ? 1 : std::max<std::size_t>(1, 600 / width);
  const std::size_t rows = params.size() / width;
  for (std::size_t at = 0; at < rows; at += per_statement) {
    const std::size_t n = std::min(per_statement, rows - at);
    std::string sql(before);
    for (std::size_t i = 0; i < n; ++i) sql += (i ? ", " : "") + one;
    sql += after;
    std::vector<Cell> part(params.begin() + static_cast<std::ptrdiff_t>(at * width),
                           params.begin() + static_cast<std::ptrdiff_t>((at + n) * width));
    FWSEAL_TRY(db.query(sql, part));
  }
  return ok_status();
}

// Writes releases inside an open write transaction. It remembers the ids of
// the components and image lists it has stored or looked up, so the next
// release of a product, which shares most of them, asks the database only
// about what is new (docs/BENCHMARKS.md, "Inventory"). forget() after any
// rollback: what it remembers may have been undone.
class Writer {
 public:
  Writer(Connection& db, bool replace) : db_(db), replace_(replace) {}
  Result<AddResult> write(const Release& r);
  void forget() {
    component_ids_.clear();
    image_set_ids_.clear();
  }

 private:
  Result<std::map<std::string, std::set<std::string>>> store_components(const std::vector<Component>& components);
  Result<std::string> image_set_id(const std::set<std::string>& images);

  Connection& db_;
  bool replace_;
  std::unordered_map<std::string, std::string> component_ids_;  // identity -> id
  std::map<std::string, std::string> image_set_ids_;            // images JSON -> id
};

// Each component stored once (looked up by identity, the SHA-256 of its
// recorded fields; inserted when new). Returns component id -> the images it
// is in, over every occurrence in the SBOM.
Result<std::map<std::string, std::set<std::string>>> Writer::store_components(const std::vector<Component>& components) {
  std::map<std::string, const Component*> by_identity;
  std::vector<std::pair<std::string, const Component*>> uses;  // identity, component
  uses.reserve(components.size());
  for (const auto& c : components) {
    std::string identity_text;
    for (const Cell& v : c.fields) identity_text += v ? "1" + std::to_string(v->size()) + ":" + *v : "0";
    std::string identity = sha256_hex(identity_text);
    by_identity.emplace(identity, &c);
    uses.emplace_back(std::move(identity), &c);
  }
  std::vector<std::string> unknown;
  for (const auto& [identity, c] : by_identity)
    if (!component_ids_.count(identity)) unknown.push_back(identity);
  auto look_up = [&](const std::vector<std::string>& wanted) -> Status {
    FWSEAL_ASSIGN(auto found, query_in(db_, "SELECT identity, id FROM components WHERE identity IN ", wanted));
    for (auto& f : found) component_ids_[f[0].value_or("")] = f[1].value_or("");
    return ok_status();
  };
  FWSEAL_TRY(look_up(unknown));
  std::vector<std::string> missing;
  std::vector<Cell> rows;
  for (const auto& identity : unknown) {
    if (component_ids_.count(identity)) continue;
    missing.push_back(identity);
    rows.push_back(identity);
    const auto& fields = by_identity[identity]->fields;
    rows.insert(rows.end(), fields.begin(), fields.end());
  }
  FWSEAL_TRY(insert_rows(db_,
                         "INSERT INTO components (identity, name, version, purl, purl_type, purl_namespace, purl_name, "
                         "upstream, cpe, licences, hashes, supplier, evidence) VALUES ",
                         kFields.size() + 1, rows, " ON CONFLICT (identity) DO NOTHING"));
  FWSEAL_TRY(look_up(missing));
  std::map<std::string, std::set<std::string>> images_by_component;
  for (const auto& [identity, c] : uses) {
    auto it = component_ids_.find(identity);
    if (it == component_ids_.end()) return make_error(Code::internal, "a component the inventory just stored is not there");
    images_by_component[it->second].insert(c->images.begin(), c->images.end());
  }
  // Bounded: a command adding many different products forgets and asks again.
  if (component_ids_.size() > 200000) component_ids_.clear();
  return images_by_component;
}

// The id of an image list in image_sets, stored when new.
Result<std::string> Writer::image_set_id(const std::set<std::string>& images) {
  std::string text = json(images).dump();
  if (auto it = image_set_ids_.find(text); it != image_set_ids_.end()) return it->second;
  std::string digest = image_set_digest(text);
  FWSEAL_TRY(db_.query("INSERT INTO image_sets (digest, images) VALUES (?, ?) ON CONFLICT (digest) DO NOTHING",
                       {digest, text}));
  FWSEAL_ASSIGN(std::string id, one_value(db_, "SELECT id FROM image_sets WHERE digest = ?", {digest}));
  if (image_set_ids_.size() > 10000) image_set_ids_.clear();
  image_set_ids_.emplace(std::move(text), id);
  return id;
}

Result<AddResult> Writer::write(const Release& r) {
  AddResult result{AddOutcome::added, r.product, r.version, r.components.size()};
  FWSEAL_TRY(db_.query("INSERT INTO products (name) VALUES (?) ON CONFLICT (name) DO NOTHING", {r.product}));
  FWSEAL_ASSIGN(std::string product_id, one_value(db_, "SELECT id FROM products WHERE name = ?", {r.product}));
  FWSEAL_ASSIGN(auto existing, db_.query("SELECT id, manifest_digest FROM releases WHERE product_id = ? AND version = ?",
                                         {product_id, r.version}));
  if (!existing.empty()) {
    if (existing[0][1] == r.manifest_digest) {
      result.outcome = AddOutcome::unchanged;
      return result;
    }
    if (!replace_)
      return make_error(Code::malformed, r.product + " " + r.version +
                                             " is already in the inventory from a different package; give --replace "
                                             "to record this one instead");
    const Cell& old = existing[0][0];
    for (const char* table : {"release_components", "images", "release_signers", "release_hardware"})
      FWSEAL_TRY(db_.query(std::string("DELETE FROM ") + table + " WHERE release_id = ?", {old}));
    FWSEAL_TRY(db_.query("DELETE FROM releases WHERE id = ?", {old}));
    result.outcome = AddOutcome::replaced;
  }
  FWSEAL_ASSIGN(std::string release_id,
                one_value(db_,
                          "INSERT INTO releases (product_id, version, security_version, created, manifest_digest, "
                          "verified, added, hardware) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          {product_id, r.version,
                           r.security_version ? Cell(std::to_string(*r.security_version)) : std::nullopt, r.created,
                           r.manifest_digest, std::string(r.verified ? "1" : "0"), now_rfc3339_utc(),
                           hardware_json(std::set<std::string>(r.hardware.begin(), r.hardware.end()))}));
  std::vector<Cell> rows;
  for (const auto& h : r.hardware) rows.insert(rows.end(), {release_id, h});
  FWSEAL_TRY(insert_rows(db_, "INSERT INTO release_hardware (release_id, hardware_id) VALUES ", 2, rows));
  rows.clear();
  for (const auto& k : r.signers) rows.insert(rows.end(), {release_id, k});
  FWSEAL_TRY(insert_rows(db_, "INSERT INTO release_signers (release_id, key_id) VALUES ", 2, rows,
                         " ON CONFLICT DO NOTHING"));
  rows.clear();
  for (const auto& i : r.images) rows.insert(rows.end(), {release_id, i.name, i.type, std::to_string(i.size), i.sha256});
  FWSEAL_TRY(insert_rows(db_, "INSERT INTO images (release_id, name, type, size, sha256) VALUES ", 5, rows));
  FWSEAL_ASSIGN(auto images_by_component, store_components(r.components));
  // Multi-row inserts: a few statements per release instead of one per
  // component (docs/BENCHMARKS.md, "Inventory").
  rows.clear();
  for (const auto& [component_id, images] : images_by_component) {
    FWSEAL_ASSIGN(std::string set_id, image_set_id(images));
    rows.insert(rows.end(), {component_id, release_id, std::move(set_id)});
  }
  FWSEAL_TRY(insert_rows(db_, "INSERT INTO release_components (component_id, release_id, image_set_id) VALUES ", 3,
                         rows));
  result.components = images_by_component.size();
  return result;
}

// One release in its own transaction.
Result<AddResult> record(Connection& db, const Release& r, bool replace) {
  FWSEAL_TRY(db.begin_write());
  Writer writer(db, replace);
  auto result = writer.write(r);
  if (!result.ok() || result->outcome == AddOutcome::unchanged) {
    db.rollback();
    return result;
  }
  FWSEAL_TRY(db.commit());
  return result;
}

}  // namespace

std::string_view add_outcome_name(AddOutcome o) {
  switch (o) {
    case AddOutcome::added: return "added";
    case AddOutcome::unchanged: return "unchanged";
    case AddOutcome::replaced: return "replaced";
  }
  return "added";
}

namespace {

// Verifies the package and reads what it records; no database involved, so
// several run at once (add_packages).
Result<Release> prepare_package(const std::string& path, const TrustPolicy& trust) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(Code::io, path + ": cannot open: " + std::strerror(errno));
  verifier::VerifyReport report = verifier::verify_package(fd, trust, verifier::VerifyOptions{});
  ::close(fd);
  if (!report.ok()) {
    Error e = report.status.ok() ? make_error(Code::internal, "verification did not finish") : report.status.error();
    e.message = path + ": " + e.message;
    return e;
  }
  const verifier::VerifiedPackage& p = *report.verified;
  const Manifest& m = p.manifest();
  Release r;
  r.product = m.product;
  r.version = m.version;
  r.security_version = m.security_version;
  r.created = rfc3339_utc(m.created);
  r.manifest_digest = to_hex(std::span<const std::uint8_t>(p.manifest_digest()));
  r.verified = true;
  r.hardware = m.hardware;
  for (const auto& s : report.signatures)
    if (s.status == verifier::SignatureStatus::valid) r.signers.push_back(to_hex(std::span<const std::uint8_t>(s.key_id)));
  for (const auto& i : m.images)
    r.images.push_back({i.name, i.type, i.size, to_hex(std::span<const std::uint8_t>(i.sha256))});
  if (p.sbom()) {
    auto read = read_components(*p.sbom(), r);
    if (!read.ok()) return make_error(Code::malformed, path + ": " + read.error().message);
  }
  return r;
}

}  // namespace

Result<AddResult> add_package(Connection& db, const std::string& path, const TrustPolicy& trust, bool replace) {
  FWSEAL_ASSIGN(Release r, prepare_package(path, trust));
  return record(db, r, replace);
}

namespace {

using Window = std::vector<std::optional<Result<Release>>>;

// Records prepared windows of releases in one write transaction, committed
// every kCommitEvery releases and at the end; `added` hears of each release
// once it is committed. Each window sits in a savepoint, so a release that
// fails to record takes back only its window, whose earlier releases are
// recorded again (they are still in memory).
class Recorder {
 public:
  Recorder(Connection& db, bool replace, const std::vector<std::string>& paths,
           const std::function<void(const std::string&, const AddResult&)>& added)
      : db_(db), writer_(db, replace), paths_(paths), added_(added) {}
  ~Recorder() {
    if (open_) db_.rollback();
  }

  // The releases of `window`, the first at paths[at], up to the first that
  // did not verify or record: that one's error, after committing the ones
  // before it.
  Status record(std::size_t at, const Window& window) {
    if (!open_) {
      FWSEAL_TRY(db_.begin_write());
      open_ = true;
    }
    FWSEAL_TRY(db_.query("SAVEPOINT fwseal_window"));
    const std::size_t before = pending_.size();
    std::size_t done = 0;
    std::optional<Error> failure;
    for (; done < window.size() && !failure; ++done) {
      auto r = window[done]->ok() ? writer_.write(**window[done]) : Result<AddResult>(window[done]->error());
      if (r.ok()) pending_.emplace_back(at + done, *r);
      else failure = std::move(r).error();
    }
    if (!failure) {
      FWSEAL_TRY(db_.query("RELEASE SAVEPOINT fwseal_window"));
      return pending_.size() >= kCommitEvery ? commit() : ok_status();
    }
    FWSEAL_TRY(db_.query("ROLLBACK TO SAVEPOINT fwseal_window"));
    writer_.forget();
    pending_.resize(before);
    for (std::size_t i = 0; i + 1 < done; ++i) {
      FWSEAL_ASSIGN(AddResult r, writer_.write(**window[i]));
      pending_.emplace_back(at + i, r);
    }
    FWSEAL_TRY(commit());
    return *failure;
  }

  Status commit() {
    if (!open_) return ok_status();
    FWSEAL_TRY(db_.commit());  // on a failure the destructor rolls back
    open_ = false;
    for (const auto& [i, r] : pending_) added_(paths_[i], r);
    pending_.clear();
    return ok_status();
  }

 private:
  // A few seconds of work: long enough that a commit writes each touched
  // page once for many releases, short enough that a concurrent writer
  // waits briefly.
  static constexpr std::size_t kCommitEvery = 1000;
  Connection& db_;
  Writer writer_;
  const std::vector<std::string>& paths_;
  const std::function<void(const std::string&, const AddResult&)>& added_;
  bool open_ = false;
  std::vector<std::pair<std::size_t, AddResult>> pending_;  // index into paths_, result
};

}  // namespace

Status add_packages(Connection& db, const std::vector<std::string>& paths, const TrustPolicy& trust, bool replace,
                    const std::function<void(const std::string&, const AddResult&)>& added) {
  // Windows of packages are verified and read on worker threads while the
  // window before is being recorded (docs/BENCHMARKS.md, "Inventory").
  const std::size_t window = 8 * static_cast<std::size_t>(worker_count(paths.size()));
  auto prepare = [&](std::size_t at) {
    Window w(std::min(window, paths.size() - at));
    parallel_for(w.size(), [&](std::size_t i) { w[i].emplace(prepare_package(paths[at + i], trust)); });
    return w;
  };
  Recorder recorder(db, replace, paths, added);
  std::future<Window> next;
  if (!paths.empty()) next = std::async(std::launch::async, prepare, 0);
  for (std::size_t at = 0; at < paths.size(); at += window) {
    Window current = next.get();
    if (at + window < paths.size()) next = std::async(std::launch::async, prepare, at + window);
    FWSEAL_TRY(recorder.record(at, current));
  }
  return recorder.commit();
}

Result<AddResult> add_sbom(Connection& db, std::string_view sbom_bytes, std::string_view where,
                           const std::string& product, const std::string& version, bool replace) {
  if (auto valid = sbom::validate_sbom(sbom_bytes); !valid.ok())
    return make_error(Code::malformed, std::string(where) + ": not a CycloneDX SBOM fwseal can read: " +
                                           valid.error().message);
  Release r;
  r.product = product;
  r.version = version;
  r.manifest_digest = "sbom:" + sha256_hex(sbom_bytes);
  r.verified = false;
  FWSEAL_TRY(read_components(sbom_bytes, r));
  return record(db, r, replace);
}

}  // namespace fwseal::inventory
