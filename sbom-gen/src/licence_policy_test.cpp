#include "fwseal/sbom/licence_policy.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace fwseal::sbom {
namespace {

using nlohmann::json;
using Ids = std::vector<std::string>;

constexpr const char* kPolicy = R"(// the test policy
{
  "allow": ["MIT", "bsd-3-clause", "Apache-2.0", "GPL-2.0", "GPL-2.0-or-later", "LGPL-2.1-only",
            "GPL-3.0-only", "LGPL-3.0-or-later", "MPL-1.1+", "LicenseRef-Acme-Proprietary"],
  "deny": ["AGPL-3.0-only", "SSPL-1.0"],
  "signed_boot": true
})";

LicencePolicy policy(bool signed_boot = true) {
  auto p = parse_licence_policy(kPolicy, "licences.json");
  EXPECT_TRUE(p.ok()) << p.error().message;
  p->signed_boot = signed_boot;
  return *p;
}

json component(const std::string& name, const json& licenses) {
  json c = {{"type", "library"}, {"name", name}, {"version", "1.0"}};
  if (!licenses.is_null()) c["licenses"] = licenses;
  return c;
}

std::string bom(const std::vector<json>& components) {
  return json{{"bomFormat", "CycloneDX"}, {"specVersion", "1.6"}, {"components", components}}.dump();
}

ComponentLicence judge_licences(const json& licenses, bool signed_boot = true) {
  auto check = check_licences(bom({component("c", licenses)}), policy(signed_boot));
  EXPECT_TRUE(check.ok()) << check.error().message;
  EXPECT_EQ(check->components.size(), 1u);
  return check->components.at(0);
}

ComponentLicence judge(const std::string& expression, bool signed_boot = true) {
  return judge_licences(json::array({{{"expression", expression}}}), signed_boot);
}

TEST(LicencePolicyFile, ReadsIdsInTheirSpdxSpelling) {
  LicencePolicy p = policy();
  EXPECT_EQ(p.allow, (Ids{"MIT", "BSD-3-Clause", "Apache-2.0", "GPL-2.0-only", "GPL-2.0-or-later", "LGPL-2.1-only",
                          "GPL-3.0-only", "LGPL-3.0-or-later", "MPL-1.1+", "LicenseRef-Acme-Proprietary"}));
  EXPECT_EQ(p.deny, (Ids{"AGPL-3.0-only", "SSPL-1.0"}));
  EXPECT_TRUE(p.signed_boot);
  auto minimal = parse_licence_policy(R"({"allow": ["MIT"]})", "p.json");
  ASSERT_TRUE(minimal.ok()) << minimal.error().message;
  EXPECT_TRUE(minimal->deny.empty());
  EXPECT_FALSE(minimal->signed_boot);
}

