#include "fwseal/sbom/licence_policy.h"

#include <algorithm>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "fwseal/base/file.h"
#include "fwseal/format/canonical_json.h"
#include "fwseal/format/file_kind.h"
#include "fwseal/format/layout.h"
#include "fwseal/sbom/validate.h"
#include "licence.h"
#include "text.h"

namespace fwseal::sbom {
namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr std::string_view kRoot = "policy";
constexpr std::size_t kMaxPolicyIds = 4096;

// A list member of the policy: each entry one licence id, none twice in the
// policy (`seen`: lower-case id -> where it was).
Result<std::vector<std::string>> policy_ids(const json& j, std::string_view key, std::map<std::string, std::string>& seen) {
  std::vector<std::string> out;
  FWSEAL_ASSIGN(const json* items, get_array(j, key, kRoot, kMaxPolicyIds));
  const std::string field = member_path(kRoot, key);
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string at = index_path(field, i);
    const json& item = (*items)[i];
    if (!item.is_string()) return make_error(Code::malformed, at + ": expected a licence id (string)");
    const std::string& text = item.get_ref<const std::string&>();
    auto term = parse_spdx_tree(text, at);
    if (!term.ok() || term->kind != LicenceTerm::Kind::licence || !term->exception.empty()) {
      if (term.ok() || text.find_first_of(" ()") != std::string::npos)
        return make_error(Code::malformed, at + ": " + shown(text) + " is not one licence id (write each id of an expression on its own)");
      return make_error(Code::malformed, at + ": unknown SPDX licence id " + shown(text) +
                                             " (a licence without an SPDX id is written LicenseRef-NAME)");
    }
    auto [it, fresh] = seen.emplace(lower(term->id), at);
    if (!fresh)
      return make_error(Code::malformed, at + ": " + shown(text) + " is " + term->id + ", already at " + it->second);
    out.push_back(term->id);
  }
  return out;
}

bool starts_with_any(std::string_view id, std::initializer_list<std::string_view> prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](std::string_view p) { return id.starts_with(p); });
}

// The GNU copyleft family: the object code must come with the source or a
// written offer of it (GPLv2 section 3(b), GPLv3 section 6(b), LGPL likewise).
bool needs_source_offer(std::string_view id) { return starts_with_any(id, {"GPL-", "LGPL-", "AGPL-"}); }

// Version 3 of the family, as written ("GPL-2.0-or-later" is judged as
// GPL-2.0): its installation information (GPLv3 section 6, LGPLv3 4(e),
// AGPLv3 section 6) must let the user run modified versions, which a device
// that boots only signed firmware refuses.
bool installation_information(std::string_view id) { return starts_with_any(id, {"GPL-3.0", "LGPL-3.0", "AGPL-3.0"}); }

void add_unique(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const auto& s : from)
    if (std::find(to.begin(), to.end(), s) == to.end()) to.push_back(s);
}

// What a part of an expression comes to under the policy. Status: AND takes
// the worst of its parts, OR the best alternative.
enum Status { denied = 0, not_allowed = 1, allowed = 2 };
struct Judged {
  Status status = allowed;
  std::vector<std::string> chosen;  // the licences, with their exceptions
  std::vector<std::string> denied, not_allowed, conflicts, source_offer;
  bool passes() const { return status == allowed && conflicts.empty(); }
  // Which OR alternative to take: allowed first, then no conflict, then no
  // source offer to ship.
  int rank() const { return status * 4 + (conflicts.empty() ? 2 : 0) + (source_offer.empty() ? 1 : 0); }
};

class Judge {
 public:
  explicit Judge(const LicencePolicy& policy) : signed_boot_(policy.signed_boot) {
    for (const auto& id : policy.allow) allow_.insert(lower(id));
    for (const auto& id : policy.deny) deny_.insert(lower(id));
  }

  Judged judge(const LicenceTerm& t) const {
    switch (t.kind) {
      case LicenceTerm::Kind::licence: return leaf(t);
      case LicenceTerm::Kind::all_of: return all_of(t);
      case LicenceTerm::Kind::any_of: return any_of(t);
    }
    return leaf(t);
  }

