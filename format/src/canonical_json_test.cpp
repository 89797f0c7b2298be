#include "fwseal/format/canonical_json.h"

#include <gtest/gtest.h>

namespace fwseal {
namespace {

using nlohmann::json;

TEST(CanonicalJson, SortsMembersAndDropsWhitespace) {
  auto v = parse_json_strict(R"({ "b": 1, "a": [true, null, "x"], "c": {"z": 0, "y": 1} })", "t");
  ASSERT_TRUE(v.ok()) << v.error().message;
  auto c = canonical_json(*v);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, R"({"a":[true,null,"x"],"b":1,"c":{"y":1,"z":0}})");
}

TEST(CanonicalJson, EscapesExactlyAsRfc8785) {
  json v = std::string("q\"b\\\b\f\n\r\t\x01\x1f\x7f/\xc3\xa9");
  auto c = canonical_json(v);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, "\"q\\\"b\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\x7f/\xc3\xa9\"");
}

TEST(CanonicalJson, OrdersNamesByUtf16CodeUnits) {
  // U+FB33 sorts after U+1F600 in UTF-8 byte order but before it in UTF-16 (RFC 8785 3.2.3).
  json v = json::object();
  v["\xf0\x9f\x98\x80"] = 1;  // U+1F600, surrogates D83D DE00
  v["\xef\xac\xb3"] = 2;      // U+FB33
  auto c = canonical_json(v);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, "{\"\xf0\x9f\x98\x80\":1,\"\xef\xac\xb3\":2}");
}

TEST(CanonicalJson, RefusesFractionsAndHugeIntegers) {
  EXPECT_EQ(canonical_json(json(1.5)).error().code, Code::malformed);
  auto big = canonical_json(json(std::uint64_t{1} << 53));
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("2^53"), std::string::npos);
  EXPECT_TRUE(canonical_json(json(kMaxJsonInteger)).ok());
}

TEST(StrictJson, RejectsDuplicateMembers) {
  auto r = parse_json_strict(R"({"a":1,"b":{"x":1},"a":2})", "manifest.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::malformed);
  EXPECT_EQ(r.error().message, "manifest.json: duplicate member name \"a\"");
  // The same name in different objects is fine.
  EXPECT_TRUE(parse_json_strict(R"({"a":{"a":1},"b":{"a":2}})", "t").ok());
}

TEST(StrictJson, RejectsDeepNestingTrailingDataAndBadUtf8) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  auto r = parse_json_strict(deep, "t");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("nested deeper"), std::string::npos);
  EXPECT_FALSE(parse_json_strict(R"({"a":1} x)", "t").ok());
  EXPECT_FALSE(parse_json_strict("\"\xff\"", "t").ok());
  EXPECT_FALSE(parse_json_strict("{\"a\":1}", "t", JsonLimits{3, 4}).ok());
}

TEST(StrictJson, CommentsOnlyWhereAllowed) {
  const char* text = "{ // why\n \"a\": 1 /* more */ }";
  EXPECT_FALSE(parse_json_strict(text, "t").ok());
  EXPECT_TRUE(parse_json_with_comments(text, "t").ok());
}

TEST(CanonicalParse, RejectsNonCanonicalBytes) {
  EXPECT_TRUE(parse_canonical_json(R"({"a":1,"b":2})", "t").ok());
  auto spaced = parse_canonical_json(R"({"a": 1,"b":2})", "t");
  ASSERT_FALSE(spaced.ok());
  EXPECT_NE(spaced.error().message.find("first difference at byte 5"), std::string::npos);
  EXPECT_FALSE(parse_canonical_json(R"({"b":2,"a":1})", "t").ok());
  EXPECT_FALSE(parse_canonical_json(R"({"a":"\u0041"})", "t").ok());
}

// A reader gives an integer JCS cannot write the rule of the member that
// holds it, and a fraction the rule of the JSON's form.
TEST(CanonicalParse, NamesTheMemberOfTheFirstInexactInteger) {
  auto v = parse_json_strict(R"({"b":[9007199254740992],"a":{"x":1,"y":-9007199254740992},"c":1.5})", "t");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(inexact_integer_member(*v), "a");  // a before b, as canonical_json writes them
  auto s = check_canonical(R"({"a":{"x":1}})", *v, "t");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "t: $.a.y: integer out of the canonical range");
  v = parse_json_strict(R"({"a":0.5,"b":9007199254740992})", "t");
  EXPECT_EQ(inexact_integer_member(*v), "");  // the first value refused is a fraction
  v = parse_json_strict(R"({"b":9007199254740992,"c":1})", "t");
  EXPECT_EQ(inexact_integer_member(*v), "b");
  EXPECT_EQ(inexact_integer_member(json::array({std::uint64_t{1} << 60})), "");  // not an object
  EXPECT_EQ(inexact_integer_member(json{{"a", 1}}), "");
  EXPECT_TRUE(check_canonical(R"({"a":1})", json{{"a", 1}}, "t").ok());
}

TEST(Members, NamesTheUnknownMember) {
  auto v = parse_json_strict(R"({"a":1,"zz":2})", "t");
  ASSERT_TRUE(v.ok());
  auto s = check_members(*v, {"a"}, "spec");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "spec.zz: unknown member");
  auto u = get_uint(*v, "a", "spec", 0);
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().message, "spec.a: 1 is above the maximum 0");
  EXPECT_EQ(get_string(*v, "a", "spec").error().message, "spec.a: expected a string");
  EXPECT_EQ(get_string(*v, "q", "spec").error().message, "spec.q: missing");
}

TEST(Members, CountsItemsApartFromTheType) {
  auto v = parse_json_strict(R"({"a":[1,2,3],"s":"x"})", "t");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(get_array(*v, "a", "spec", 2).error().message, "spec.a: 3 items, more than the limit of 2");
  EXPECT_EQ(check_items(v->at("a"), "spec.a", 2).error().message, "spec.a: 3 items, more than the limit of 2");
  EXPECT_TRUE(check_items(v->at("a"), "spec.a", 3).ok());
  EXPECT_EQ(get_array(*v, "s", "spec", 9).error().message, "spec.s: expected an array");
}

}  // namespace
}  // namespace fwseal
