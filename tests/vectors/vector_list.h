// tests/vectors/vectors.json as C++ values, for vectors_test and hostile_test.
#pragma once

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace fwseal::test {

struct ConformanceVector {
  std::string id, file, rule, description, trust;
  std::vector<std::string> args;
  int exit_code = -1;
  std::string message;

  std::string path() const { return std::string(FWSEAL_SOURCE_DIR) + "/tests/vectors/" + file; }
  std::string trust_path() const { return std::string(FWSEAL_SOURCE_DIR) + "/tests/vectors/" + trust; }
};

inline std::string vectors_dir() { return std::string(FWSEAL_SOURCE_DIR) + "/tests/vectors"; }

inline std::vector<ConformanceVector> load_vectors() {
  std::ifstream in(vectors_dir() + "/vectors.json");
  if (!in) throw std::runtime_error("cannot read tests/vectors/vectors.json");
  nlohmann::json doc = nlohmann::json::parse(in);
  std::vector<ConformanceVector> out;
  for (const auto& j : doc.at("vectors")) {
    ConformanceVector v;
    v.id = j.at("id").get<std::string>();
    v.file = j.at("file").get<std::string>();
    v.rule = j.at("rule").get<std::string>();
    v.description = j.at("description").get<std::string>();
    v.trust = j.at("trust").get<std::string>();
    v.args = j.at("args").get<std::vector<std::string>>();
    // A key file an argument names (--decrypt-key) is relative to tests/vectors/.
    for (std::size_t i = 1; i < v.args.size(); ++i)
      if (v.args[i - 1] == "--decrypt-key") v.args[i] = vectors_dir() + "/" + v.args[i];
    v.exit_code = j.at("exit_code").get<int>();
    v.message = j.at("message").get<std::string>();
    out.push_back(std::move(v));
  }
  return out;
}

// For INSTANTIATE_TEST_SUITE_P: never throws (a missing file gives no
// parameters, and a separate test fails on that).
inline std::vector<ConformanceVector> vectors_or_none() {
  try {
    return load_vectors();
  } catch (const std::exception&) {
    return {};
  }
}

inline const ConformanceVector& find_vector(const std::vector<ConformanceVector>& all, const std::string& id) {
  for (const auto& v : all)
    if (v.id == id) return v;
  throw std::runtime_error("no vector " + id + " in tests/vectors/vectors.json");
}

// gtest parameter names: letters, digits and '_' only.
inline std::string test_name(const ConformanceVector& v) {
  std::string out = v.id;
  for (auto& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return out;
}

}  // namespace fwseal::test