 private:
  // WITH is judged by its licence; "+" and -or-later as written.
  Judged leaf(const LicenceTerm& t) const {
    Judged j;
    const std::string key = lower(t.id);
    j.status = deny_.contains(key) ? denied : allow_.contains(key) ? allowed : not_allowed;
    if (j.status == denied) j.denied.push_back(t.id);
    if (j.status == not_allowed) j.not_allowed.push_back(t.id);
    if (j.status == allowed && signed_boot_ && installation_information(t.id)) j.conflicts.push_back(t.id);
    if (needs_source_offer(t.id)) j.source_offer.push_back(t.id);
    j.chosen.push_back(t.exception.empty() ? t.id : t.id + " WITH " + t.exception);
    return j;
  }

  // Every part applies.
  Judged all_of(const LicenceTerm& t) const {
    Judged out;
    for (const auto& operand : t.operands) {
      Judged j = judge(operand);
      out.status = std::min(out.status, j.status);
      add_unique(out.chosen, j.chosen);
      add_unique(out.denied, j.denied);
      add_unique(out.not_allowed, j.not_allowed);
      add_unique(out.conflicts, j.conflicts);
      add_unique(out.source_offer, j.source_offer);
    }
    return out;
  }

  // One alternative is enough: the best one (first of equals). When none
  // passes, the reasons of every alternative, in written order, are the reason.
  Judged any_of(const LicenceTerm& t) const {
    std::vector<Judged> alternatives;
    for (const auto& operand : t.operands) alternatives.push_back(judge(operand));
    auto best = std::max_element(alternatives.begin(), alternatives.end(),
                                 [](const Judged& a, const Judged& b) { return a.rank() < b.rank(); });
    Judged out = *best;
    if (out.passes()) return out;
    out.denied.clear();
    out.not_allowed.clear();
    out.conflicts.clear();
    for (const auto& j : alternatives) {
      add_unique(out.denied, j.denied);
      add_unique(out.not_allowed, j.not_allowed);
      add_unique(out.conflicts, j.conflicts);
    }
    return out;
  }

  bool signed_boot_;
  std::set<std::string> allow_, deny_;
};

// "A", "A and B", "A, B and C".
std::string ids_text(const std::vector<std::string>& ids) {
  std::string out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += i + 1 == ids.size() ? " and " : ", ";
    out += ids[i];
  }
  return out;
}

std::string is_are(const std::vector<std::string>& ids) { return ids.size() == 1 ? " is " : " are "; }

// The reason for a verdict, its own part first.
std::string reason_of(const ComponentLicence& c) {
  std::vector<std::pair<LicenceVerdict, std::string>> parts;
  if (!c.denied.empty()) parts.emplace_back(LicenceVerdict::denied, ids_text(c.denied) + is_are(c.denied) + "denied");
  if (!c.not_allowed.empty())
    parts.emplace_back(LicenceVerdict::not_allowed, ids_text(c.not_allowed) + is_are(c.not_allowed) + "neither allowed nor denied");
  if (!c.conflicts.empty())
    parts.emplace_back(LicenceVerdict::conflict, ids_text(c.conflicts) + (c.conflicts.size() == 1 ? " conflicts" : " conflict") +
                                                     " with signed_boot (installation information, GPLv3 section 6)");
  std::stable_partition(parts.begin(), parts.end(), [&](const auto& p) { return p.first == c.verdict; });
  std::string out;
  for (const auto& [v, text] : parts) out += (out.empty() ? "" : "; ") + text;
  return out;
}

std::string licence_entry_text(const json& e) {
  if (e.contains("expression")) return e["expression"].get<std::string>();
  const json& l = e["license"];
  return l.contains("id") ? l["id"].get<std::string>() : l["name"].get<std::string>();
}

// One entry of `licenses` as a tree, or the reason it says nothing usable.
Result<LicenceTerm> entry_term(const json& e) {
  const bool is_name = !e.contains("expression") && !e["license"].contains("id");
  const std::string text = licence_entry_text(e);
  if (text == "NOASSERTION" || text == "NONE") return make_error(Code::malformed, text + " states no licence");
  auto term = parse_spdx_tree(text, "licence");
  if (term.ok()) return term;
  if (is_name) return make_error(Code::malformed, shown(text) + " is a licence name, not an SPDX id or expression");
  return make_error(Code::malformed, std::move(term).error().message);
}

