// The conformance vectors of tests/vectors/ (invariant 8): fwseal-verify gives
// each its expected exit code and message, from a file and from a pipe; every
// rule of docs/FORMAT.md has at least one vector; the files on disk,
// vectors.json and FORMAT.md's rule/vector table agree.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "support/run.h"
#include "vectors/vector_list.h"

namespace fwseal::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> verify_argv(const ConformanceVector& v, const std::string& package) {
  std::vector<std::string> argv = {bin("fwseal-verify"), package, "--trust", v.trust_path()};
  argv.insert(argv.end(), v.args.begin(), v.args.end());
  return argv;
}

// The rule an expected or given message starts with ("R2" of "R2: ..."), or "".
std::string rule_of(const std::string& message) {
  std::smatch m;
  return std::regex_search(message, m, std::regex("^([RT][1-9][0-9]*): ")) ? m[1].str() : std::string();
}

// Valid: the summary on stdout, nothing on stderr. Invalid: nothing on stdout
// and one line on stderr, exactly "fwseal-verify: " and a message that starts
// with the rule that refuses the package ("R2: ") and with the expected message.
void expect_outcome(const ConformanceVector& v, const RunResult& r) {
  EXPECT_EQ(r.exit_code, v.exit_code) << v.description << "\nstderr: " << r.err;
  if (v.exit_code == 0) {
    EXPECT_NE(r.out.find(v.message), std::string::npos) << "stdout: " << r.out << "\nexpected: " << v.message;
    EXPECT_EQ(r.err, "");
    return;
  }
  EXPECT_EQ(r.out, "");
  const std::string prefix = "fwseal-verify: ";
  ASSERT_TRUE(r.err.starts_with(prefix)) << r.err;
  ASSERT_TRUE(r.err.ends_with("\n")) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  const std::string message = r.err.substr(prefix.size(), r.err.size() - prefix.size() - 1);
  const std::string rule = rule_of(message);
  EXPECT_FALSE(rule.empty()) << "the message does not start with its rule: " << message;
  // The vector's rule, but for R25 (the order of the decision) the rule that refuses first.
  if (v.rule == "R25")
    EXPECT_NE(rule, "R25") << message;
  else
    EXPECT_EQ(rule, v.rule) << message;
  if (v.trust.starts_with("trust-invalid/")) {
    // A trust file's refusal names the file as given: "T5: DIR/trust-invalid/ID.json: trust.keys[0]…".
    const std::string head = rule + ": " + v.trust_path() + ": ";
    EXPECT_TRUE(message.starts_with(head)) << "stderr: " << r.err << "expected: " << head;
    EXPECT_NE(message.find(v.message.substr(rule.size() + 2)), std::string::npos)
        << "stderr: " << r.err << "expected: " << v.message;
    return;
  }
  EXPECT_TRUE(message.starts_with(v.message)) << "stderr: " << r.err << "expected: " << v.message;
}

std::string param_name(const testing::TestParamInfo<ConformanceVector>& p) { return test_name(p.param); }

class Vector : public testing::TestWithParam<ConformanceVector> {};

TEST_P(Vector, FwsealVerifyFromAFile) {
  const ConformanceVector& v = GetParam();
  expect_outcome(v, run(verify_argv(v, v.path())));
}

INSTANTIATE_TEST_SUITE_P(All, Vector, testing::ValuesIn(vectors_or_none()), param_name);

// `fwseal-verify -` reading a pipe: the valid vectors and those about the
// shape of the stream (padding, entries, the end, limits).
std::vector<ConformanceVector> stream_vectors() {
  std::vector<ConformanceVector> out;
  for (const auto& v : vectors_or_none())
    if (v.rule == "valid" || v.rule == "R2" || v.rule == "R3" || v.rule == "R4" || v.rule == "R5") out.push_back(v);
  return out;
}

class FromAPipe : public testing::TestWithParam<ConformanceVector> {};

TEST_P(FromAPipe, FwsealVerifyDash) {
  const ConformanceVector& v = GetParam();
  std::vector<std::string> argv = {"/bin/sh", "-c", "cat \"$0\" | \"$@\"", v.path()};
  for (const auto& arg : verify_argv(v, "-")) argv.push_back(arg);
  expect_outcome(v, run(argv));
}

INSTANTIATE_TEST_SUITE_P(Stream, FromAPipe, testing::ValuesIn(stream_vectors()), param_name);

TEST(VectorList, IsThere) {
  auto all = load_vectors();
  std::size_t invalid = 0;
  for (const auto& v : all) invalid += v.exit_code != 0;
  EXPECT_GE(invalid, 40u);
  EXPECT_EQ(stream_vectors().empty(), false);
}