TEST(LicencePolicyFile, EveryMistakeIsOneLineNamingFileMemberAndId) {
  auto error = [](const std::string& text) {
    auto p = parse_licence_policy(text, "licences.json");
    EXPECT_FALSE(p.ok()) << text;
    EXPECT_EQ(p.ok() ? Code::ok : p.error().code, Code::malformed) << text;
    return p.ok() ? std::string() : p.error().message;
  };
  EXPECT_EQ(error(R"({"allow": ["MIT", "Foo-1.0"]})"),
            "licences.json: policy.allow[1]: unknown SPDX licence id \"Foo-1.0\" (a licence without an SPDX id is "
            "written LicenseRef-NAME)");
  EXPECT_EQ(error(R"({"allow": ["MIT"], "deny": ["GPL-4.0-only"]})"),
            "licences.json: policy.deny[0]: unknown SPDX licence id \"GPL-4.0-only\" (a licence without an SPDX id is "
            "written LicenseRef-NAME)");
  EXPECT_EQ(error(R"({"allow": ["MIT"], "signedboot": true})"), "licences.json: policy.signedboot: unknown member");
  EXPECT_EQ(error(R"({"allow": ["MIT OR Zlib"]})"),
            "licences.json: policy.allow[0]: \"MIT OR Zlib\" is not one licence id (write each id of an expression on "
            "its own)");
  EXPECT_EQ(error(R"({"allow": ["GPL-2.0-only WITH Linux-syscall-note"]})"),
            "licences.json: policy.allow[0]: \"GPL-2.0-only WITH Linux-syscall-note\" is not one licence id (write "
            "each id of an expression on its own)");
  EXPECT_EQ(error(R"({"allow": ["MIT", "GPL-2.0-only"], "deny": ["GPL-2.0"]})"),
            "licences.json: policy.deny[0]: \"GPL-2.0\" is GPL-2.0-only, already at policy.allow[1]");
  EXPECT_EQ(error(R"({"allow": ["mit", "MIT"]})"), "licences.json: policy.allow[1]: \"MIT\" is MIT, already at policy.allow[0]");
  EXPECT_EQ(error(R"({"allow": []})"), "licences.json: policy.allow: allows nothing (name at least one licence)");
  EXPECT_EQ(error(R"({"deny": ["MIT"]})"), "licences.json: policy.allow: missing");
  EXPECT_EQ(error(R"({"allow": [7]})"), "licences.json: policy.allow[0]: expected a licence id (string)");
  EXPECT_EQ(error(R"({"allow": ["MIT"], "signed_boot": "yes"})"), "licences.json: policy.signed_boot: expected true or false");
  EXPECT_EQ(error("[]"), "licences.json: policy: expected a JSON object");
}

TEST(LicencePolicyFile, LoadNamesAFileOfAnotherKind) {
  testing::TempDir d;
  const std::string sbom_path = d.write("sbom.cdx.json", bom({}));
  auto p = load_licence_policy(sbom_path);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, Code::malformed);
  EXPECT_EQ(p.error().message, "\"" + sbom_path + "\" is a CycloneDX SBOM, not a licence policy");
  auto missing = load_licence_policy(d.path() + "/missing.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Code::io);
  auto ok = load_licence_policy(d.write("licences.json", kPolicy));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->deny, (Ids{"AGPL-3.0-only", "SSPL-1.0"}));
}

TEST(LicencePolicy, AndNeedsEveryPartAllowed) {
  auto both = judge("MIT AND Apache-2.0");
  EXPECT_EQ(both.verdict, LicenceVerdict::allowed);
  EXPECT_EQ(both.chosen, (Ids{"MIT", "Apache-2.0"}));
  EXPECT_EQ(both.reason, "");

  auto unlisted = judge("MIT AND Zlib");
  EXPECT_EQ(unlisted.verdict, LicenceVerdict::not_allowed);
  EXPECT_EQ(unlisted.not_allowed, Ids{"Zlib"});
  EXPECT_EQ(unlisted.reason, "Zlib is neither allowed nor denied");

  auto denied = judge("MIT AND AGPL-3.0-only AND Zlib");
  EXPECT_EQ(denied.verdict, LicenceVerdict::denied);
  EXPECT_EQ(denied.denied, Ids{"AGPL-3.0-only"});
  EXPECT_EQ(denied.reason, "AGPL-3.0-only is denied; Zlib is neither allowed nor denied");
}

TEST(LicencePolicy, OrNeedsOnePartAllowed) {
  auto one = judge("Zlib OR MIT");
  EXPECT_EQ(one.verdict, LicenceVerdict::allowed);
  EXPECT_EQ(one.chosen, Ids{"MIT"});
  EXPECT_EQ(judge("AGPL-3.0-only OR BSD-3-Clause").verdict, LicenceVerdict::allowed);

  auto all_denied = judge("AGPL-3.0-only OR SSPL-1.0");
  EXPECT_EQ(all_denied.verdict, LicenceVerdict::denied);
  EXPECT_EQ(all_denied.denied, (Ids{"AGPL-3.0-only", "SSPL-1.0"}));
  EXPECT_EQ(all_denied.reason, "AGPL-3.0-only and SSPL-1.0 are denied");

  // Allowing Zlib would make it pass: not allowed, and the denial is named too.
  auto none = judge("AGPL-3.0-only OR Zlib");
  EXPECT_EQ(none.verdict, LicenceVerdict::not_allowed);
  EXPECT_EQ(none.reason, "Zlib is neither allowed nor denied; AGPL-3.0-only is denied");
}

