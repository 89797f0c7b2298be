// report.html: one self-contained page. Inline CSS only; no scripts, fonts or
// images that a browser would fetch, so it renders the same offline. Its only
// links are relative ones to the published files beside it.
#include "fwseal/pipeline/report.h"

namespace fwseal::pipeline {

namespace {

using ojson = nlohmann::ordered_json;

constexpr const char* kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.meta{color:#57606a;margin:0 0 16px}
.verdict{padding:14px 18px;border-radius:6px;font-size:18px;font-weight:600;margin:16px 0}
.pass{background:#dafbe1;color:#116329;border:1px solid #4ac26b}.fail{background:#ffebe9;color:#82071e;border:1px solid #ff8182}
.skipped,.not-run{background:#fff8c5;color:#7d4e00;border:1px solid #d4a72c}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
table{border-collapse:collapse;width:100%;background:#fff;margin:6px 0 12px}
th,td{border:1px solid #d0d7de;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
code,.hash{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;word-break:break-all}
section.variant{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:4px 18px 12px;margin:18px 0}
.cols{display:flex;gap:18px;flex-wrap:wrap}.cols>div{flex:1 1 300px}
footer{color:#57606a;font-size:12px;margin-top:32px}
table.components td,table.components th{font-size:12px;padding:3px 6px}
table.components td.purl{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:11px;word-break:break-all}
ul.files{margin:4px 0 12px;padding-left:20px}
/* Print: a variant section is taller than a page, so keeping it whole would
   push it to a new page and leave the one before mostly empty. Sections and
   tables break freely; rows stay whole; table headers repeat on each page;
   headings stay with what follows. */
@page{size:A4;margin:12mm}
@media print{body{background:#fff;font-size:11px}main{max-width:none;padding:0}
section.variant{break-inside:auto;border:0;padding:0;margin:12px 0}
thead{display:table-header-group}tr{break-inside:avoid}h2,h3{break-after:avoid}
.cols{display:block}a{color:inherit;text-decoration:none}}
)";

std::string e(const ojson& v) {
  if (v.is_null()) return "&mdash;";
  if (v.is_string()) return html_escape(v.get<std::string>());
  return html_escape(v.dump());
}

std::string badge(const ojson& result) {
  std::string r = result.is_string() ? result.get<std::string>() : "unknown";
  std::string cls = r == "pass" || r == "valid" ? "pass" : r == "skipped" || r == "skip" || r == "not-run" ? "skipped" : "fail";
  return "<span class=\"badge " + cls + "\">" + html_escape(r) + "</span>";
}

std::string size_text(const ojson& v) {
  if (!v.is_number_unsigned()) return "&mdash;";
  auto n = v.get<std::uint64_t>();
  std::string digits = std::to_string(n), grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return grouped;
}

void kv(std::string& out, const char* key, const std::string& value_html) {
  out += "<tr><th>" + std::string(key) + "</th><td>" + value_html + "</td></tr>\n";
}

void counts_table(std::string& out, const ojson& rows, const char* key, const char* heading, const std::string& id) {
  out += "<table id=\"" + id + "\"><thead><tr><th>" + std::string(heading) + "</th><th>components</th></tr></thead><tbody>\n";
  if (rows.empty()) out += "<tr><td colspan=\"2\">none</td></tr>\n";
  for (const auto& r : rows) out += "<tr><td>" + e(r[key]) + "</td><td class=\"num\">" + e(r["components"]) + "</td></tr>\n";
  out += "</tbody></table>\n";
}

// The variant's summary table: package, hardware, failed step, verdict of
// fwseal-verify, provenance.
void summary_table(std::string& out, const ojson& v) {
  out += "<table>\n";
  if (v["package"].is_object()) {
    kv(out, "package", "<code>" + e(v["package"]["file"]) + "</code> (" + size_text(v["package"]["size"]) + " bytes)");
    kv(out, "manifest sha256", "<span class=\"hash\">" + e(v["package"]["manifest_sha256"]) + "</span>");
  } else {
    kv(out, "package", "not built");
  }
  std::string hw;
  for (const auto& h : v["hardware"]) hw += (hw.empty() ? "" : ", ") + e(h);
  kv(out, "hardware", hw);
  if (v["failed_step"].is_object())
    kv(out, "failed step", e(v["failed_step"]["step"]) + " (exit " + e(v["failed_step"]["exit_code"]) + "): " +
                               e(v["failed_step"]["message"]));
  if (v["verification"].is_object()) {
    const ojson& r = v["verification"];
    kv(out, "fwseal-verify", badge(r["verdict"]) + " " + e(r["message"]) + " (exit " + e(r["exit_code"]) + "; " +
                                 e(r["signatures_valid"]) + " of " + e(r["signatures_required"]) + " required signatures)");
  } else {
    kv(out, "fwseal-verify", "not run");
  }
  if (v["provenance"].is_object()) {
    const ojson& p = v["provenance"];
    const ojson& c = p["verification"];
    std::string text = "<code>" + e(p["file"]) + "</code>: in-toto SLSA provenance (DSSE envelope)<br>verification " +
                       badge(c["result"]) + " " + e(c["message"]);
    if (c["result"] == "pass")
      text += "<br>signed by key " + e(c["key_name"]) + " <span class=\"hash\">" + e(c["key_id"]) + "</span><br>builder <code>" +
              e(c["builder_id"]) + "</code>, build started " + e(c["started_on"]) + ", finished " + e(c["finished_on"]);
    if (c["audit"].is_object())
      text += "<br>audit log line " + e(c["audit"]["seq"]) + " (" + e(c["audit"]["time"]) + ", " + e(c["audit"]["operator"]) +
              " as " + e(c["audit"]["login"]) + " on " + e(c["audit"]["host"]) + ")";
    kv(out, "provenance", text);
  } else {
    kv(out, "provenance", "not made");
  }
  out += "</table>\n";
}

// A signature's line in the signing audit log, as fields.
std::string audit_cell(const ojson& a) {
  if (!a.is_object()) return "no line found in the audit log";
  return "line " + e(a["seq"]) + ", " + e(a["time"]) + "<br>" + e(a["result"]) + " by " + e(a["operator"]) + " (login " +
         e(a["login"]) + ") on " + e(a["host"]) + "<br>" + e(a["source"]) + " <code>" + e(a["key_uri"]) +
         "</code><br>line sha256 <span class=\"hash\">" + e(a["line_sha256"]) + "</span>";
}

// A relative link to a published file; report.json names nothing else.
std::string file_link(const ojson& file) {
  if (!file.is_string()) return "&mdash;";
  return "<a href=\"" + html_escape(file.get<std::string>()) + "\"><code>" + e(file) + "</code></a>";
}

void files_list(std::string& out, const ojson& files) {
  out += "<ul class=\"files\">\n";
  for (const auto& f : files) out += "<li>" + e(f["role"]) + ": " + file_link(f["file"]) + "</li>\n";
  out += "</ul>\n";
}

// Every component of the SBOM, one row each: a plain table, so a long list
// prints with its header repeated on each page.
void components_table(std::string& out, const ojson& rows, const std::string& sid) {
  out += "<table class=\"components\" id=\"components-" + sid +
         "\"><thead><tr><th>name</th><th>version</th><th>licence</th><th>purl</th><th>image</th><th>how identified</th></tr></thead><tbody>\n";
  if (rows.empty()) out += "<tr><td colspan=\"6\">none</td></tr>\n";
  for (const auto& c : rows) {
    std::string images, how;
    for (const auto& i : c["images"]) images += (images.empty() ? "" : ", ") + e(i);
    for (const auto& h : c["identified_by"]) how += (how.empty() ? "" : "; ") + e(h);
    out += "<tr><td>" + e(c["name"]) + "</td><td>" + e(c["version"]) + "</td><td>" + e(c["licence"]) + "</td><td class=\"purl\">" +
           e(c["purl"]) + "</td><td>" + (images.empty() ? "&mdash;" : images) + "</td><td>" + how + "</td></tr>\n";
  }
  out += "</tbody></table>\n";
}

// Checks, signatures and images, as fwseal-verify reported them.
void verification_tables(std::string& out, const ojson& v, const std::string& sid) {
  if (v["verification"].is_object() && v["verification"]["checks"].is_array()) {
    out += "<h3>Checks</h3>\n<table id=\"checks-" + sid + "\"><thead><tr><th>step</th><th>check</th><th>result</th><th>detail</th></tr></thead><tbody>\n";
    for (const auto& c : v["verification"]["checks"])
      out += "<tr><td>" + e(c["step"]) + "</td><td>" + e(c["name"]) + "</td><td>" + badge(c["result"]) + "</td><td>" + e(c["detail"]) + "</td></tr>\n";
    out += "</tbody></table>\n";
  }

  out += "<h3>Signatures</h3>\n<table id=\"signatures-" + sid + "\"><thead><tr><th>key id</th><th>algorithm</th><th>key</th><th>status</th><th>certificate subjects</th><th>audit log line</th></tr></thead><tbody>\n";
  if (v["signatures"].empty()) out += "<tr><td colspan=\"6\">none recorded</td></tr>\n";
  for (const auto& s : v["signatures"]) {
    std::string subjects;
    for (const auto& c : s["certificates"]) subjects += (subjects.empty() ? "" : "<br>") + e(c["subject"]);
    if (subjects.empty()) subjects = "no certificate chain";
    out += "<tr><td class=\"hash\">" + e(s["key_id"]) + "</td><td>" + e(s["algorithm"]) + "</td><td>" + e(s["key_name"]) +
           "</td><td>" + badge(s["status"]) + " " + e(s["detail"]) + "</td><td>" + subjects + "</td><td>" + audit_cell(s["audit"]) +
           "</td></tr>\n";
  }
  out += "</tbody></table>\n";

  out += "<h3>Images</h3>\n<table class=\"images\" id=\"images-" + sid + "\"><thead><tr><th>name</th><th>type</th><th>size (bytes)</th><th>sha256</th></tr></thead><tbody>\n";
  for (const auto& i : v["images"]) {
    out += "<tr><td>" + e(i["name"]) + "</td><td>" + e(i["type"]) + "</td><td class=\"num\">" + size_text(i["size"]) +
           "</td><td class=\"hash\">" + e(i["sha256"]) + "</td></tr>\n";
    // An encrypted image: the row above is its ciphertext; this one what it decrypts to, and for how many keys.
    if (i.contains("encryption") && i["encryption"].is_object()) {
      const ojson& c = i["encryption"];
      const std::size_t n = c["recipients"].is_array() ? c["recipients"].size() : 0;
      out += "<tr class=\"encrypted\"><td colspan=\"2\">encrypted (" + e(c["cipher"]) + ") for " + std::to_string(n) +
             (n == 1 ? " recipient key" : " recipient keys") + "; plaintext</td><td class=\"num\">" +
             size_text(c["plaintext_size"]) + "</td><td class=\"hash\">" + e(c["plaintext_sha256"]) + "</td></tr>\n";
    }
  }
  out += "</tbody></table>\n";
}

void sbom_block(std::string& out, const ojson& v, const std::string& sid) {
  out += "<h3>SBOM</h3>\n";
  if (!v["sbom"].is_object()) {
    out += "<p>not generated</p>\n";
    return;
  }
  const ojson& s = v["sbom"];
  out += "<p><code>" + e(s["file"]) + "</code>: CycloneDX 1.6, " + e(s["components"]) + " components besides the images, sha256 <span class=\"hash\">" + e(s["sha256"]) + "</span></p>\n";
  out += "<div class=\"cols\"><div>\n";
  counts_table(out, s["by_licence"], "licence", "licence", "licences-" + sid);
  out += "</div><div>\n";
  counts_table(out, s["by_source"], "source", "how it was identified", "sources-" + sid);
  out += "</div></div>\n";
  if (s.contains("component_list") && s["component_list"].is_array()) components_table(out, s["component_list"], sid);
  if (!s["warnings"].empty()) {
    out += "<p>Warnings:</p><ul>\n";
    for (const auto& w : s["warnings"]) out += "<li>" + e(w) + "</li>\n";
    out += "</ul>\n";
  }
}

// The licence policy's verdict, every problem and every source offer to ship.
void licences_block(std::string& out, const ojson& v, const std::string& sid) {
  if (!v.contains("licences") || !v["licences"].is_object()) return;
  const ojson& l = v["licences"];
  out += "<h3>Licence policy</h3>\n<table id=\"licences-" + sid + "\">\n";
  kv(out, "result", badge(l["result"]) + " " + e(l["message"]));
  kv(out, "policy", "<code>" + e(l["policy"]) + "</code>" +
                        (l.contains("signed_boot") && l["signed_boot"] == true ? " (signed boot)" : ""));
  if (l.contains("summary") && l["summary"].is_object()) {
    const ojson& s = l["summary"];
    kv(out, "components", e(s["components"]) + ": " + e(s["allowed"]) + " allowed, " + e(s["denied"]) + " denied, " +
                              e(s["not_allowed"]) + " not allowed, " + e(s["unknown"]) + " unknown, " + e(s["conflict"]) +
                              " in conflict with signed boot");
  }
  out += "</table>\n";
  if (l.contains("problems") && l["problems"].is_array() && !l["problems"].empty()) {
    out += "<table id=\"licence-problems-" + sid + "\"><thead><tr><th>component</th><th>licence</th><th>verdict</th><th>reason</th></tr></thead><tbody>\n";
    for (const auto& p : l["problems"])
      out += "<tr><td>" + e(p["component"]) + "</td><td>" + e(p["licence"]) + "</td><td>" + badge(p["verdict"]) +
             "</td><td>" + e(p["reason"]) + "</td></tr>\n";
    out += "</tbody></table>\n";
  }
  if (l.contains("source_offer") && l["source_offer"].is_array() && !l["source_offer"].empty()) {
    out += "<p>A written offer of the source must ship with the firmware for:</p>\n";
    out += "<table id=\"source-offer-" + sid + "\"><thead><tr><th>component</th><th>licences</th></tr></thead><tbody>\n";
    for (const auto& s : l["source_offer"]) {
      std::string ids;
      for (const auto& id : s["licences"]) ids += (ids.empty() ? "" : ", ") + e(id);
      out += "<tr><td>" + e(s["component"]) + "</td><td>" + ids + "</td></tr>\n";
    }
    out += "</tbody></table>\n";
  }
}

void reproducibility_table(std::string& out, const ojson& v, const std::string& sid) {
  out += "<h3>Reproducibility</h3>\n<table id=\"repro-" + sid + "\">\n";
  const ojson& r = v["reproducibility"];
  kv(out, "result", badge(r["result"]) + " " + e(r["message"]));
  if (r.contains("environment")) {
    std::string env;
    for (auto& [k, val] : r["environment"]["env"].items()) env += (env.empty() ? "" : ", ") + html_escape(k) + "=" + e(val);
    kv(out, "rebuilt under", env + "; umask " + e(r["environment"]["umask"]) + "; " + e(r["environment"]["working_directory"]) +
                                 "; " + e(r["environment"]["inputs"]));
    kv(out, "manifest sha256", "released <span class=\"hash\">" + e(r["manifest_sha256"]["released"]) +
                                   "</span><br>rebuilt <span class=\"hash\">" + e(r["manifest_sha256"]["rebuilt"]) + "</span>");
  }
  if (r.contains("first_difference") && r["first_difference"].is_object()) {
    const ojson& d = r["first_difference"];
    kv(out, "first difference", e(d["entry"]) + " " + e(d["part"]) + " " + e(d["field"]) + " at offset " + e(d["offset"]));
  }
  out += "</table>\n";
}

void variant_section(std::string& out, const ojson& v, std::size_t index) {
  const std::string id = v["name"].is_string() ? v["name"].get<std::string>() : "release";
  const std::string sid = "v" + std::to_string(index);
  out += "<section class=\"variant\" id=\"variant-" + html_escape(id) + "\">\n";
  out += "<h2>" + (v["name"].is_string() ? "Variant " + e(v["name"]) : std::string("Package")) + " " + badge(v["verdict"]) + "</h2>\n";
  summary_table(out, v);
  if (v.contains("files") && !v["files"].empty()) {
    out += "<h3>Files</h3>\n";
    files_list(out, v["files"]);
  }
  verification_tables(out, v, sid);
  sbom_block(out, v, sid);
  licences_block(out, v, sid);
  reproducibility_table(out, v, sid);
  out += "</section>\n";
}

}  // namespace

std::string render_html(const ojson& r) {
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  // Nothing on this page may be fetched: no scripts, no external resources.
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>Release report: " + e(r["product"]) + " " + e(r["version"]) + "</title>\n";
  out += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n<main>\n";
  out += "<h1>" + e(r["product"]) + " " + e(r["version"]) + "</h1>\n";
  out += "<p class=\"meta\">release <code>" + e(r["release"]) + "</code> &middot; security version " + e(r["security_version"]) +
         " &middot; " + e(r["variants"].size() == 1 ? ojson("1 package") : ojson(std::to_string(r["variants"].size()) + " packages")) + "</p>\n";
  if (r.contains("build") && r["build"].is_object()) {
    out += "<table id=\"build\">\n";
    kv(out, "build time", e(r["build"]["time_text"]));
    kv(out, "builder", r["build"]["builder_id"].is_string() ? "<code>" + e(r["build"]["builder_id"]) + "</code> (from the verified provenance)"
                                                            : std::string("not known: no provenance verified"));
    kv(out, "generated by", e(r["generated_by"]));
    if (r.contains("audit_log") && r["audit_log"].is_object())
      kv(out, "signing audit log", e(r["audit_log"]["status"]) + "; " + e(r["audit_log"]["signed_lines_matched"]) + " signatures matched to their line");
    out += "</table>\n";
  } else {
    out += "<p class=\"meta\">created " + e(r["created"]) + "</p>\n";
  }
  const std::string verdict = r["verdict"].is_string() ? r["verdict"].get<std::string>() : "fail";
  out += "<div id=\"verdict\" class=\"verdict " + std::string(verdict == "pass" ? "pass" : "fail") + "\">Verdict: " +
         (verdict == "pass" ? std::string("PASS") : std::string("FAIL")) + " &mdash; " + e(r["message"]) + "</div>\n";

  out += "<h2>Signing keys</h2>\n<table id=\"keys\"><thead><tr><th>PKCS#11 URI</th><th>algorithm</th><th>key id</th><th>certificate chain</th></tr></thead><tbody>\n";
  for (const auto& k : r["signing_keys"])
    out += "<tr><td><code>" + e(k["uri"]) + "</code></td><td>" + e(k["algorithm"]) + "</td><td class=\"hash\">" + e(k["key_id"]) +
           "</td><td>" + e(k["certificate_chain"]) + "</td></tr>\n";
  out += "</tbody></table>\n";

  if (r["trust"].is_object()) {
    const ojson& t = r["trust"];
    out += "<h2>Trust policy</h2>\n<table id=\"trust\">\n";
    kv(out, "file", "<code>" + e(t["file"]) + "</code>");
    for (const auto& s : t["key_sets"]) {
      std::string keys;
      for (const auto& k : s["keys"]) keys += (keys.empty() ? "" : "<br>") + e(k["name"]) + " (" + e(k["algorithm"]) + ") <span class=\"hash\">" + e(k["key_id"]) + "</span>";
      for (const auto& root : s["roots"]) keys += (keys.empty() ? "" : "<br>") + std::string("root CA ") + e(root);
      kv(out, s["role"].is_string() ? ("role " + s["role"].get<std::string>()).c_str() : "trusted keys", keys + "<br>threshold " + e(s["threshold"]));
    }
    std::string algs;
    for (const auto& a : t["algorithms"]) algs += (algs.empty() ? "" : ", ") + e(a);
    kv(out, "algorithms", algs);
    kv(out, "minimum security version", e(t["min_security_version"]));
    std::string hw;
    for (const auto& h : t["hardware"]) hw += (hw.empty() ? "" : ", ") + e(h);
    kv(out, "hardware", hw.empty() ? "not named (devices pass their ids)" : hw);
    out += "</table>\n";
  }

  if (r.contains("files") && r["files"].is_array()) {
    out += "<h2>Published files</h2>\n<p>Relative to this page; a run whose verdict is fail publishes nothing.</p>\n";
    files_list(out, r["files"]);
  }
  for (std::size_t i = 0; i < r["variants"].size(); ++i) variant_section(out, r["variants"][i], i);
  out += "<footer>Generated by " + e(r["generated_by"]) + " from <code>" + e(r["release_file"]) +
         "</code>. report.json holds the same facts for machines. This page loads nothing from anywhere.</footer>\n";
  out += "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace fwseal::pipeline
