#include "licence.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace fwseal::sbom {
namespace {

TEST(LicenceTable, MatchesCycloneDxSchema) {
  auto doc = nlohmann::json::parse(testing::read_text(std::string(FWSEAL_SOURCE_DIR) +
                                                      "/third_party/cyclonedx/spdx.schema.json"));
  std::vector<std::string> schema = doc["enum"].get<std::vector<std::string>>();
  std::sort(schema.begin(), schema.end());
  std::vector<std::string> ours(spdx_ids().begin(), spdx_ids().end());
  EXPECT_EQ(ours, schema) << "regenerate src/spdx_ids.inc with scripts/gen_spdx_ids.py";
}

TEST(Licence, CanonicalIdIgnoresCase) {
  EXPECT_EQ(canonical_spdx_id("bsd-3-clause"), "BSD-3-Clause");
  EXPECT_EQ(canonical_spdx_id("MIT"), "MIT");
  EXPECT_EQ(canonical_spdx_id("Expat"), "");
}

TEST(Licence, StrictExpressions) {
  auto one = parse_spdx_expression("mit", "x");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->ids, std::vector<std::string>{"MIT"});
  auto expr = parse_spdx_expression("GPL-2.0-only WITH Linux-syscall-note OR (MIT AND LicenseRef-acme-1)", "x");
  ASSERT_TRUE(expr.ok()) << expr.error().message;
  EXPECT_EQ(expr->expression, "GPL-2.0-only WITH Linux-syscall-note OR (MIT AND LicenseRef-acme-1)");
  EXPECT_EQ(parse_spdx_expression("MPL-1.1+", "x")->expression, "MPL-1.1+");
}

TEST(Licence, ExpressionTree) {
  using Kind = LicenceTerm::Kind;
  auto t = parse_spdx_tree("mit OR GPL-2.0+ AND (Zlib OR LicenseRef-acme-1) AND GPL-2.0-only WITH Linux-syscall-note", "x");
  ASSERT_TRUE(t.ok()) << t.error().message;
  ASSERT_EQ(t->kind, Kind::any_of);
  ASSERT_EQ(t->operands.size(), 2u);
  EXPECT_EQ(t->operands[0].kind, Kind::licence);
  EXPECT_EQ(t->operands[0].id, "MIT");
  const LicenceTerm& all = t->operands[1];
  ASSERT_EQ(all.kind, Kind::all_of);  // one node for the run of ANDs
  ASSERT_EQ(all.operands.size(), 3u);
  EXPECT_EQ(all.operands[0].id, "GPL-2.0-or-later");  // the deprecated "+" in its modern spelling
  ASSERT_EQ(all.operands[1].kind, Kind::any_of);
  EXPECT_EQ(all.operands[1].operands[0].id, "Zlib");
  EXPECT_EQ(all.operands[1].operands[1].id, "LicenseRef-acme-1");
  EXPECT_EQ(all.operands[2].id, "GPL-2.0-only");
  EXPECT_EQ(all.operands[2].exception, "Linux-syscall-note");
  // "+" stays where SPDX has no -or-later id; a deprecated bare GNU id is -only.
  EXPECT_EQ(parse_spdx_tree("MPL-1.1+", "x")->id, "MPL-1.1+");
  EXPECT_EQ(parse_spdx_tree("LGPL-2.1", "x")->id, "LGPL-2.1-only");
  // The same errors as parse_spdx_expression.
  EXPECT_EQ(parse_spdx_tree("MIT AND Foo-1.0", "comp.license").error().message,
            "comp.license: invalid SPDX licence expression: unknown licence id \"Foo-1.0\"");
  EXPECT_FALSE(parse_spdx_tree("(MIT", "x").ok());
  EXPECT_FALSE(parse_spdx_tree("", "x").ok());
}