TEST(LicencePolicy, ParenthesesAndPrecedence) {
  auto nested = judge("MIT AND (Zlib OR BSD-3-Clause)");
  EXPECT_EQ(nested.verdict, LicenceVerdict::allowed);
  EXPECT_EQ(nested.chosen, (Ids{"MIT", "BSD-3-Clause"}));

  auto alternative = judge("(MIT AND Zlib) OR Apache-2.0");
  EXPECT_EQ(alternative.verdict, LicenceVerdict::allowed);
  EXPECT_EQ(alternative.chosen, Ids{"Apache-2.0"});

  auto neither = judge("(MIT AND Zlib) OR (AGPL-3.0-only AND Apache-2.0)");
  EXPECT_EQ(neither.verdict, LicenceVerdict::not_allowed);
  EXPECT_EQ(neither.not_allowed, Ids{"Zlib"});
  EXPECT_EQ(neither.denied, Ids{"AGPL-3.0-only"});

  // AND binds tighter than OR: MIT OR (Zlib AND AGPL-3.0-only).
  EXPECT_EQ(judge("MIT OR Zlib AND AGPL-3.0-only").verdict, LicenceVerdict::allowed);
  // ... and parentheses change that.
  EXPECT_EQ(judge("(MIT OR Zlib) AND AGPL-3.0-only").verdict, LicenceVerdict::denied);
}

TEST(LicencePolicy, WithIsJudgedByItsLicence) {
  auto kernel = judge("GPL-2.0-only WITH Linux-syscall-note");
  EXPECT_EQ(kernel.verdict, LicenceVerdict::allowed);
  EXPECT_EQ(kernel.chosen, Ids{"GPL-2.0-only WITH Linux-syscall-note"});
  EXPECT_EQ(kernel.source_offer, Ids{"GPL-2.0-only"});
  auto unlisted = judge("Zlib WITH Classpath-exception-2.0");
  EXPECT_EQ(unlisted.verdict, LicenceVerdict::not_allowed);
  EXPECT_EQ(unlisted.not_allowed, Ids{"Zlib"});
  // The exception does not lift GPLv3's installation information.
  auto runtime = judge("GPL-3.0-only WITH GCC-exception-3.1");
  EXPECT_EQ(runtime.verdict, LicenceVerdict::conflict);
  EXPECT_EQ(runtime.conflicts, Ids{"GPL-3.0-only"});
}

TEST(LicencePolicy, OrLaterIsJudgedAsWritten) {
  EXPECT_EQ(judge("GPL-2.0-or-later").verdict, LicenceVerdict::allowed);
  EXPECT_EQ(judge("GPL-2.0+").verdict, LicenceVerdict::allowed);  // the deprecated spelling of the same licence
  EXPECT_EQ(judge("GPL-2.0").verdict, LicenceVerdict::allowed);   // GPL-2.0-only
  // Only LGPL-2.1-only is allowed: -or-later is another licence.
  auto later = judge("LGPL-2.1-or-later");
  EXPECT_EQ(later.verdict, LicenceVerdict::not_allowed);
  EXPECT_EQ(later.not_allowed, Ids{"LGPL-2.1-or-later"});
  EXPECT_EQ(judge("LGPL-2.1+").not_allowed, Ids{"LGPL-2.1-or-later"});
  EXPECT_EQ(judge("MPL-1.1+").verdict, LicenceVerdict::allowed);
  EXPECT_EQ(judge("MPL-1.1").verdict, LicenceVerdict::not_allowed);
  // GPL-2.0-or-later is judged as GPLv2, which has no installation-information clause.
  auto v2 = judge("GPL-2.0-or-later");
  EXPECT_TRUE(v2.conflicts.empty());
  EXPECT_EQ(v2.source_offer, Ids{"GPL-2.0-or-later"});
  // Only the -only GPLv3 is allowed; "GPL-3.0-or-later" is not.
  EXPECT_EQ(judge("GPL-3.0-or-later").verdict, LicenceVerdict::not_allowed);
}