TEST(VectorList, FilesAndListAgree) {
  std::set<std::string> on_disk, listed, ids;
  for (const char* dir : {"valid", "invalid", "trust-valid", "trust-invalid"})
    for (const auto& f : fs::directory_iterator(vectors_dir() + "/" + dir))
      on_disk.insert(std::string(dir) + "/" + f.path().filename().string());
  for (const auto& v : load_vectors()) {
    SCOPED_TRACE(v.id);
    EXPECT_TRUE(ids.insert(v.id).second) << "duplicate id";
    listed.insert(v.file);
    if (v.trust.starts_with("trust-valid/") || v.trust.starts_with("trust-invalid/")) {
      listed.insert(v.trust);
      // A trust-file vector: only the trust file is at fault, named after the vector.
      EXPECT_TRUE(v.file.starts_with("valid/")) << v.file;
      EXPECT_EQ(v.trust, (v.exit_code == 0 ? "trust-valid/" : "trust-invalid/") + v.id + ".json");
      EXPECT_EQ(v.rule.front(), v.exit_code == 0 ? 'v' : 'T');
      if (v.exit_code != 0) {
        EXPECT_EQ(rule_of(v.message), v.rule) << v.message;
      }
      continue;
    }
    EXPECT_TRUE(fs::is_regular_file(v.trust_path())) << v.trust;
    EXPECT_FALSE(v.message.empty());
    EXPECT_FALSE(v.description.empty());
    // A refusal's message starts with the rule that refuses the package.
    if (v.exit_code != 0) {
      if (v.rule == "R25")
        EXPECT_TRUE(rule_of(v.message) != "" && rule_of(v.message) != "R25") << v.message;
      else
        EXPECT_EQ(rule_of(v.message), v.rule) << v.message;
    }
    // invalid/ holds only packages that are refused; valid/ only ones that are
    // accepted unless the device arguments or trust file say otherwise.
    if (v.file.starts_with("invalid/")) {
      EXPECT_TRUE((v.exit_code >= 10 && v.exit_code <= 15) || v.exit_code == 17) << v.exit_code;  // 17: R27
      EXPECT_EQ(v.file, "invalid/" + v.id + ".fwpkg");
    } else {
      ASSERT_TRUE(v.file.starts_with("valid/"));
      EXPECT_TRUE(v.exit_code == 0 || v.trust != "trust.json" || !v.args.empty()) << v.file;
    }
  }
  EXPECT_EQ(on_disk, listed);
}

TEST(VectorList, AValidPackageForEveryAlgorithm) {
  auto all = load_vectors();
  for (const char* alg : {"ecdsa-p256", "ecdsa-p384", "ed25519", "rsa-pss-3072", "rsa-pss-4096"}) {
    const auto& v = find_vector(all, alg);
    EXPECT_EQ(v.file, std::string("valid/") + alg + ".fwpkg");
    EXPECT_EQ(v.exit_code, 0);
  }
}

// The rules of docs/FORMAT.md ("**R7**", "**T5**") and the exit code each
// one's failure gives: R1-R16 and R23-R24 are structure (10); R17-R22 are the
// decision; R25 (version 2's order) is the decision's code before a
// structural fault; a bad trust file (T1-T10) is 10.
std::set<std::string> format_md_rules() {
  const std::string text = read_bytes(source_dir() + "/docs/FORMAT.md");
  std::set<std::string> rules;
  std::regex bold(R"(\*\*([RT][0-9]+)\*\*)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), bold); it != std::sregex_iterator(); ++it)
    rules.insert((*it)[1].str());
  return rules;
}

TEST(VectorList, EveryRuleOfFormatMdHasAnInvalidVector) {
  const std::set<std::string> rules = format_md_rules();
  ASSERT_GE(rules.size(), 35u);
  std::map<std::string, int> count;
  for (const auto& v : load_vectors()) {
    if (v.rule == "valid") continue;
    EXPECT_TRUE(rules.count(v.rule)) << v.id << " names " << v.rule << ", which docs/FORMAT.md does not define";
    ++count[v.rule];
  }
  for (const auto& rule : rules) EXPECT_GE(count[rule], 1) << rule << " has no vector";
}

TEST(VectorList, ExitCodesFollowTheRules) {
  const std::map<std::string, int> decision = {{"R17", 12}, {"R18", 13}, {"R19", 11}, {"R20", 14}, {"R21", 15}, {"R22", 12},
                                                {"R27", 17}, {"R28", 11}};
  for (const auto& v : load_vectors()) {
    if (v.rule == "valid") continue;
    if (v.rule == "R25") {  // the decision's code wins over a later structural fault
      EXPECT_TRUE(v.exit_code == 10 || v.exit_code == 13 || v.exit_code == 14 || v.exit_code == 15) << v.id;
      continue;
    }
    if (v.rule.front() == 'T') {
      EXPECT_EQ(v.exit_code, 10) << v.id;
      continue;
    }
    auto it = decision.find(v.rule);
    EXPECT_EQ(v.exit_code, it == decision.end() ? 10 : it->second) << v.id;
  }
}

// FORMAT.md ends with a table "| R2 | 10 | `id`, `id` |" written by the
// generator; it must list exactly the vectors of vectors.json.
TEST(VectorList, FormatMdTableMatches) {
  const std::string text = read_bytes(source_dir() + "/docs/FORMAT.md");
  const auto begin = text.find("<!-- vectors:begin");
  const auto end = text.find("<!-- vectors:end -->");
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  std::map<std::string, std::set<std::string>> table, json;
  std::regex row(R"(^\| (valid|[RT][0-9]+) \| [0-9, ]+ \| (.*) \|$)");
  std::regex id("`([a-z0-9-]+)`");
  std::istringstream lines(text.substr(begin, end - begin));
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    const std::string ids = m[2].str();
    for (auto it = std::sregex_iterator(ids.begin(), ids.end(), id); it != std::sregex_iterator(); ++it)
      table[m[1].str()].insert((*it)[1].str());
  }
  for (const auto& v : load_vectors()) json[v.rule].insert(v.id);
  EXPECT_EQ(table, json) << "run tests/vectors/generate.sh";
}

TEST(VectorList, SmallEnough) {
  std::uintmax_t bytes = 0;
  for (const auto& f : fs::recursive_directory_iterator(vectors_dir()))
    if (f.is_regular_file()) bytes += f.file_size();
  EXPECT_LT(bytes, 4u << 20);  // the largest file is the 1 MiB + 1 trust file of T4
}

}  // namespace
}  // namespace fwseal::test