ComponentLicence judge_component(const json& c, const Judge& judge) {
  ComponentLicence out;
  out.name = c["name"].get<std::string>();
  out.version = c.value("version", "");
  const json empty = json::array();
  const json& entries = c.contains("licenses") ? c["licenses"] : empty;
  for (const auto& e : entries) out.licence += (out.licence.empty() ? "" : " AND ") + licence_entry_text(e);
  if (entries.empty()) {
    out.verdict = LicenceVerdict::unknown;
    out.reason = "the SBOM states no licence";
    return out;
  }
  // Several entries all apply.
  LicenceTerm all;
  all.kind = LicenceTerm::Kind::all_of;
  for (const auto& e : entries) {
    auto term = entry_term(e);
    if (!term.ok()) {
      out.verdict = LicenceVerdict::unknown;
      out.reason = term.error().message;
      return out;
    }
    all.operands.push_back(std::move(*term));
  }
  Judged j = judge.judge(all.operands.size() == 1 ? all.operands[0] : all);
  out.chosen = j.chosen;
  out.denied = j.denied;
  out.not_allowed = j.not_allowed;
  out.conflicts = j.conflicts;
  out.source_offer = j.source_offer;
  out.verdict = j.status == denied        ? LicenceVerdict::denied
                : j.status == not_allowed ? LicenceVerdict::not_allowed
                : !j.conflicts.empty()    ? LicenceVerdict::conflict
                                          : LicenceVerdict::allowed;
  if (out.verdict != LicenceVerdict::allowed) out.reason = reason_of(out);
  return out;
}

bool is_image_component(const json& c) {
  if (!c.contains("properties") || !c["properties"].is_array()) return false;
  for (const auto& p : c["properties"])
    if (p.is_object() && p.contains("name") && p["name"] == "fwseal:image-type") return true;
  return false;
}

void walk(const json& list, const Judge& judge, std::vector<ComponentLicence>& out) {
  for (const auto& c : list) {
    if (!is_image_component(c)) out.push_back(judge_component(c, judge));
    if (c.contains("components")) walk(c["components"], judge, out);
  }
}

std::string text_name(LicenceVerdict v) {
  std::string out(verdict_name(v));
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

}  // namespace

std::string_view verdict_name(LicenceVerdict v) {
  switch (v) {
    case LicenceVerdict::denied: return "denied";
    case LicenceVerdict::not_allowed: return "not_allowed";
    case LicenceVerdict::unknown: return "unknown";
    case LicenceVerdict::conflict: return "conflict";
    case LicenceVerdict::allowed: return "allowed";
  }
  return "unknown";
}

std::string ComponentLicence::label() const { return version.empty() ? name : name + "@" + version; }

bool LicenceCheck::pass() const {
  return std::all_of(components.begin(), components.end(),
                     [](const ComponentLicence& c) { return c.verdict == LicenceVerdict::allowed; });
}

std::size_t LicenceCheck::count(LicenceVerdict v) const {
  return static_cast<std::size_t>(
      std::count_if(components.begin(), components.end(), [&](const ComponentLicence& c) { return c.verdict == v; }));
}

std::size_t LicenceCheck::source_offers() const {
  return static_cast<std::size_t>(std::count_if(components.begin(), components.end(),
                                                [](const ComponentLicence& c) { return !c.source_offer.empty(); }));
}

Result<LicencePolicy> parse_licence_policy(std::string_view text, std::string_view what) {
  auto parsed = [&]() -> Result<LicencePolicy> {
    FWSEAL_ASSIGN(json j, parse_json_with_comments(text, what, JsonLimits{kMaxLicencePolicyBytes, 4}));
    FWSEAL_TRY(check_members(j, {"allow", "deny", "signed_boot"}, kRoot));
    LicencePolicy p;
    std::map<std::string, std::string> seen;
    FWSEAL_ASSIGN(p.allow, policy_ids(j, "allow", seen));
    if (p.allow.empty()) return make_error(Code::malformed, member_path(kRoot, "allow") + ": allows nothing (name at least one licence)");
    if (has_member(j, "deny")) {
      FWSEAL_ASSIGN(p.deny, policy_ids(j, "deny", seen));
    }
    if (has_member(j, "signed_boot")) {
      FWSEAL_ASSIGN(p.signed_boot, get_bool(j, "signed_boot", kRoot));
    }
    return p;
  }();
  if (!parsed.ok()) {
    Error e = std::move(parsed).error();
    // Member paths start with "policy."; say which file they are in.
    if (!std::string_view(e.message).starts_with(what)) e.message = std::string(what) + ": " + e.message;
    return e;
  }
  return parsed;
}