TEST(LicencePolicy, UnknownFailsClosed) {
  auto none = judge_licences(nullptr);
  EXPECT_EQ(none.verdict, LicenceVerdict::unknown);
  EXPECT_EQ(none.reason, "the SBOM states no licence");
  EXPECT_EQ(judge_licences(json::array()).verdict, LicenceVerdict::unknown);

  auto noassertion = judge("NOASSERTION");
  EXPECT_EQ(noassertion.verdict, LicenceVerdict::unknown);
  EXPECT_EQ(noassertion.reason, "NOASSERTION states no licence");
  EXPECT_EQ(judge("NONE").verdict, LicenceVerdict::unknown);
  EXPECT_EQ(judge_licences(json::parse(R"([{"license": {"name": "NOASSERTION"}}])")).verdict, LicenceVerdict::unknown);

  auto name = judge_licences(json::parse(R"([{"license": {"name": "Acme Public Licence"}}])"));
  EXPECT_EQ(name.verdict, LicenceVerdict::unknown);
  EXPECT_EQ(name.licence, "Acme Public Licence");
  EXPECT_EQ(name.reason, "\"Acme Public Licence\" is a licence name, not an SPDX id or expression");
  // A name that is an SPDX id is judged as one.
  EXPECT_EQ(judge_licences(json::parse(R"([{"license": {"name": "MIT"}}])")).verdict, LicenceVerdict::allowed);

  // Several entries all apply: one unknown makes the component unknown.
  auto mixed = judge_licences(json::parse(R"([{"license": {"id": "MIT"}}, {"license": {"name": "Acme terms"}}])"));
  EXPECT_EQ(mixed.verdict, LicenceVerdict::unknown);
  EXPECT_EQ(mixed.licence, "MIT AND Acme terms");
  auto two = judge_licences(json::parse(R"([{"license": {"id": "MIT"}}, {"license": {"id": "Zlib"}}])"));
  EXPECT_EQ(two.verdict, LicenceVerdict::not_allowed);
  EXPECT_EQ(two.not_allowed, Ids{"Zlib"});
}

