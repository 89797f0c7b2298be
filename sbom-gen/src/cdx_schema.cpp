// CycloneDX schema validation with valijson (Debian's libvalijson-dev).
//
// valijson checks `pattern` and `format: date-time` with std::regex, whose
// libstdc++ matcher recurses once per character: a hostile SBOM with a
// 50,000-character `contentType` or timestamp overflows the stack. And it
// checks `uniqueItems` by comparing every pair of items: 20,000 components
// take minutes. So before valijson parses a schema, fwseal renames those
// three keywords (in memory; the schema files stay as published) to
// `fwseal:pattern`, `fwseal:format` and `fwseal:uniqueItems`, which the
// constraints below check instead: patterns with PCRE2 (heap, not stack,
// with match limits), date-time on at most 64 bytes, unique items through
// a set of each item's canonical JSON. sbom-gen/README.md ("Validation")
// lists what is and is not checked.
#include "cdx_schema.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <array>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <stdexcept>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/constraint_builder.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>


namespace fwseal::sbom {

// Defined in the generated cdx_schemas.cpp (cmake/embed_text.cmake): the
// text of a file of third_party/cyclonedx/ by name, "" if not built in.
std::string_view cyclonedx_schema_text(std::string_view name);

namespace {

using nlohmann::json;
using valijson::ValidationResults;
using valijson::adapters::Adapter;
using valijson::constraints::Constraint;
using valijson::constraints::PolyConstraint;
using Context = std::vector<std::string>;

constexpr std::array<std::string_view, 3> kVersions = {"1.4", "1.5", "1.6"};

// Keywords whose value is data, not a subschema: nothing inside is renamed.
bool is_data_keyword(const std::string& key) {
  return key == "enum" || key == "const" || key == "default" || key == "examples";
}

// Keywords whose value maps names to subschemas: a property may be named
// "format" (CycloneDX 1.5 and 1.6 have one), which is not the keyword.
bool is_schema_map_keyword(const std::string& key) {
  return key == "properties" || key == "patternProperties" || key == "definitions";
}

void take_over_keywords(json& schema) {
  if (schema.is_array()) {
    for (auto& item : schema) take_over_keywords(item);
    return;
  }
  if (!schema.is_object()) return;
  for (const char* key : {"pattern", "format", "uniqueItems"}) {
    auto it = schema.find(key);
    if (it == schema.end()) continue;
    json value = std::move(*it);
    schema.erase(key);
    schema[std::string("fwseal:") + key] = std::move(value);
  }
  for (auto& [key, value] : schema.items()) {
    if (is_data_keyword(key)) continue;
    if (is_schema_map_keyword(key) && value.is_object()) {
      for (auto& [name, subschema] : value.items()) take_over_keywords(subschema);
    } else {
      take_over_keywords(value);
    }
  }
}

// A copyable PolyConstraint (valijson copies constraints into the schema).
template <typename Derived>
class Poly : public PolyConstraint {
 private:
  Constraint* cloneInto(void* where) const override { return new (where) Derived(static_cast<const Derived&>(*this)); }
  size_t sizeOf() const override { return sizeof(Derived); }
};

struct Pcre2Deleter {
  void operator()(pcre2_code* c) const { pcre2_code_free(c); }
  void operator()(pcre2_match_data* m) const { pcre2_match_data_free(m); }
  void operator()(pcre2_match_context* m) const { pcre2_match_context_free(m); }
};

class PatternConstraint : public Poly<PatternConstraint> {
 public:
  explicit PatternConstraint(std::string pattern) : pattern_(std::move(pattern)) {
    int code = 0;
    PCRE2_SIZE offset = 0;
    auto* compiled = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern_.c_str()), pattern_.size(), PCRE2_UTF, &code,
                                   &offset, nullptr);
    if (compiled == nullptr) throw std::runtime_error("pattern " + pattern_ + " does not compile with PCRE2");
    code_.reset(compiled, Pcre2Deleter());
  }

