#include "fwseal/inventory/query.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "fwseal/inventory/advisory.h"
#include "table.h"

namespace fwseal::inventory {
namespace {

// Fields as written, escapes kept: they are compared with the CPEs the
// inventory holds, which keep theirs.
std::vector<std::string> cpe_fields(std::string_view cpe) { return split_cpe(cpe, true); }

bool cpe_matches(std::string_view want, std::string_view have) {
  auto w = cpe_fields(want), h = cpe_fields(have);
  for (std::size_t i = 2; i < w.size(); ++i) {
    if (w[i] == "*" || w[i].empty()) continue;
    if (i >= h.size() || h[i] != w[i]) return false;
  }
  return true;
}

}  // namespace

Status check_cpe(std::string_view cpe) {
  auto f = cpe_fields(cpe);
  if (f.size() < 5 || f[0] != "cpe" || f[1] != "2.3" || f.size() > 13 ||
      (f[2] != "a" && f[2] != "o" && f[2] != "h" && f[2] != "*") || f[3].empty() || f[4].empty())
    return make_error(Code::usage, "invalid CPE \"" + std::string(cpe) +
                                       "\": expected cpe:2.3:PART:VENDOR:PRODUCT[:VERSION...] with PART a, o or h");
  return ok_status();
}

Result<std::vector<Hit>> run_query(Connection& db, const Query& q) {
  int ways = q.purl.has_value() + q.name.has_value() + q.cpe.has_value();
  if (ways != 1) return make_error(Code::usage, "name the component by exactly one of --purl, --name, --cpe");
  std::string where;
  std::vector<Cell> params;
  if (q.purl) {
    where = "c.purl_type = ? AND (c.purl_name = ? OR c.upstream = ?)";
    params = {q.purl->parts().type, q.purl->parts().name, q.purl->parts().name};
  } else if (q.name) {
    where = "c.name = ?";
    params = {*q.name};
  } else {
    FWSEAL_TRY(check_cpe(*q.cpe));
    auto f = cpe_fields(*q.cpe);
    where = "c.cpe LIKE ?";
    params = {"cpe:2.3:" + (f[2] == "*" ? std::string("_") : f[2]) + ":" + f[3] + ":" + f[4] + ":%"};
  }
  // First the components (a few hundred at most, however many releases carry
  // them), each tested once; then the releases of the ones that match.
  FWSEAL_ASSIGN(auto candidates, db.query("SELECT c.id, c.name, c.version, c.purl, c.cpe FROM components c WHERE " + where,
                                          params));
  struct Matched {
    std::string name, version, purl, cpe;
  };
  std::map<std::string, Matched> matched;  // component id ->
  for (auto& row : candidates) {
    Matched m{row[1].value_or(""), row[2].value_or(""), row[3].value_or(""), row[4].value_or("")};
    std::string version = m.version;
    if (!m.purl.empty()) {
      auto parts = sbom::parse_purl(m.purl, "component");
      if (parts.ok() && !parts->version.empty()) version = parts->version;
    }
    if (q.purl && !q.purl->matches(m.purl)) continue;
    if (q.cpe && !cpe_matches(*q.cpe, m.cpe)) continue;
    if (q.range && (version.empty() || !q.range->contains(version))) continue;
    matched.emplace(row[0].value_or(""), std::move(m));
  }
  std::vector<std::string> component_ids;
  for (const auto& [id, m] : matched) component_ids.push_back(id);
  FWSEAL_ASSIGN(auto rows, query_in(db,
                                    "SELECT rc.component_id, rc.images, r.id, r.version, r.verified, p.name, p.launched, "
                                    "p.discontinued FROM release_components rc JOIN releases r ON r.id = rc.release_id "
                                    "JOIN products p ON p.id = r.product_id WHERE rc.component_id IN ",
                                    component_ids));
  FWSEAL_ASSIGN(SupportPolicy policy, load_policy(db));
  std::map<std::string, std::string> stage_of_product;
  std::vector<Hit> hits;
  std::vector<std::string> release_of_hit;  // the release id of each hit
  hits.reserve(rows.size());
  for (auto& row : rows) {
    const Matched& m = matched[row[0].value_or("")];
    const std::string product = row[5].value_or("");
    auto stage = stage_of_product.find(product);
    if (stage == stage_of_product.end()) {
      auto date = [&](std::size_t i) -> std::optional<Date> {
        if (!row[i]) return std::nullopt;
        auto parsed = parse_date(*row[i], "inventory");
        return parsed.ok() ? std::optional<Date>(*parsed) : std::nullopt;
      };
      stage = stage_of_product.emplace(product, stage_name(stage_on(date(6), date(7), q.on, policy))).first;
    }
    hits.push_back(Hit{product, row[3].value_or(""), row[4] == "1", {}, m.name, m.version, m.purl, m.cpe,
                       row[1].value_or(""), stage->second});
    release_of_hit.push_back(row[2].value_or(""));
  }
  // Hardware ids of the matching releases, a few hundred releases per
  // statement rather than one statement per hit.
  std::map<std::string, std::vector<std::string>> hardware;
  std::vector<std::string> ids(release_of_hit.begin(), release_of_hit.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  FWSEAL_ASSIGN(auto hw, query_in(db, "SELECT release_id, hardware_id FROM release_hardware WHERE release_id IN ", ids,
                                  " ORDER BY hardware_id"));
  for (auto& r : hw) hardware[r[0].value_or("")].push_back(r[1].value_or(""));
  for (std::size_t i = 0; i < hits.size(); ++i) hits[i].hardware = hardware[release_of_hit[i]];
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    if (a.product != b.product) return a.product < b.product;
    if (int d = compare_generic(a.version, b.version); d != 0) return d < 0;
    return std::tie(a.component, a.component_version) < std::tie(b.component, b.component_version);
  });
  return hits;
}