TEST(LicencePolicy, GplV3ConflictsWithSignedBootOnly) {
  auto v3 = judge("GPL-3.0-only");
  EXPECT_EQ(v3.verdict, LicenceVerdict::conflict);
  EXPECT_EQ(v3.reason, "GPL-3.0-only conflicts with signed_boot (installation information, GPLv3 section 6)");
  EXPECT_EQ(judge("LGPL-3.0-or-later").verdict, LicenceVerdict::conflict);
  // Without signed boot the same licences pass, with a source offer.
  auto unsigned_v3 = judge("GPL-3.0-only", false);
  EXPECT_EQ(unsigned_v3.verdict, LicenceVerdict::allowed);
  EXPECT_EQ(unsigned_v3.source_offer, Ids{"GPL-3.0-only"});
  EXPECT_EQ(judge("LGPL-3.0-or-later", false).verdict, LicenceVerdict::allowed);

  // OR takes the alternative without the conflict...
  auto dual = judge("GPL-3.0-only OR MIT");
  EXPECT_EQ(dual.verdict, LicenceVerdict::allowed);
  EXPECT_EQ(dual.chosen, Ids{"MIT"});
  EXPECT_TRUE(dual.source_offer.empty());
  auto v2 = judge("GPL-3.0-only OR GPL-2.0-only");
  EXPECT_EQ(v2.verdict, LicenceVerdict::allowed);
  EXPECT_EQ(v2.chosen, Ids{"GPL-2.0-only"});
  EXPECT_EQ(v2.source_offer, Ids{"GPL-2.0-only"});
  // ... AND forces it.
  auto forced = judge("MIT AND GPL-3.0-only");
  EXPECT_EQ(forced.verdict, LicenceVerdict::conflict);
  EXPECT_EQ(forced.conflicts, Ids{"GPL-3.0-only"});
  // With no allowed alternative free of it, the conflict stands, and the rest is named.
  auto stuck = judge("GPL-3.0-only OR Zlib");
  EXPECT_EQ(stuck.verdict, LicenceVerdict::conflict);
  EXPECT_EQ(stuck.reason,
            "GPL-3.0-only conflicts with signed_boot (installation information, GPLv3 section 6); Zlib is neither "
            "allowed nor denied");
  // A conflict is only reported for an allowed licence: an unlisted GPLv3 is not allowed.
  auto unlisted = judge("GPL-3.0-or-later");
  EXPECT_TRUE(unlisted.conflicts.empty());
}

TEST(LicencePolicy, SourceOfferForEveryGnuCopyleftLicenceChosen) {
  EXPECT_EQ(judge("GPL-2.0-only AND MIT").source_offer, Ids{"GPL-2.0-only"});
  EXPECT_EQ(judge("LGPL-2.1-only").source_offer, Ids{"LGPL-2.1-only"});
  EXPECT_EQ(judge("MIT AND LGPL-2.1-only AND GPL-2.0-or-later").source_offer,
            (Ids{"LGPL-2.1-only", "GPL-2.0-or-later"}));
  // An OR takes the alternative that needs no offer.
  auto dual = judge("GPL-2.0-only OR MIT");
  EXPECT_EQ(dual.chosen, Ids{"MIT"});
  EXPECT_TRUE(dual.source_offer.empty());
  EXPECT_TRUE(judge("MIT AND Apache-2.0").source_offer.empty());
  EXPECT_TRUE(judge("LicenseRef-Acme-Proprietary").source_offer.empty());
}

TEST(LicencePolicy, ImagesAreNotJudgedNestedComponentsAre) {
  json image = {{"type", "firmware"},
                {"name", "rootfs"},
                {"version", "1.0"},
                {"properties", json::array({{{"name", "fwseal:image-type"}, {"value", "rootfs"}}})}};
  json parent = component("busybox", json::parse(R"([{"license": {"id": "GPL-2.0-only"}}])"));
  parent["components"] = json::array({component("applet", json::parse(R"([{"expression": "AGPL-3.0-only"}])"))});
  auto check = check_licences(bom({image, parent}), policy());
  ASSERT_TRUE(check.ok()) << check.error().message;
  ASSERT_EQ(check->components.size(), 2u);
  EXPECT_EQ(check->components[0].name, "busybox");
  EXPECT_EQ(check->components[1].name, "applet");
  EXPECT_EQ(check->components[1].verdict, LicenceVerdict::denied);
  EXPECT_FALSE(check->pass());
}