  bool validate(const Adapter& target, const Context& context, ValidationResults* results) const override {
    if (!target.isString()) return true;
    const std::string s = target.getString();
    std::unique_ptr<pcre2_match_data, Pcre2Deleter> data(pcre2_match_data_create_from_pattern(code_.get(), nullptr));
    std::unique_ptr<pcre2_match_context, Pcre2Deleter> limits(pcre2_match_context_create(nullptr));
    if (!data || !limits) throw std::bad_alloc();
    pcre2_set_match_limit(limits.get(), 10'000'000);
    pcre2_set_heap_limit(limits.get(), 64 * 1024);  // KiB
    int rc = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), 0, 0, data.get(), limits.get());
    if (rc >= 0) return true;
    if (results != nullptr)
      results->pushError(context, rc == PCRE2_ERROR_NOMATCH
                                      ? "does not match the pattern " + pattern_
                                      : "too costly to match against the pattern " + pattern_ + " (PCRE2 error " +
                                            std::to_string(rc) + ")");
    return false;
  }

 private:
  std::string pattern_;
  std::shared_ptr<pcre2_code> code_;
};

// `format` is an annotation in draft-07 unless a validator asserts it; fwseal
// asserts date-time (RFC 3339), the one format every SBOM has (the
// timestamp), and leaves iri-reference, idn-email and uri unchecked.
class FormatConstraint : public Poly<FormatConstraint> {
 public:
  explicit FormatConstraint(std::string format) : format_(std::move(format)) {}

  bool validate(const Adapter& target, const Context& context, ValidationResults* results) const override {
    if (format_ != "date-time" || !target.isString()) return true;
    const std::string s = target.getString();
    // Bounded first: std::regex recurses per character.
    static const std::regex kDateTime(
        R"((\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d))");
    if (s.size() <= 64 && std::regex_match(s, kDateTime)) return true;
    if (results != nullptr) results->pushError(context, "not an RFC 3339 date-time (format date-time)");
    return false;
  }

 private:
  std::string format_;
};

json to_json(const Adapter& a) {
  if (a.isObject()) {
    json out = json::object();
    a.applyToObject([&](const std::string& key, const Adapter& value) {
      out[key] = to_json(value);
      return true;
    });
    return out;
  }
  if (a.isArray()) {
    json out = json::array();
    a.applyToArray([&](const Adapter& value) {
      out.push_back(to_json(value));
      return true;
    });
    return out;
  }
  if (a.isString()) return a.getString();
  if (a.isBool()) return a.getBool();
  if (a.isInteger()) return a.getInteger();
  if (a.isDouble()) return a.getDouble();
  return nullptr;
}

// JSON Schema's equality, but in O(n log n): items are compared by their
// canonical text (sorted keys), so 1 and 1.0 count as different items.
class UniqueItemsConstraint : public Poly<UniqueItemsConstraint> {
 public:
  explicit UniqueItemsConstraint(bool unique) : unique_(unique) {}

  bool validate(const Adapter& target, const Context& context, ValidationResults* results) const override {
    if (!unique_ || !target.isArray()) return true;
    std::set<std::string> seen;
    std::size_t index = 0, duplicate = 0;
    bool ok = target.applyToArray([&](const Adapter& item) {
      if (seen.insert(to_json(item).dump()).second) {
        ++index;
        return true;
      }
      duplicate = index;
      return false;
    });
    if (ok) return true;
    if (results != nullptr)
      results->pushError(context, "item " + std::to_string(duplicate) + " repeats an earlier item (uniqueItems)");
    return false;
  }

 private:
  bool unique_;
};

template <typename C>
class Builder : public valijson::ConstraintBuilder {
 public:
  Constraint* make(const Adapter& value) const override {
    if constexpr (std::is_same_v<C, UniqueItemsConstraint>) {
      if (!value.isBool()) throw std::runtime_error("uniqueItems is not a boolean");
      return new C(value.getBool());
    } else {
      if (!value.isString()) throw std::runtime_error("pattern or format is not a string");
      return new C(value.getString());
    }
  }
};

