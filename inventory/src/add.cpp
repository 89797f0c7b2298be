#include "fwseal/inventory/add.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <map>
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

// Everything one release contributes, gathered before the transaction starts.
struct Release {
  std::string product, version;
  std::optional<std::uint64_t> security_version;
  std::optional<std::string> created;
  std::string manifest_digest;  // the identity of the release: same digest, same release
  bool verified = false;
  std::vector<std::string> hardware, signers;
  std::vector<Image> images;
  struct Component {
    std::map<std::string, Cell> fields;
    std::set<std::string> images;
  };
  std::vector<Component> components;
};

Cell json_cell(const json& j, const char* key) {
  if (!j.contains(key)) return std::nullopt;
  const json& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// Components of the SBOM, nested ones included; fwseal's own image entries
// ("image:NAME") are images, not components.
Status read_components(std::string_view bytes, Release& release) {
  json bom = json::parse(bytes, nullptr, false);
  if (bom.is_discarded() || !bom.is_object()) return make_error(Code::malformed, "SBOM: not JSON");
  std::map<std::string, std::set<std::string>> images_of;  // component bom-ref -> images
  if (bom.contains("dependencies") && bom["dependencies"].is_array())
    for (const auto& d : bom["dependencies"]) {
      std::string ref = d.value("ref", "");
      if (!ref.starts_with("image:") || !d.contains("dependsOn")) continue;
      for (const auto& on : d["dependsOn"])
        if (on.is_string()) images_of[on.get<std::string>()].insert(ref.substr(6));
    }
  std::vector<const json*> pending;
  if (bom.contains("components"))
    for (const auto& c : bom["components"]) pending.push_back(&c);
  while (!pending.empty()) {
    const json& c = *pending.back();
    pending.pop_back();
    if (c.contains("components"))
      for (const auto& n : c["components"]) pending.push_back(&n);
    std::string ref = c.value("bom-ref", "");
    if (ref.starts_with("image:")) continue;
    Release::Component out;
    auto& f = out.fields;
    f["name"] = json_cell(c, "name");
    f["version"] = json_cell(c, "version");
    f["purl"] = json_cell(c, "purl");
    f["cpe"] = json_cell(c, "cpe");
    f["licences"] = json_cell(c, "licenses");
    f["hashes"] = json_cell(c, "hashes");
    f["supplier"] = json_cell(c, "supplier");
    f["evidence"] = json_cell(c, "evidence");
    if (f["purl"]) {
      auto parts = sbom::parse_purl(*f["purl"], "SBOM");
      if (parts.ok()) {
        f["purl_type"] = parts->type;
        f["purl_namespace"] = parts->ns;
        f["purl_name"] = parts->name;
        std::string up = upstream_name(*parts);
        if (!up.empty()) f["upstream"] = up;
      }
    }
    if (auto it = images_of.find(ref); it != images_of.end()) out.images = it->second;
    release.components.push_back(std::move(out));
  }
  return ok_status();
}

std::string now_iso() {
  return rfc3339_utc(std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count());
}

Result<std::string> one_value(Connection& db, std::string_view sql, const std::vector<Cell>& params) {
  FWSEAL_ASSIGN(auto rows, db.query(sql, params));
  if (rows.empty() || rows[0].empty() || !rows[0][0]) return make_error(Code::internal, "no row from the inventory");
  return *rows[0][0];
}

// Each component stored once (looked up by identity, the SHA-256 of its
// recorded fields; inserted when new), inside the write transaction. Returns
// component id -> the images it is in, over every occurrence in the SBOM.
Result<std::map<std::string, std::set<std::string>>> store_components(Connection& db,
                                                                      const std::vector<Release::Component>& components) {
  static const char* kFields[] = {"name",     "version",  "purl",     "purl_type", "purl_namespace", "purl_name",
                                  "upstream", "cpe",      "licences", "hashes",    "supplier",       "evidence"};
  std::map<std::string, std::vector<Cell>> rows;                 // identity -> the row to insert
  std::vector<std::pair<std::string, const std::set<std::string>*>> uses;  // identity, images
  for (const auto& c : components) {
    std::string identity_text;
    std::vector<Cell> params;
    for (const char* k : kFields) {
      auto it = c.fields.find(k);
      Cell v = it == c.fields.end() ? std::nullopt : it->second;
      identity_text += v ? "1" + std::to_string(v->size()) + ":" + *v : "0";
      params.push_back(v);
    }
    std::string identity = sha256_hex(identity_text);
    params.insert(params.begin(), identity);
    rows.emplace(identity, std::move(params));
    uses.emplace_back(identity, &c.images);
  }
  std::vector<std::string> identities;
  for (const auto& [identity, row] : rows) identities.push_back(identity);
  std::map<std::string, std::string> id_of;  // identity -> component id
  auto look_up = [&](const std::vector<std::string>& wanted) -> Status {
    FWSEAL_ASSIGN(auto found, query_in(db, "SELECT identity, id FROM components WHERE identity IN ", wanted));
    for (auto& f : found) id_of[f[0].value_or("")] = f[1].value_or("");
    return ok_status();
  };
  FWSEAL_TRY(look_up(identities));
  std::vector<std::string> missing;
  for (const auto& identity : identities)
    if (!id_of.count(identity)) missing.push_back(identity);
  constexpr std::size_t kRowsPerInsert = 50;  // 13 parameters each
  for (std::size_t at = 0; at < missing.size(); at += kRowsPerInsert) {
    std::size_t n = std::min(kRowsPerInsert, missing.size() - at);
    std::string sql = "INSERT INTO components (identity, name, version, purl, purl_type, purl_namespace, purl_name, "
                      "upstream, cpe, licences, hashes, supplier, evidence) VALUES ";
    std::vector<Cell> params;
    for (std::size_t i = 0; i < n; ++i) {
      sql += i ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      const auto& row = rows[missing[at + i]];
      params.insert(params.end(), row.begin(), row.end());
    }
    FWSEAL_TRY(db.query(sql + " ON CONFLICT (identity) DO NOTHING", params));
  }
  FWSEAL_TRY(look_up(missing));
  std::map<std::string, std::set<std::string>> images_by_component;
  for (const auto& [identity, images] : uses) {
    auto it = id_of.find(identity);
    if (it == id_of.end()) return make_error(Code::internal, "a component the inventory just stored is not there");
    images_by_component[it->second].insert(images->begin(), images->end());
  }
  return images_by_component;
}

// Inside the write transaction.
Result<AddResult> write_release(Connection& db, const Release& r, bool replace) {
  AddResult result{AddOutcome::added, r.product, r.version, r.components.size()};
  FWSEAL_TRY(db.query("INSERT INTO products (name) VALUES (?) ON CONFLICT (name) DO NOTHING", {r.product}));
  FWSEAL_ASSIGN(std::string product_id, one_value(db, "SELECT id FROM products WHERE name = ?", {r.product}));
  FWSEAL_ASSIGN(auto existing, db.query("SELECT id, manifest_digest FROM releases WHERE product_id = ? AND version = ?",
                                        {product_id, r.version}));
  if (!existing.empty()) {
    if (existing[0][1] == r.manifest_digest) {
      result.outcome = AddOutcome::unchanged;
      return result;
    }
    if (!replace)
      return make_error(Code::malformed, r.product + " " + r.version +
                                             " is already in the inventory from a different package; give --replace "
                                             "to record this one instead");
    const Cell& old = existing[0][0];
    for (const char* table : {"release_components", "images", "release_signers", "release_hardware"})
      FWSEAL_TRY(db.query(std::string("DELETE FROM ") + table + " WHERE release_id = ?", {old}));
    FWSEAL_TRY(db.query("DELETE FROM releases WHERE id = ?", {old}));
    result.outcome = AddOutcome::replaced;
  }
  FWSEAL_ASSIGN(std::string release_id,
                one_value(db,
                          "INSERT INTO releases (product_id, version, security_version, created, manifest_digest, "
                          "verified, added) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          {product_id, r.version,
                           r.security_version ? Cell(std::to_string(*r.security_version)) : std::nullopt, r.created,
                           r.manifest_digest, std::string(r.verified ? "1" : "0"), now_iso()}));
  for (const auto& h : r.hardware)
    FWSEAL_TRY(db.query("INSERT INTO release_hardware (release_id, hardware_id) VALUES (?, ?)", {release_id, h}));
  for (const auto& k : r.signers)
    FWSEAL_TRY(db.query("INSERT INTO release_signers (release_id, key_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                        {release_id, k}));
  for (const auto& i : r.images)
    FWSEAL_TRY(db.query("INSERT INTO images (release_id, name, type, size, sha256) VALUES (?, ?, ?, ?, ?)",
                        {release_id, i.name, i.type, std::to_string(i.size), i.sha256}));
  FWSEAL_ASSIGN(auto images_by_component, store_components(db, r.components));
  // Multi-row inserts: a few statements per release instead of one per
  // component (docs/BENCHMARKS.md, "Inventory").
  std::vector<std::pair<std::string, std::string>> links;  // component id, images JSON
  for (const auto& [component_id, images] : images_by_component) links.emplace_back(component_id, json(images).dump());
  constexpr std::size_t kLinksPerInsert = 200;
  for (std::size_t at = 0; at < links.size(); at += kLinksPerInsert) {
    std::size_t n = std::min(kLinksPerInsert, links.size() - at);
    std::string sql = "INSERT INTO release_components (release_id, component_id, images) VALUES ";
    std::vector<Cell> params;
    for (std::size_t i = 0; i < n; ++i) {
      sql += i ? ", (?, ?, ?)" : "(?, ?, ?)";
      params.insert(params.end(), {release_id, links[at + i].first, links[at + i].second});
    }
    FWSEAL_TRY(db.query(sql, params));
  }
  result.components = images_by_component.size();
  return result;
}

Result<AddResult> record(Connection& db, const Release& r, bool replace) {
  FWSEAL_TRY(db.begin_write());
  auto result = write_release(db, r, replace);
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

// `releases` in one write transaction, in order; all or nothing. On a
// failure: the index of the release that failed, and its error.
Result<std::vector<AddResult>> record_all(Connection& db, const std::vector<const Release*>& releases, bool replace,
                                          std::size_t& failed_at) {
  FWSEAL_TRY(db.begin_write());
  std::vector<AddResult> results;
  for (std::size_t i = 0; i < releases.size(); ++i) {
    auto r = write_release(db, *releases[i], replace);
    if (!r.ok()) {
      db.rollback();
      failed_at = i;
      return std::move(r).error();
    }
    results.push_back(*r);
  }
  failed_at = releases.size();
  FWSEAL_TRY(db.commit());
  return results;
}

}  // namespace

Status add_packages(Connection& db, const std::vector<std::string>& paths, const TrustPolicy& trust, bool replace,
                    const std::function<void(const std::string&, const AddResult&)>& added) {
  // A window of packages is verified and read in parallel, then recorded in
  // one transaction: consecutive releases of a product share most of their
  // components, so one commit writes each touched page once (docs/
  // BENCHMARKS.md, "Inventory"). A failure records the packages before it
  // and stops.
  const std::size_t window = 8 * static_cast<std::size_t>(worker_count(paths.size()));
  for (std::size_t at = 0; at < paths.size(); at += window) {
    const std::size_t n = std::min(window, paths.size() - at);
    std::vector<std::optional<Result<Release>>> prepared(n);
    parallel_for(n, [&](std::size_t i) { prepared[i].emplace(prepare_package(paths[at + i], trust)); });
    std::vector<const Release*> ready;
    std::optional<Error> failure;
    for (std::size_t i = 0; i < n && !failure; ++i) {
      if (prepared[i]->ok()) ready.push_back(&**prepared[i]);
      else failure = prepared[i]->error();
    }
    std::size_t failed_at = 0;
    auto results = record_all(db, ready, replace, failed_at);
    if (!results.ok()) {
      // Record the ones before the release that failed, then stop.
      ready.resize(failed_at);
      failure = std::move(results).error();
      results = record_all(db, ready, replace, failed_at);
      if (!results.ok()) return std::move(results).error();
    }
    for (std::size_t i = 0; i < results->size(); ++i) added(paths[at + i], (*results)[i]);
    if (failure) return *failure;
  }
  return ok_status();
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