TEST(LicencePolicy, ReportAsTextAndJson) {
  json unversioned = component("blob", nullptr);
  unversioned.erase("version");
  std::string sbom = bom({component("busybox", json::parse(R"([{"license": {"id": "GPL-2.0-only"}}])")),
                          component("gdbserver", json::parse(R"([{"expression": "GPL-3.0-only"}])")),
                          component("mongo", json::parse(R"([{"expression": "SSPL-1.0 OR Zlib"}])")),
                          component("zlib", json::parse(R"([{"license": {"id": "Zlib"}}])")), unversioned,
                          component("bad\x1b[0m", json::parse(R"([{"expression": "AGPL-3.0-only"}])")),
                          component("openssl", json::parse(R"([{"license": {"id": "Apache-2.0"}}])"))});
  auto check = check_licences(sbom, policy());
  ASSERT_TRUE(check.ok()) << check.error().message;
  EXPECT_FALSE(check->pass());
  EXPECT_EQ(licence_check_to_text(*check),
            "conflict: gdbserver@1.0 (GPL-3.0-only): GPL-3.0-only conflicts with signed_boot (installation "
            "information, GPLv3 section 6)\n"
            "not allowed: mongo@1.0 (SSPL-1.0 OR Zlib): Zlib is neither allowed nor denied; SSPL-1.0 is denied\n"
            "not allowed: zlib@1.0 (Zlib): Zlib is neither allowed nor denied\n"
            "unknown: blob (no licence): the SBOM states no licence\n"
            "denied: bad?[0m@1.0 (AGPL-3.0-only): AGPL-3.0-only is denied\n"
            "source offer required: busybox@1.0 (GPL-2.0-only)\n"
            "source offer required: gdbserver@1.0 (GPL-3.0-only)\n"
            "source offer required: bad?[0m@1.0 (AGPL-3.0-only)\n"
            "licence policy: fail: 7 components: 2 allowed, 1 denied, 2 not allowed, 1 unknown, 1 in conflict with "
            "signed boot; 3 need a source offer\n");
  json j = json::parse(licence_check_to_json(*check));
  EXPECT_EQ(j["verdict"], "fail");
  EXPECT_EQ(j["signed_boot"], true);
  EXPECT_EQ(j["summary"], json::parse(R"({"components": 7, "allowed": 2, "denied": 1, "not_allowed": 2, "unknown": 1,
                                          "conflict": 1, "source_offer": 3})"));
  ASSERT_EQ(j["problems"].size(), 5u);
  EXPECT_EQ(j["problems"][0]["component"], "gdbserver@1.0");
  EXPECT_EQ(j["problems"][0]["verdict"], "conflict");
  EXPECT_EQ(j["problems"][0]["conflicts"], json::array({"GPL-3.0-only"}));
  EXPECT_EQ(j["problems"][1]["verdict"], "not_allowed");
  EXPECT_EQ(j["problems"][1]["denied"], json::array({"SSPL-1.0"}));
  EXPECT_EQ(j["problems"][1]["not_allowed"], json::array({"Zlib"}));
  EXPECT_EQ(j["problems"][3]["component"], "blob");
  EXPECT_EQ(j["problems"][3]["licence"], "");
  EXPECT_EQ(j["source_offer"][0], json::parse(R"({"component": "busybox@1.0", "name": "busybox", "version": "1.0",
                                                  "licence": "GPL-2.0-only", "licences": ["GPL-2.0-only"]})"));

  auto passing = check_licences(bom({component("openssl", json::parse(R"([{"license": {"id": "Apache-2.0"}}])"))}), policy());
  ASSERT_TRUE(passing.ok());
  EXPECT_TRUE(passing->pass());
  EXPECT_EQ(licence_check_to_text(*passing),
            "licence policy: pass: 1 components: 1 allowed, 0 denied, 0 not allowed, 0 unknown, 0 in conflict with "
            "signed boot; 0 need a source offer\n");
}

TEST(LicencePolicy, MalformedSbomIsMalformed) {
  auto bad = check_licences(R"({"bomFormat": "CycloneDX", "specVersion": "1.3"})", policy());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Code::malformed);
  auto bad_expression = check_licences(bom({component("x", json::parse(R"([{"expression": "MIT AND"}])"))}), policy());
  ASSERT_FALSE(bad_expression.ok());
  EXPECT_EQ(bad_expression.error().code, Code::malformed);
}

}  // namespace
}  // namespace fwseal::sbom
