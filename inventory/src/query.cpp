#include "fwseal/inventory/query.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
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

namespace {

struct Matched {
  std::string name, version, purl, cpe;
};
using MatchedComponents = std::map<std::string, Matched>;  // component id ->

// Phase 1: the components the query names (a few hundred at most, however
// many releases carry them), each tested once against purl, CPE and range.
Result<MatchedComponents> match_components(Connection& db, const Query& q) {
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
  FWSEAL_ASSIGN(auto candidates, db.query("SELECT c.id, c.name, c.version, c.purl, c.cpe FROM components c WHERE " + where,
                                          params));
  MatchedComponents matched;
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
  return matched;
}

struct Release {
  std::string version, product_id, hardware;
  bool verified = false;
  std::size_t rank = 0;  // in the order of the output
};
struct Product {
  std::string name, stage;
};

// Phase 2: the links of the matched components (one index range per
// component), then their releases, and the few products and image lists
// those name, each looked up once rather than joined into every row.
struct Carriers {
  std::vector<Row> links;                              // component id, release id, image set id
  std::unordered_map<std::string, Release> releases;  // release id ->
  std::map<std::string, Product> products;             // product id ->
  std::map<std::string, std::string> images;           // image set id -> images JSON
};

std::vector<std::string> distinct(const std::vector<Row>& rows, std::size_t column) {
  std::set<std::string> ids;
  for (const auto& row : rows) ids.insert(row[column].value_or(""));
  return std::vector<std::string>(ids.begin(), ids.end());
}

Result<Carriers> find_carriers(Connection& db, const MatchedComponents& matched, const Date& on) {
  std::vector<std::string> component_ids;
  for (const auto& [id, m] : matched) component_ids.push_back(id);
  Carriers out;
  FWSEAL_ASSIGN(out.links, query_in(db, "SELECT component_id, release_id, image_set_id FROM release_components WHERE "
                                        "component_id IN ",
                                    component_ids));
  FWSEAL_ASSIGN(auto release_rows, query_ids(db, "SELECT id, version, verified, product_id, hardware FROM releases "
                                                 "WHERE", "id", distinct(out.links, 1)));
  for (auto& row : release_rows)
    out.releases[row[0].value_or("")] = {row[1].value_or(""), row[3].value_or(""), row[4].value_or("[]"),
                                         row[2] == "1", 0};
  FWSEAL_ASSIGN(auto sets, query_in(db, "SELECT id, images FROM image_sets WHERE id IN ", distinct(out.links, 2)));
  for (auto& row : sets) out.images[row[0].value_or("")] = row[1].value_or("[]");
  FWSEAL_ASSIGN(SupportPolicy policy, load_policy(db));
  FWSEAL_ASSIGN(auto product_rows,
                query_in(db, "SELECT id, name, launched, discontinued FROM products WHERE id IN ", distinct(release_rows, 3)));
  for (auto& row : product_rows) {
    auto date = [&](std::size_t i) -> std::optional<Date> {
      if (!row[i]) return std::nullopt;
      auto parsed = parse_date(*row[i], "inventory");
      return parsed.ok() ? std::optional<Date>(*parsed) : std::nullopt;
    };
    out.products[row[0].value_or("")] =
        Product{row[1].value_or(""), std::string(stage_name(stage_on(date(2), date(3), on, policy)))};
  }
  return out;
}

// Phase 3: hits by product, then version in order, then component. The
// releases are ordered once (by name, then version), the hits by their
// release's rank.
std::vector<Hit> ordered_hits(MatchedComponents& matched, Carriers& c) {
  struct Ranked {
    std::string_view product, version;
    Release* release;
  };
  std::vector<Ranked> ranked;
  for (auto& [id, r] : c.releases) ranked.push_back({c.products[r.product_id].name, r.version, &r});
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    if (a.product != b.product) return a.product < b.product;
    if (int d = compare_generic(a.version, b.version); d != 0) return d < 0;
    return a.version < b.version;
  });
  for (std::size_t i = 0; i < ranked.size(); ++i) ranked[i].release->rank = i;
  std::vector<std::pair<std::size_t, const Row*>> order;  // rank, link
  order.reserve(c.links.size());
  for (const auto& link : c.links)
    if (auto r = c.releases.find(link[1].value_or("")); r != c.releases.end()) order.emplace_back(r->second.rank, &link);
  std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    const Matched &x = matched[(*a.second)[0].value_or("")], &y = matched[(*b.second)[0].value_or("")];
    return std::tie(x.name, x.version) < std::tie(y.name, y.version);
  });
  std::map<std::string, std::vector<std::string>> hardware;  // JSON array -> ids
  std::vector<Hit> hits;
  hits.reserve(order.size());
  for (const auto& [rank, link] : order) {
    const Matched& m = matched[(*link)[0].value_or("")];
    const Release& r = c.releases[(*link)[1].value_or("")];
    const Product& product = c.products[r.product_id];
    auto hw = hardware.find(r.hardware);
    if (hw == hardware.end()) {
      std::vector<std::string> ids;
      // Anything but an array of strings (a database edited by hand) is left out.
      for (const auto& id : nlohmann::json::parse(r.hardware, nullptr, false))
        if (id.is_string()) ids.push_back(id.get<std::string>());
      hw = hardware.emplace(r.hardware, std::move(ids)).first;
    }
    hits.push_back(Hit{product.name, r.version, r.verified, hw->second, m.name, m.version, m.purl, m.cpe,
                       c.images[(*link)[2].value_or("")], product.stage});
  }
  return hits;
}

}  // namespace

Result<std::vector<Hit>> run_query(Connection& db, const Query& q) {
  FWSEAL_ASSIGN(MatchedComponents matched, match_components(db, q));
  FWSEAL_ASSIGN(Carriers carriers, find_carriers(db, matched, q.on));
  return ordered_hits(matched, carriers);
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
