// The inventory's page for a security team: one self-contained document.
// Inline CSS only; no scripts, fonts, images or links a browser would fetch,
// so it renders the same offline and can be mailed or archived as it is.
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "fwseal/base/text.h"
#include "fwseal/inventory/releases.h"

namespace fwseal::inventory {
namespace {

constexpr const char* kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#57606a;margin:0 0 16px}
table{border-collapse:collapse;width:100%;background:#fff;margin:6px 0 12px}
th,td{border:1px solid #d0d7de;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;word-break:break-all}
.stage{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
.active{background:#dafbe1;color:#116329}.fixes{background:#ddf4ff;color:#0550ae}
.security-fixes{background:#fff8c5;color:#7d4e00}.end-of-support{background:#ffebe9;color:#82071e}
.unknown,.pre-launch{background:#eef1f4;color:#57606a}
.unverified{color:#82071e;font-weight:600}
.sev{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
.critical{background:#82071e;color:#fff}.high{background:#ffebe9;color:#82071e}.medium{background:#fff8c5;color:#7d4e00}
.low,.none{background:#ddf4ff;color:#0550ae}
.summary{padding:14px 18px;border-radius:6px;font-size:16px;font-weight:600;margin:12px 0;background:#fff;border:1px solid #d0d7de}
footer{color:#57606a;font-size:12px;margin-top:32px}
)";

std::string h(const std::string& s) { return html_escape(s); }

std::string stage_badge(const std::string& stage) {
  return "<span class=\"stage " + h(stage) + "\">" + h(stage) + "</span>";
}

std::string version_cell(const std::string& version, bool verified) {
  return h(version) + (verified ? "" : " <span class=\"unverified\">(unverified)</span>");
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : sep) + x;
  return out;
}

void products_section(std::string& out, const InventoryReport& r) {
  struct Product {
    std::optional<Date> launched, discontinued;
    std::size_t releases = 0;
    std::map<std::string, std::size_t> stages;
  };
  std::map<std::string, Product> products;
  for (const auto& rel : r.releases) {
    auto& p = products[rel.product];
    p.launched = rel.launched;
    p.discontinued = rel.discontinued;
    ++p.releases;
    ++p.stages[rel.stage];
  }
  out += "<h2 id=\"products\">Products</h2>\n<table class=\"products\"><thead><tr><th>product</th><th>launched</th>"
         "<th>discontinued</th><th>stage on " + h(format_date(r.on)) + "</th><th class=\"num\">releases</th></tr>"
         "</thead><tbody>\n";
  if (products.empty()) out += "<tr><td colspan=\"5\">no releases recorded</td></tr>\n";
  for (const auto& [name, p] : products) {
    std::string stage(stage_name(stage_on(p.launched, p.discontinued, r.on, r.policy)));
    out += "<tr><td>" + h(name) + "</td><td>" + (p.launched ? h(format_date(*p.launched)) : "&mdash;") + "</td><td>" +
           (p.discontinued ? h(format_date(*p.discontinued)) : "&mdash;") + "</td><td>" + stage_badge(stage) +
           "</td><td class=\"num\">" + std::to_string(p.releases) + "</td></tr>\n";
  }
  out += "</tbody></table>\n";
}

void releases_section(std::string& out, const InventoryReport& r) {
  out += "<h2 id=\"releases\">Releases</h2>\n<table class=\"releases\"><thead><tr><th>product</th><th>version</th>"
         "<th>stage</th><th class=\"num\">security version</th><th>created</th><th>hardware</th>"
         "<th class=\"num\">components</th><th>manifest digest</th></tr></thead><tbody>\n";
  if (r.releases.empty()) out += "<tr><td colspan=\"8\">no releases recorded</td></tr>\n";
  for (const auto& rel : r.releases)
    out += "<tr><td>" + h(rel.product) + "</td><td>" + version_cell(rel.version, rel.verified) + "</td><td>" +
           stage_badge(rel.stage) + "</td><td class=\"num\">" +
           (rel.security_version ? std::to_string(*rel.security_version) : "&mdash;") + "</td><td>" +
           (rel.created.empty() ? "&mdash;" : h(rel.created)) + "</td><td>" + h(join(rel.hardware, ", ")) +
           "</td><td class=\"num\">" + std::to_string(rel.components) + "</td><td><code>" + h(rel.manifest_digest) +
           "</code></td></tr>\n";
  out += "</tbody></table>\n";
}

void impact_section(std::string& out, const InventoryReport& r) {
  const auto& hits = *r.impact;
  std::map<std::pair<std::string, std::string>, bool> releases;
  for (const auto& hit : hits) releases[{hit.product, hit.version}] = true;
  out += "<h2 id=\"impact\">Impacted releases</h2>\n<p class=\"meta\">Query: <code>" + h(r.impact_title) + "</code></p>\n";
  out += "<div class=\"summary\">" + std::to_string(releases.size()) +
         (releases.size() == 1 ? " release carries" : " releases carry") + " a matching component</div>\n";
  out += "<table class=\"impact\"><thead><tr><th>product</th><th>version</th><th>stage</th><th>component</th>"
         "<th>component version</th><th>images</th><th>hardware</th><th>purl</th></tr></thead><tbody>\n";
  if (hits.empty()) out += "<tr><td colspan=\"8\">no release carries it</td></tr>\n";
  for (const auto& hit : hits) {
    std::vector<std::string> images;
    for (const auto& i : nlohmann::json::parse(hit.images, nullptr, false))
      if (i.is_string()) images.push_back(i.get<std::string>());
    out += "<tr><td>" + h(hit.product) + "</td><td>" + version_cell(hit.version, hit.verified) + "</td><td>" +
           stage_badge(hit.stage) + "</td><td>" + h(hit.component) + "</td><td>" + h(hit.component_version) +
           "</td><td>" + h(join(images, ", ")) + "</td><td>" + h(join(hit.hardware, ", ")) + "</td><td><code>" +
           h(hit.purl) + "</code></td></tr>\n";
  }
  out += "</tbody></table>\n";
}

// Open vulnerabilities (not stated not_affected or fixed) by product and
// release, most severe first: what the security team works on.
void vulnerabilities_section(std::string& out, const InventoryReport& r) {
  const auto& findings = *r.vulnerabilities;
  std::size_t open = 0;
  std::map<std::string, std::size_t> by_severity;
  for (const auto& f : findings)
    if (f.open()) {
      ++open;
      ++by_severity[f.severity];
    }
  out += "<h2 id=\"vulnerabilities\">Open vulnerabilities</h2>\n<p class=\"meta\">Advisories imported up to " +
         h(r.advisories_imported.value_or("-")) + "; " + std::to_string(findings.size() - open) +
         " findings triaged as not affected or fixed are not listed.</p>\n";
  std::string counts;
  for (const char* s : {"critical", "high", "medium", "low", "unknown"})
    if (by_severity.count(s)) counts += (counts.empty() ? "" : ", ") + std::to_string(by_severity[s]) + " " + s;
  out += "<div class=\"summary\">" + std::to_string(open) + (open == 1 ? " open finding" : " open findings") +
         (counts.empty() ? "" : " (" + counts + ")") + "</div>\n";
  out += "<table class=\"vulnerabilities\"><thead><tr><th>severity</th><th>CVSS</th><th>advisory</th><th>product</th>"
         "<th>version</th><th>stage</th><th>component</th><th>component version</th><th>fixed in</th><th>triage</th>"
         "</tr></thead><tbody>\n";
  if (open == 0) out += "<tr><td colspan=\"10\">no open finding</td></tr>\n";
  for (const auto& f : findings) {
    if (!f.open()) continue;
    char cvss[16] = "-";
    if (f.cvss) std::snprintf(cvss, sizeof cvss, "%.1f", *f.cvss);
    std::string aliases = join(f.aliases, ", ");
    out += "<tr><td><span class=\"sev " + h(f.severity) + "\">" + h(f.severity) + "</span></td><td class=\"num\">" +
           cvss + "</td><td>" + h(f.advisory) + (aliases.empty() ? "" : "<br><small>" + h(aliases) + "</small>") +
           "</td><td>" + h(f.product) + "</td><td>" + version_cell(f.version, f.verified) + "</td><td>" +
           stage_badge(f.stage) + "</td><td>" + h(f.component) + "</td><td>" + h(f.component_version) + "</td><td>" +
           h(f.fixed.empty() ? "-" : f.fixed) + "</td><td>" + h(f.status) +
           (f.statement && !f.statement->detail.empty() ? "<br><small>" + h(f.statement->detail) + "</small>" : "") +
           "</td></tr>\n";
  }
  out += "</tbody></table>\n";
}

}  // namespace

std::string render_inventory_html(const InventoryReport& r) {
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>Release inventory</title>\n<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n<main>\n";
  out += "<h1>Release inventory</h1>\n<p class=\"meta\">" + std::to_string(r.releases.size()) +
         " releases; support stages on " + h(format_date(r.on)) + "; generated " + h(r.generated) + "</p>\n";
  if (r.impact) impact_section(out, r);
  if (r.vulnerabilities) vulnerabilities_section(out, r);
  products_section(out, r);
  releases_section(out, r);
  char cvss[16];
  std::snprintf(cvss, sizeof cvss, "%.1f", r.policy.severe_cvss);
  out += "<footer>Support policy: active for " + std::to_string(r.policy.active_years) +
         " years after launch, fixes until discontinuation, fixes for vulnerabilities with a CVSS v3 base score of " +
         cvss + " or more for " + std::to_string(r.policy.security_years_after_discontinuation) +
         " years after it, then end of support. Releases marked (unverified) were recorded from a bare SBOM, not from "
         "a verified package.</footer>\n</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace fwseal::inventory