Result<LicencePolicy> load_licence_policy(const std::string& path) {
  auto text = read_file(path, kMaxLicencePolicyBytes);
  if (!text.ok()) return explain_wrong_kind(path, FileKind::licence_policy, text.error());
  auto policy = parse_licence_policy(*text, path);
  if (!policy.ok()) return explain_wrong_kind(path, FileKind::licence_policy, policy.error());
  return policy;
}

Result<LicenceCheck> check_licences(std::string_view sbom_bytes, const LicencePolicy& policy) {
  FWSEAL_TRY(validate_sbom(sbom_bytes));
  FWSEAL_ASSIGN(json bom, parse_json_strict(sbom_bytes, "sbom", JsonLimits{kMaxSbomBytes, 32}));
  LicenceCheck out;
  out.signed_boot = policy.signed_boot;
  const Judge judge(policy);
  if (bom.contains("components")) walk(bom["components"], judge, out.components);
  return out;
}

std::string licence_check_to_text(const LicenceCheck& check) {
  auto licence = [](const ComponentLicence& c) { return c.licence.empty() ? std::string("no licence") : printable(c.licence); };
  std::string out;
  for (const auto& c : check.components)
    if (c.verdict != LicenceVerdict::allowed)
      out += text_name(c.verdict) + ": " + printable(c.label()) + " (" + licence(c) + "): " + printable(c.reason) + "\n";
  for (const auto& c : check.components)
    if (!c.source_offer.empty())
      out += "source offer required: " + printable(c.label()) + " (" + ids_text(c.source_offer) + ")\n";
  out += "licence policy: " + std::string(check.pass() ? "pass" : "fail") + ": " +
         std::to_string(check.components.size()) + " components: " + std::to_string(check.count(LicenceVerdict::allowed)) +
         " allowed, " + std::to_string(check.count(LicenceVerdict::denied)) + " denied, " +
         std::to_string(check.count(LicenceVerdict::not_allowed)) + " not allowed, " +
         std::to_string(check.count(LicenceVerdict::unknown)) + " unknown, " +
         std::to_string(check.count(LicenceVerdict::conflict)) + " in conflict with signed boot; " +
         std::to_string(check.source_offers()) + " need a source offer\n";
  return out;
}

std::string licence_check_to_json(const LicenceCheck& check) {
  ojson problems = ojson::array(), offers = ojson::array();
  for (const auto& c : check.components) {
    if (c.verdict != LicenceVerdict::allowed)
      problems.push_back({{"component", c.label()},
                          {"name", c.name},
                          {"version", c.version},
                          {"licence", c.licence},
                          {"verdict", verdict_name(c.verdict)},
                          {"reason", c.reason},
                          {"chosen", c.chosen},
                          {"denied", c.denied},
                          {"not_allowed", c.not_allowed},
                          {"conflicts", c.conflicts}});
    if (!c.source_offer.empty())
      offers.push_back({{"component", c.label()},
                        {"name", c.name},
                        {"version", c.version},
                        {"licence", c.licence},
                        {"licences", c.source_offer}});
  }
  ojson out = {{"verdict", check.pass() ? "pass" : "fail"},
               {"signed_boot", check.signed_boot},
               {"summary",
                {{"components", check.components.size()},
                 {"allowed", check.count(LicenceVerdict::allowed)},
                 {"denied", check.count(LicenceVerdict::denied)},
                 {"not_allowed", check.count(LicenceVerdict::not_allowed)},
                 {"unknown", check.count(LicenceVerdict::unknown)},
                 {"conflict", check.count(LicenceVerdict::conflict)},
                 {"source_offer", check.source_offers()}}},
               {"problems", problems},
               {"source_offer", offers}};
  return out.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace fwseal::sbom