TEST(Licence, StrictExpressionErrorsNameTheToken) {
  auto unknown = parse_spdx_expression("MIT AND Foo-1.0", "comp.license");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, Code::malformed);
  EXPECT_EQ(unknown.error().message, "comp.license: invalid SPDX licence expression: unknown licence id \"Foo-1.0\"");
  EXPECT_NE(parse_spdx_expression("MIT AND", "x").error().message.find("ends where a licence was expected"), std::string::npos);
  EXPECT_NE(parse_spdx_expression("(MIT", "x").error().message.find("missing )"), std::string::npos);
  EXPECT_NE(parse_spdx_expression("MIT or Apache-2.0", "x").error().message.find("unexpected \"or\""), std::string::npos);
  EXPECT_NE(parse_spdx_expression("GPL-2.0-only WITH Nope", "x").error().message.find("unknown exception"), std::string::npos);
  EXPECT_FALSE(parse_spdx_expression("", "x").ok());
  std::string deep(40, '(');
  EXPECT_NE(parse_spdx_expression(deep + "MIT", "x").error().message.find("nested deeper"), std::string::npos);
}

TEST(Licence, Dep5NamesMapOnlyWhenExact) {
  EXPECT_EQ(map_licence_term("GPL-2+", LicenceDialect::dep5), "GPL-2.0-or-later");
  EXPECT_EQ(map_licence_term("LGPL-2.1", LicenceDialect::dep5), "LGPL-2.1-only");
  EXPECT_EQ(map_licence_term("Expat", LicenceDialect::dep5), "MIT");
  EXPECT_EQ(map_licence_term("BSD-3-clause", LicenceDialect::dep5), "BSD-3-Clause");
  EXPECT_EQ(map_licence_term("GPL-2 or BSD-2-clause", LicenceDialect::dep5), "GPL-2.0-only OR BSD-2-Clause");
  EXPECT_EQ(map_licence_term("MIT and BSD-3-clause", LicenceDialect::dep5), "MIT AND BSD-3-Clause");
  // No guessing: ambiguous or unknown names do not map.
  EXPECT_EQ(map_licence_term("Artistic", LicenceDialect::dep5), "");
  EXPECT_EQ(map_licence_term("public-domain", LicenceDialect::dep5), "");
  EXPECT_EQ(map_licence_term("GPL-2+ with Autoconf-data exception", LicenceDialect::dep5), "");
  EXPECT_EQ(map_licence_term("Artistic or GPL-1+", LicenceDialect::dep5), "");
  // An SPDX exception id gives WITH.
  EXPECT_EQ(map_licence_term("GPL-2 with Linux-syscall-note exception", LicenceDialect::dep5),
            "GPL-2.0-only WITH Linux-syscall-note");
}

TEST(Licence, Dep5CompleteNamesWhatDoesNotMap) {
  std::vector<std::string> unmapped;
  EXPECT_EQ(map_dep5_term_complete("Artistic or GPL-1+", unmapped), "LicenseRef-Artistic OR GPL-1.0-or-later");
  EXPECT_EQ(map_dep5_term_complete("public-domain", unmapped), "LicenseRef-public-domain");
  EXPECT_EQ(map_dep5_term_complete("GPL-2+ with Autoconf-data exception", unmapped),
            "LicenseRef-GPL-2-with-Autoconf-data-exception");
  EXPECT_EQ(map_dep5_term_complete("GPL-2 with Linux-syscall-note exception", unmapped),
            "GPL-2.0-only WITH Linux-syscall-note");
  // Not an expression at all: one LicenseRef of the whole text.
  EXPECT_EQ(map_dep5_term_complete("same as (perl", unmapped), "LicenseRef-same-as-perl");
  EXPECT_EQ(unmapped, (std::vector<std::string>{"Artistic", "public-domain", "GPL-2+ with Autoconf-data exception",
                                                "same as (perl"}));
  // Every LicenseRef written is one the strict parser (and sbom validate) accepts.
  for (const char* t : {"Artistic or GPL-1+", "GPL-2+ with Autoconf-data exception", "BSD-4-clause (UC)"}) {
    std::string e = map_dep5_term_complete(t, unmapped);
    EXPECT_TRUE(parse_spdx_expression(e, "x").ok()) << e;
  }
}

