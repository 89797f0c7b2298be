#include "fwseal/inventory/releases.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "fwseal/base/text.h"
#include "fwseal/inventory/version.h"
#include "table.h"

namespace fwseal::inventory {
namespace {

using nlohmann::json;

std::optional<Date> stored_date(const Cell& cell) {
  if (!cell) return std::nullopt;
  auto parsed = parse_date(*cell, "inventory");
  return parsed.ok() ? std::optional<Date>(*parsed) : std::nullopt;
}

Result<std::string> release_id(Connection& db, const std::string& product, const std::string& version) {
  FWSEAL_ASSIGN(auto rows, db.query("SELECT r.id FROM releases r JOIN products p ON p.id = r.product_id "
                                    "WHERE p.name = ? AND r.version = ?",
                                    {product, version}));
  if (rows.empty() || !rows[0][0])
    return make_error(Code::usage, quote(product) + " " + quote(version) +
                                       " is not in the inventory (fwseal inventory list shows what is)");
  return *rows[0][0];
}

// A release's components as CycloneDX component objects, rebuilt from what
// the inventory recorded. Stored JSON that is not the shape CycloneDX gives
// it (a database edited by hand) is left out, not trusted.
Result<std::string> component_list(Connection& db, const std::string& id) {
  FWSEAL_ASSIGN(auto rows, db.query("SELECT c.name, c.version, c.purl, c.licences, c.hashes FROM components c "
                                    "JOIN release_components rc ON rc.component_id = c.id WHERE rc.release_id = ?",
                                    {id}));
  json list = json::array();
  for (const auto& row : rows) {
    json c = {{"name", row[0].value_or("")}};
    if (row[1]) c["version"] = *row[1];
    if (row[2]) c["purl"] = *row[2];
    for (auto [index, key] : {std::pair{3, "licenses"}, std::pair{4, "hashes"}}) {
      if (!row[static_cast<std::size_t>(index)]) continue;
      json v = json::parse(*row[static_cast<std::size_t>(index)], nullptr, false);
      if (v.is_array()) c[key] = std::move(v);
    }
    list.push_back(std::move(c));
  }
  return list.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

Result<std::vector<ReleaseRow>> list_releases(Connection& db, const std::optional<std::string>& product, Date on) {
  std::string sql =
      "SELECT p.name, r.version, r.verified, r.security_version, r.created, r.manifest_digest, r.added, "
      "p.launched, p.discontinued, r.id, (SELECT count(*) FROM release_components rc WHERE rc.release_id = r.id) "
      "FROM releases r JOIN products p ON p.id = r.product_id";
  std::vector<Cell> params;
  if (product) {
    FWSEAL_ASSIGN(auto known, db.query("SELECT id FROM products WHERE name = ?", {*product}));
    if (known.empty()) return make_error(Code::usage, "product " + quote(*product) + " is not in the inventory");
    sql += " WHERE p.name = ?";
    params.push_back(*product);
  }
  FWSEAL_ASSIGN(SupportPolicy policy, load_policy(db));
  FWSEAL_ASSIGN(auto rows, db.query(sql, params));
  FWSEAL_ASSIGN(auto hardware, db.query("SELECT release_id, hardware_id FROM release_hardware ORDER BY hardware_id"));
  std::map<std::string, std::vector<std::string>> hardware_of;
  for (auto& h : hardware) hardware_of[h[0].value_or("")].push_back(h[1].value_or(""));
  std::vector<ReleaseRow> out;
  out.reserve(rows.size());
  for (auto& row : rows) {
    ReleaseRow r;
    r.product = row[0].value_or("");
    r.version = row[1].value_or("");
    r.verified = row[2] == "1";
    if (row[3]) {
      try {
        r.security_version = std::stoull(*row[3]);
      } catch (const std::exception&) {
      }
    }
    r.created = row[4].value_or("");
    r.manifest_digest = row[5].value_or("");
    r.added = row[6].value_or("");
    r.launched = stored_date(row[7]);
    r.discontinued = stored_date(row[8]);
    r.hardware = hardware_of[row[9].value_or("")];
    try {
      r.components = std::stoull(row[10].value_or("0"));
    } catch (const std::exception&) {
    }
    r.stage = std::string(stage_name(stage_on(r.launched, r.discontinued, on, policy)));
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const ReleaseRow& a, const ReleaseRow& b) {
    if (a.product != b.product) return a.product < b.product;
    return compare_generic(a.version, b.version) < 0;
  });
  return out;
}

std::string releases_to_json(const std::vector<ReleaseRow>& rows) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  auto date = [](const std::optional<Date>& d) -> nlohmann::ordered_json {
    return d ? nlohmann::ordered_json(format_date(*d)) : nlohmann::ordered_json(nullptr);
  };
  for (const auto& r : rows)
    out.push_back({{"product", r.product},
                   {"version", r.version},
                   {"verified", r.verified},
                   {"stage", r.stage},
                   {"security_version", r.security_version ? nlohmann::ordered_json(std::to_string(*r.security_version))
                                                           : nlohmann::ordered_json(nullptr)},
                   {"created", r.created.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.created)},
                   {"hardware", r.hardware},
                   {"components", r.components},
                   {"launched", date(r.launched)},
                   {"discontinued", date(r.discontinued)},
                   {"manifest_sha256", r.manifest_digest},
                   {"added", r.added}});
  return out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string releases_to_csv(const std::vector<ReleaseRow>& rows) {
  std::string out = "product,version,verified,stage,security_version,created,hardware,components,launched,"
                    "discontinued,manifest_sha256\n";
  for (const auto& r : rows) {
    std::string hw;
    for (const auto& h : r.hardware) hw += (hw.empty() ? "" : " ") + h;
    out += csv_row({r.product, r.version, r.verified ? "yes" : "no", r.stage,
                    r.security_version ? std::to_string(*r.security_version) : "", r.created, hw,
                    std::to_string(r.components), r.launched ? format_date(*r.launched) : "",
                    r.discontinued ? format_date(*r.discontinued) : "", r.manifest_digest});
  }
  return out;
}

std::string releases_to_table(const std::vector<ReleaseRow>& rows) {
  std::vector<std::vector<std::string>> cells = {
      {"PRODUCT", "VERSION", "STAGE", "SECURITY VERSION", "CREATED", "COMPONENTS", "HARDWARE"}};
  for (const auto& r : rows) {
    std::string hw;
    for (const auto& h : r.hardware) hw += (hw.empty() ? "" : ",") + h;
    cells.push_back({r.product, r.version + (r.verified ? "" : " (unverified)"), r.stage,
                     r.security_version ? std::to_string(*r.security_version) : "-", r.created.empty() ? "-" : r.created,
                     std::to_string(r.components), hw.empty() ? "-" : hw});
  }
  return text_table(cells);
}

Result<sbom::SbomDiff> diff_releases(Connection& db, const std::string& product, const std::string& from,
                                     const std::string& to) {
  FWSEAL_ASSIGN(std::string from_id, release_id(db, product, from));
  FWSEAL_ASSIGN(std::string to_id, release_id(db, product, to));
  FWSEAL_ASSIGN(std::string old_list, component_list(db, from_id));
  FWSEAL_ASSIGN(std::string new_list, component_list(db, to_id));
  auto d = sbom::diff_components(old_list, new_list);
  if (!d.ok())
    return make_error(Code::malformed, "inventory record of " + quote(product) + ": " + d.error().message);
  return d;
}

}  // namespace fwseal::inventory