json load_schema_text(std::string_view name) {
  std::string_view text = cyclonedx_schema_text(name);
  if (text.empty()) throw std::runtime_error(std::string(name) + " is not built in");
  json schema = json::parse(text);
  take_over_keywords(schema);
  return schema;
}

std::unique_ptr<valijson::Schema> load_schema(std::string_view version) {
  // The parser owns (and deletes) its builders.
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  parser.addConstraintBuilder("fwseal:pattern", new Builder<PatternConstraint>);
  parser.addConstraintBuilder("fwseal:format", new Builder<FormatConstraint>);
  parser.addConstraintBuilder("fwseal:uniqueItems", new Builder<UniqueItemsConstraint>);
  json root = load_schema_text("bom-" + std::string(version) + ".schema.json");
  // The schemas name spdx.schema.json and jsf-0.82.schema.json by relative
  // reference; only files built in can be fetched.
  auto fetch = [](const std::string& uri) -> const json* {
    return new json(load_schema_text(uri.substr(uri.rfind('/') + 1)));
  };
  auto release = [](const json* doc) { delete doc; };
  auto schema = std::make_unique<valijson::Schema>();
  parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(root), *schema, fetch, release);
  return schema;
}

// Parsed once per version, on first use; valijson only reads a Schema.
Result<const valijson::Schema*> schema_for(std::string_view version) {
  static std::array<std::once_flag, kVersions.size()> once;
  static std::array<std::unique_ptr<valijson::Schema>, kVersions.size()> schemas;
  std::size_t i = 0;
  while (kVersions[i] != version) ++i;
  try {
    std::call_once(once[i], [&] { schemas[i] = load_schema(version); });
  } catch (const std::exception& e) {
    return make_error(Code::internal, "sbom: the built-in CycloneDX " + std::string(version) +
                                          " schema does not load: " + e.what());
  }
  return schemas[i].get();
}

// valijson's context ["<root>", "[components]", "[3]", "[version]"] as
// $.components[3].version.
std::string json_path(const Context& context) {
  std::string out = "$";
  for (std::size_t i = 1; i < context.size(); ++i) {
    const std::string& part = context[i];
    std::string inner = part.size() >= 2 ? part.substr(1, part.size() - 2) : part;
    bool index = !inner.empty() && inner.find_first_not_of("0123456789") == std::string::npos;
    bool plain = !inner.empty() && inner.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
                                       std::string::npos;
    if (index) out += "[" + inner + "]";
    else if (plain) out += "." + inner;
    else out += "[" + json(inner).dump() + "]";
  }
  return out;
}

std::string sentence(std::string text) {
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

}  // namespace

const std::string& supported_spec_versions() {
  static const std::string kText = "1.4, 1.5 and 1.6";
  return kText;
}

bool is_supported_spec_version(std::string_view spec_version) {
  for (auto v : kVersions)
    if (v == spec_version) return true;
  return false;
}

Status check_cyclonedx_schema(const json& bom, std::string_view spec_version) {
  if (!is_supported_spec_version(spec_version))
    return make_error(Code::usage, "sbom: CycloneDX " + std::string(spec_version) + " has no built-in schema");
  FWSEAL_ASSIGN(const valijson::Schema* schema, schema_for(spec_version));
  valijson::Validator validator;
  ValidationResults results;
  const std::string what = "CycloneDX " + std::string(spec_version) + " schema: ";
  try {
    if (validator.validate(*schema, valijson::adapters::NlohmannJsonAdapter(bom), &results)) return ok_status();
  } catch (const std::exception& e) {
    return make_error(Code::malformed, "sbom: $: " + what + "cannot be checked: " + e.what());
  }
  // valijson reports the innermost error of a branch first, then the
  // enclosing ones ("Failed to validate item #3 in array"): the first is the
  // one that says what is wrong.
  ValidationResults::Error first;
  if (!results.popError(first)) return make_error(Code::malformed, "sbom: $: " + what + "invalid");
  return make_error(Code::malformed, "sbom: " + json_path(first.context) + ": " + what + sentence(first.description));
}

}  // namespace fwseal::sbom
