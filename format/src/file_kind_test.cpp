#include "fwseal/format/file_kind.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include "fwseal/format/trust.h"
#include "fwseal/testing/matchers.h"
#include "fwseal/testing/temp_dir.h"

namespace fwseal {
namespace {

using test::IsError;
using test::TempDir;

TEST(FileKind, ToldFromTheFirstBytes) {
  TempDir d;
  EXPECT_EQ(sniff_file_kind(d.mkdir("dir")), FileKind::directory);
  EXPECT_EQ(sniff_file_kind(d.write("empty", "")), FileKind::empty);
  EXPECT_EQ(sniff_file_kind(d / "missing"), FileKind::unknown);
  EXPECT_EQ(sniff_file_kind(d.write("pkg", std::string("manifest.json") + std::string(499, '\0'))), FileKind::package);
  EXPECT_EQ(sniff_file_kind(d.write("not-pkg", "manifest.jsonX")), FileKind::unknown);
  EXPECT_EQ(sniff_file_kind(d.write("spec.json", "// a spec\n{\"product\":\"p\",\"images\":[]}")), FileKind::spec);
  EXPECT_EQ(sniff_file_kind(d.write("rel.json", "{\"release\":\"r\",\"product\":\"p\",\"images\":[]}")), FileKind::release);
  EXPECT_EQ(sniff_file_kind(d.write("rel2.json", "{\"product\":\"p\",\"images\":[],\"signing\":{}}")), FileKind::release);
  EXPECT_EQ(sniff_file_kind(d.write("trust.json", "{\"format\":\"fwseal-trust\",\"format_version\":1}")), FileKind::trust);
  EXPECT_EQ(sniff_file_kind(d.write("bom.json", "{\"bomFormat\":\"CycloneDX\"}")), FileKind::sbom);
  EXPECT_EQ(sniff_file_kind(d.write("p.json", "{\"payloadType\":\"x\"}")), FileKind::provenance);
  EXPECT_EQ(sniff_file_kind(d.write("licences.json", "// allowed\n{\"allow\":[\"MIT\"]}")), FileKind::licence_policy);
  EXPECT_EQ(sniff_file_kind(d.write("k.pem", "-----BEGIN PUBLIC KEY-----\n")), FileKind::pem);
  EXPECT_EQ(sniff_file_kind(d.write("other.json", "[1,2]")), FileKind::json);
  EXPECT_EQ(sniff_file_kind(d.write("broken.json", "{\"product\":")), FileKind::unknown);
  EXPECT_EQ(sniff_file_kind(d.write("bin", std::string("\x7f" "ELF\x02", 5))), FileKind::unknown);
  ASSERT_EQ(::mkfifo((d / "fifo").c_str(), 0600), 0);
  EXPECT_EQ(sniff_file_kind(d / "fifo"), FileKind::unknown);  // never opened: a FIFO would block
}

TEST(FileKind, AWrongKindIsNamedOtherwiseTheErrorStands) {
  TempDir d;
  const Error parse_error{Code::malformed, "x: invalid JSON"};
  const auto pkg = d.write("cam.fwpkg", std::string("manifest.json") + std::string(499, '\0'));
  EXPECT_THAT(explain_wrong_kind(pkg, FileKind::spec, parse_error),
              IsError(Code::malformed, "\"" + pkg + "\" is an fwseal package, not a package spec"));
  const auto spec = d.write("spec.json", "{\"product\":\"p\",\"images\":[]}");
  EXPECT_THAT(explain_wrong_kind(spec, FileKind::package, Error{Code::malformed, "ends at offset 272"}),
              IsError(Code::malformed, "\"" + spec + "\" is a package spec, not an fwseal package (read as an fwseal "
                                        "package: ends at offset 272)"));
  // The right kind, an unrecognised file or a JSON document where JSON is
  // expected keep the parser's own message.
  EXPECT_THAT(explain_wrong_kind(spec, FileKind::spec, parse_error), IsError(Code::malformed, "x: invalid JSON"));
  EXPECT_THAT(explain_wrong_kind(d.write("b", "\x01\x02"), FileKind::spec, parse_error),
              IsError(Code::malformed, "x: invalid JSON"));
  EXPECT_THAT(explain_wrong_kind(d.write("o.json", "{}"), FileKind::trust, parse_error),
              IsError(Code::malformed, "x: invalid JSON"));
  EXPECT_THAT(explain_wrong_kind(d.write("o2.json", "{}"), FileKind::package, parse_error),
              IsError(Code::malformed, "\"" + d / "o2.json" + "\" is a JSON document, not an fwseal package (read as an "
                                        "fwseal package: x: invalid JSON)"));
}

TEST(FileKind, LoadTrustNamesAPackageOrSpecGivenAsTrust) {
  TempDir d;
  const auto spec = d.write("trust-other.json", "{\"product\":\"p\",\"images\":[]}");
  EXPECT_THAT(load_trust(spec), IsError(Code::malformed, ::testing::StartsWith("\"" + spec +
                                                                                "\" is a package spec, not a trust policy (read as a "
                                                                                "trust policy: ")));
  EXPECT_THAT(load_trust(d.mkdir("t")), IsError(Code::io, "\"" + d / "t" + "\" is a directory, not a trust policy"));
  // A package is larger than a trust file may be: named as a package all the same.
  const auto pkg = d.write("cam.fwpkg", std::string("manifest.json") + std::string(2 * 1024 * 1024, '\0'));
  EXPECT_THAT(load_trust(pkg), IsError(Code::malformed, "\"" + pkg + "\" is an fwseal package, not a trust policy"));
  // A JSON file over the limit keeps T4's own message.
  const auto big = d.write("big.json", "{\"format\":\"fwseal-trust\",\"x\":\"" + std::string(2 * 1024 * 1024, 'a') + "\"}");
  EXPECT_THAT(load_trust(big), IsError(Code::malformed, ::testing::HasSubstr("larger than the limit of 1048576 bytes")));
}

}  // namespace
}  // namespace fwseal