std::string hits_to_json(const std::vector<Hit>& hits) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& h : hits)
    out.push_back({{"product", h.product},
                   {"version", h.version},
                   {"verified", h.verified},
                   {"stage", h.stage},
                   {"hardware", h.hardware},
                   {"images", nlohmann::json::parse(h.images, nullptr, false)},
                   {"component", h.component},
                   {"component_version", h.component_version},
                   {"purl", h.purl},
                   {"cpe", h.cpe}});
  return out.dump(2) + "\n";
}

std::string hits_to_csv(const std::vector<Hit>& hits) {
  std::string out = "product,version,verified,stage,hardware,images,component,component_version,purl,cpe\n";
  for (const auto& h : hits) {
    std::string hw;
    for (const auto& x : h.hardware) hw += (hw.empty() ? "" : " ") + x;
    std::string images;
    for (const auto& i : nlohmann::json::parse(h.images, nullptr, false))
      if (i.is_string()) images += (images.empty() ? "" : " ") + i.get<std::string>();
    out += csv_row({h.product, h.version, h.verified ? "yes" : "no", h.stage, hw, images, h.component,
                    h.component_version, h.purl, h.cpe});
  }
  return out;
}

std::string hits_to_table(const std::vector<Hit>& hits) {
  std::vector<std::vector<std::string>> rows = {{"PRODUCT", "VERSION", "STAGE", "COMPONENT", "COMPONENT VERSION", "IMAGES",
                                                 "HARDWARE"}};
  for (const auto& h : hits) {
    std::string hw, images;
    for (const auto& x : h.hardware) hw += (hw.empty() ? "" : ",") + x;
    for (const auto& i : nlohmann::json::parse(h.images, nullptr, false))
      if (i.is_string()) images += (images.empty() ? "" : ",") + i.get<std::string>();
    rows.push_back({h.product, h.version + (h.verified ? "" : " (unverified)"), h.stage, h.component, h.component_version,
                    images, hw});
  }
  return text_table(rows);
}

}  // namespace fwseal::inventory