TEST(Licence, YoctoAndBuildrootNames) {
  EXPECT_EQ(map_licence_term("GPLv2 & bzip2-1.0.6", LicenceDialect::yocto), "GPL-2.0-only AND bzip2-1.0.6");
  EXPECT_EQ(map_licence_term("GPL-2.0-only | (MIT & BSD-3-Clause)", LicenceDialect::yocto),
            "GPL-2.0-only OR (MIT AND BSD-3-Clause)");
  EXPECT_EQ(map_licence_term("LGPLv2.1+", LicenceDialect::yocto), "LGPL-2.1-or-later");
  EXPECT_EQ(map_licence_term("CLOSED", LicenceDialect::yocto), "");
  EXPECT_EQ(map_licence_term("GPL-2.0+ (programs), LGPL-2.1+ (libraries)", LicenceDialect::buildroot),
            "GPL-2.0-or-later AND LGPL-2.1-or-later");
  EXPECT_EQ(map_licence_term("GPL-2.0", LicenceDialect::buildroot), "GPL-2.0-only");
  EXPECT_EQ(map_licence_term("Public Domain", LicenceDialect::buildroot), "");
  // Buildroot's " or " / " and " are SPDX OR / AND.
  EXPECT_EQ(map_licence_term("GPL-2.0 or BSD-3-Clause", LicenceDialect::buildroot), "GPL-2.0-only OR BSD-3-Clause");
  EXPECT_EQ(map_licence_term("GPL-2.0+ or BSD-3-Clause (lib), MIT and ISC (doc)", LicenceDialect::buildroot),
            "(GPL-2.0-or-later OR BSD-3-Clause) AND MIT AND ISC");
  EXPECT_EQ(map_licence_term("GPL-2.0 or", LicenceDialect::buildroot), "");
  // Yocto's short forms.
  EXPECT_EQ(map_licence_term("MPL-1 & AFL-2", LicenceDialect::yocto), "MPL-1.0 AND AFL-2.0");
  EXPECT_EQ(map_licence_term("GPL-2 | MPLv2 | Apache-2", LicenceDialect::yocto), "GPL-2.0-only OR MPL-2.0 OR Apache-2.0");
  EXPECT_EQ(map_licence_term("LGPL-2.1+", LicenceDialect::yocto), "LGPL-2.1-or-later");
  EXPECT_EQ(map_licence_term("EPL-2 | CC-BY-3", LicenceDialect::yocto), "EPL-2.0 OR CC-BY-3.0");
  // Debian's short forms of versioned names: NAME-N is NAME-N.0 when SPDX has it.
  EXPECT_EQ(map_licence_term("MPL-1 and AFL-2", LicenceDialect::dep5), "MPL-1.0 AND AFL-2.0");
  EXPECT_EQ(map_licence_term("EPL-1 or MPL-1.1+", LicenceDialect::dep5), "EPL-1.0 OR MPL-1.1+");
  EXPECT_EQ(map_licence_term("MPL-2+", LicenceDialect::dep5), "MPL-2.0+");
  EXPECT_EQ(map_licence_term("BSD-3", LicenceDialect::dep5), "");  // no BSD-3.0: not guessed
}

TEST(Licence, CombineFlattensAndSorts) {
  EXPECT_EQ(combine_licences({"MIT"}).ids, std::vector<std::string>{"MIT"});
  EXPECT_EQ(combine_licences({"MIT", "MIT AND BSD-3-Clause", "GPL-2.0-only OR BSD-2-Clause"}).expression,
            "BSD-3-Clause AND (GPL-2.0-only OR BSD-2-Clause) AND MIT");
  EXPECT_TRUE(combine_licences({}).empty());
  // CycloneDX's license.id is an SPDX-list id: a lone LicenseRef- (or a "+"
  // form with no id of its own) is an expression, never an id.
  Licence ref = combine_licences({"LicenseRef-GPL"});
  EXPECT_TRUE(ref.ids.empty());
  EXPECT_EQ(ref.expression, "LicenseRef-GPL");
  EXPECT_EQ(combine_licences({"MPL-1.1+"}).expression, "MPL-1.1+");
}

}  // namespace
}  // namespace fwseal::sbom
