// End-to-end: m-of-n per role with mixed algorithms ("2 of these 3 release
// keys, plus 1 of these security-officer keys"), with keys in SoftHSM2.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <map>

#include "support/workspace.h"

namespace fwseal::test {
namespace {

using ::testing::HasSubstr;

class Roles : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ws_ = new Workspace("roles");
    ws_->keygen("rel-1", "ed25519");
    ws_->keygen("rel-2", "ecdsa-p256");
    ws_->keygen("rel-3", "ecdsa-p384");
    ws_->keygen("so-1", "ecdsa-p256");
    ws_->keygen("so-2", "ed25519");
    unsigned_ = ws_->path("unsigned.fwpkg");
    auto p = ws_->fwseal({"package", "--spec", ws_->write_spec(), "-o", unsigned_});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    policy_ = write_trust("trust.json", R"(,"revoked_key_ids":[])");
  }
  static void TearDownTestSuite() { delete ws_; }

  static nlohmann::json key(const std::string& object) {
    return {{"name", object}, {"public_key", read_bytes(ws_->path(object + ".pub.pem"))}};
  }
  static std::string write_trust(const std::string& name, const std::string& extra_members) {
    nlohmann::json roles = nlohmann::json::array();
    roles.push_back({{"name", "release"}, {"keys", {key("rel-1"), key("rel-2"), key("rel-3")}}, {"threshold", 2}});
    roles.push_back({{"name", "security-officer"}, {"keys", {key("so-1"), key("so-2")}}, {"threshold", 1}});
    std::string text = nlohmann::json{{"format", "fwseal-trust"}, {"format_version", 2}, {"roles", roles}}.dump(2);
    text.insert(text.rfind('}'), extra_members);
    write_bytes(ws_->path(name), text);
    return ws_->path(name);
  }
  static std::string signed_by(const std::vector<std::string>& keys) {
    std::string name;
    for (const auto& k : keys) name += k + "_";
    std::string pkg = ws_->path(name + ".fwpkg");
    write_bytes(pkg, read_bytes(unsigned_));
    for (const auto& k : keys) {
      auto s = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri(k), "--quiet"});
      EXPECT_EQ(s.exit_code, 0) << s.err;
    }
    return pkg;
  }
  // The key id `fwseal hsm list --json` shows for a key, and its short form in messages.
  static std::string key_id(const std::string& object) {
    auto r = ws_->fwseal({"hsm", "list", "--token", "roles", "--json"});
    const auto listed = nlohmann::json::parse(r.out);
    for (const auto& k : listed["keys"])
      if (k["label"] == object && k["key_id"].is_string()) return k["key_id"];
    return "?";
  }
  static std::string id_prefix(const std::string& object) { return key_id(object).substr(0, 16) + "…"; }

  static Workspace* ws_;
  static std::string unsigned_;
  static std::string policy_;
};
Workspace* Roles::ws_ = nullptr;
std::string Roles::unsigned_;
std::string Roles::policy_;

TEST_F(Roles, TwoReleaseKeysAndOneOfficer) {
  auto r = ws_->verify({signed_by({"rel-1", "rel-3", "so-2"}), "--trust", policy_, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["signatures_valid"], 3);
  EXPECT_EQ(j["signatures_required"], 3);
  std::map<std::string, std::string> counted;  // key name -> role; envelopes come in key-id order
  for (const auto& sig : j["signatures"]) {
    counted[sig["key_name"]] = sig["counted_for"];
    EXPECT_EQ(sig["chain"], nullptr);
  }
  EXPECT_EQ(counted, (std::map<std::string, std::string>{
                         {"rel-1", "role release"}, {"rel-3", "role release"}, {"so-2", "role security-officer"}}));
  // All three release keys and both officers: more than enough.
  EXPECT_EQ(ws_->verify({signed_by({"rel-1", "rel-2", "rel-3", "so-1", "so-2"}), "--trust", policy_}).exit_code, 0);
}

TEST_F(Roles, MissingReleaseSignature) {
  auto r = ws_->verify({signed_by({"rel-2", "so-1"}), "--trust", policy_});
  EXPECT_EQ(r.exit_code, 13);
  EXPECT_THAT(r.err, HasSubstr("role release: 1 of 2 required signatures: key " + id_prefix("so-1") +
                               " (so-1) counts for role security-officer (1 more valid signature by keys of role "
                               "release is needed)"));
}

TEST_F(Roles, MissingOfficerSignature) {
  auto r = ws_->verify({signed_by({"rel-1", "rel-2", "rel-3"}), "--trust", policy_});
  EXPECT_EQ(r.exit_code, 13);
  EXPECT_THAT(r.err, HasSubstr("role security-officer: 0 of 1 required signatures: key "));
  EXPECT_THAT(r.err, HasSubstr("key " + id_prefix("rel-1") + " (rel-1) counts for role release"));
}

TEST_F(Roles, RevokedReleaseKeyDoesNotCount) {
  const std::string id = key_id("rel-2");
  const std::string revoked = write_trust("trust-revoked.json", R"(,"revoked_key_ids":[")" + id + R"("])");
  auto r = ws_->verify({signed_by({"rel-1", "rel-2", "so-1"}), "--trust", revoked});
  EXPECT_EQ(r.exit_code, 13);
  EXPECT_THAT(r.err, HasSubstr("role release: 1 of 2 required signatures: key "));
  EXPECT_THAT(r.err, HasSubstr("key " + id.substr(0, 16) + "… (rel-2) is revoked by trust.json (revoked_key_ids)"));
}

TEST_F(Roles, OneKeyInTwoRolesIsRefusedInTrustJson) {
  nlohmann::json roles = nlohmann::json::array();
  roles.push_back({{"name", "release"}, {"keys", {key("rel-1"), key("so-1")}}});
  roles.push_back({{"name", "security-officer"}, {"keys", {key("so-1")}}});
  write_bytes(ws_->path("two-roles.json"),
            nlohmann::json{{"format", "fwseal-trust"}, {"format_version", 2}, {"roles", roles}}.dump());
  auto r = ws_->verify({signed_by({"rel-1", "so-1"}), "--trust", ws_->path("two-roles.json")});
  EXPECT_EQ(r.exit_code, 10);
  EXPECT_THAT(r.err, HasSubstr("trust.roles[1].keys[0].public_key: the same key as trust.roles[0].keys[1]: a key "
                               "belongs to one role only"));
}

TEST_F(Roles, VersionOneVerifierWouldRefuseByVersion) {
  // Roles need format version 2: a file that says 1 is refused by its version.
  std::string text = read_bytes(policy_);
  text.replace(text.find("\"format_version\": 2"), 19, "\"format_version\": 1");
  write_bytes(ws_->path("v1-roles.json"), text);
  auto r = ws_->verify({signed_by({"rel-1", "rel-2", "so-1"}), "--trust", ws_->path("v1-roles.json")});
  EXPECT_EQ(r.exit_code, 10);
  EXPECT_THAT(r.err, HasSubstr("trust.roles: needs \"format_version\": 2 (this file says 1)"));
}

}  // namespace
}  // namespace fwseal::test
