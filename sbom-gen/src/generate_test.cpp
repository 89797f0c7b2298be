#include "fwseal/sbom/sbom.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <utime.h>

#include <filesystem>
#include <functional>

#include "elf_note.h"
#include "fwseal/base/digest.h"
#include "fwseal/base/file.h"
#include "fwseal/sbom/validate.h"
#include "test_util.h"

namespace fwseal::sbom {
namespace {

using nlohmann::json;
using testing::ArchiveEntry;

std::string elf_text(const std::string& text) { return testing::make_elf(true, false, {}) + text; }

const std::string kStatus =
    "Package: busybox-static\nStatus: install ok installed\nSource: busybox\nVersion: 1:1.36.1-1\nArchitecture: armhf\n\n"
    "Package: zlib1g\nStatus: install ok installed\nSource: zlib\nVersion: 1:1.3.dfsg-3\nArchitecture: armhf\n\n"
    "Package: removed\nStatus: deinstall ok config-files\nVersion: 1\n";

struct Rootfs {
  testing::TempDir dir;
  std::string root;
  Rootfs() : root(dir.mkdir("rootfs")) {
    dir.write("rootfs/var/lib/dpkg/status", kStatus);
    dir.write("rootfs/bin/busybox", elf_text("BusyBox v1.36.1 (2024-01-01)"));
    dir.symlink("rootfs/bin/sh", "busybox");
    dir.write("rootfs/lib/libz.so.1.3",
              testing::make_elf(true, false,
                                {{"FDO", elf::kPackageNoteType,
                                  R"({"type":"deb","name":"zlib1g","version":"1:1.3.dfsg-3","architecture":"armhf"})"}}) +
                  " deflate 1.3 Copyright");
    dir.write("rootfs/usr/share/doc/zlib1g/copyright",
              "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: Zlib\n");
  }
};

SbomConfig config_for(const std::vector<ImageSpec>& images) {
  SbomConfig c;
  c.product = "gateway";
  c.version = "2.4.0";
  c.supplier = "Acme Devices";
  c.images = images;
  c.timestamp = 1700000000;
  c.tool_version = "0.1.0";
  return c;
}

json generate(const SbomConfig& c, std::vector<std::string>* warnings = nullptr) {
  auto r = generate_sbom(c);
  EXPECT_TRUE(r.ok()) << r.error().message;
  if (!r.ok()) return {};
  if (warnings) *warnings = r->warnings;
  return json::parse(r->json);
}

const json* component(const json& bom, const std::string& name) {
  for (const auto& c : bom["components"])
    if (c["name"] == name) return &c;
  return nullptr;
}

TEST(Generate, MergesSourcesIntoOneComponentEach) {
  Rootfs fs;
  json bom = generate(config_for({{"rootfs", "rootfs", fs.root}}));
  ASSERT_EQ(bom["components"].size(), 3u);  // the image, busybox-static, zlib1g
  const json* bb = component(bom, "busybox-static");
  ASSERT_NE(bb, nullptr);
  EXPECT_EQ((*bb)["purl"], "pkg:deb/debian/busybox-static@1:1.36.1-1?arch=armhf&upstream=busybox");
  EXPECT_EQ((*bb)["cpe"], "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*");
  EXPECT_EQ((*bb)["evidence"]["occurrences"], json::parse(R"([{"additionalContext":"image rootfs","location":"/bin/busybox"}])"));
  const auto& methods = (*bb)["evidence"]["identity"][0]["methods"];
  ASSERT_EQ(methods.size(), 2u);
  EXPECT_EQ(methods[0]["technique"], "binary-analysis");
  EXPECT_EQ(methods[1]["technique"], "manifest-analysis");
  const json* z = component(bom, "zlib1g");
  ASSERT_NE(z, nullptr);
  EXPECT_EQ((*z)["licenses"], json::parse(R"([{"license":{"acknowledgement":"declared","id":"Zlib"}}])"));
  EXPECT_EQ((*z)["evidence"]["identity"][0]["methods"].size(), 3u);  // status, ELF note, fingerprint
  const json* image = component(bom, "rootfs");
  ASSERT_NE(image, nullptr);
  EXPECT_EQ((*image)["type"], "operating-system");
  ASSERT_EQ((*image)["hashes"].size(), 1u);  // SHA-512 only when asked for
  EXPECT_EQ((*image)["hashes"][0]["alg"], "SHA-256");
  EXPECT_EQ(bom["metadata"]["component"]["supplier"]["name"], "Acme Devices");
  EXPECT_EQ(bom["metadata"]["tools"]["components"][0]["version"], "0.1.0");
  EXPECT_EQ(bom["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
  json deps;
  for (const auto& d : bom["dependencies"]) deps[d["ref"].get<std::string>()] = d.value("dependsOn", json::array());
  EXPECT_EQ(deps["product"], json::array({"image:rootfs"}));
  EXPECT_EQ(deps["image:rootfs"].size(), 2u);
}

TEST(Generate, OutputIsValidAndDeterministic) {
  Rootfs fs;
  SbomConfig c = config_for({{"rootfs", "rootfs", fs.root}});
  auto first = generate_sbom(c);
  ASSERT_TRUE(first.ok());
  // Same content, other file times and modes: same bytes.
  struct utimbuf times {12345, 12345};
  ::utime((fs.root + "/bin/busybox").c_str(), &times);
  ::chmod((fs.root + "/bin/busybox").c_str(), 0700);
  auto second = generate_sbom(c);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->json, second->json);
  EXPECT_TRUE(validate_sbom(first->json).ok()) << validate_sbom(first->json).error().message;
  auto [status, output] = testing::run_schema_validator(first->json);
  EXPECT_EQ(status, 0) << output;
  EXPECT_EQ(output, "valid\n");
  json bom = json::parse(first->json);
  std::string serial = bom["serialNumber"];
  EXPECT_EQ(serial.substr(0, 9), "urn:uuid:");
  EXPECT_EQ(serial[23], '8');  // a version 8 UUID
  c.version = "2.4.1";
  EXPECT_NE(json::parse(generate_sbom(c)->json)["serialNumber"], serial);
}

// Images are scanned in parallel; the BOM must not depend on which finished
// first, and SHA-512 appears exactly when asked for.
TEST(Generate, SeveralImagesAndSha512) {
  Rootfs fs;
  testing::TempDir dir;
  std::string big(3u << 20, 'k');
  SbomConfig c = config_for({{"rootfs", "rootfs", fs.root},
                             {"kernel", "kernel", dir.write("kernel.bin", big)},
                             {"boot", "bootloader", dir.write("boot.bin", "U-Boot")}});
  auto plain = generate_sbom(c);
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  c.sha512 = true;
  auto both = generate_sbom(c);
  ASSERT_TRUE(both.ok()) << both.error().message;
  json a = json::parse(plain->json), b = json::parse(both->json);
  for (const char* name : {"rootfs", "kernel", "boot"}) {
    const json* pa = component(a, name);
    const json* pb = component(b, name);
    ASSERT_TRUE(pa && pb) << name;
    ASSERT_EQ((*pa)["hashes"].size(), 1u) << name;
    ASSERT_EQ((*pb)["hashes"].size(), 2u) << name;
    EXPECT_EQ((*pb)["hashes"][0], (*pa)["hashes"][0]) << name;
    EXPECT_EQ((*pb)["hashes"][1]["alg"], "SHA-512") << name;
    EXPECT_EQ((*pb)["hashes"][1]["content"].get<std::string>().size(), 128u) << name;
  }
  Hasher h = Hasher::sha512();
  h.update(big);
  EXPECT_EQ((*component(b, "kernel"))["hashes"][1]["content"], to_hex(h.finish()));
  auto [status, output] = testing::run_schema_validator(both->json);
  EXPECT_EQ(status, 0) << output;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(generate_sbom(c)->json, both->json) << "run " << i;
}

TEST(Generate, TwoVersionsStayTwoAndAreReported) {
  Rootfs fs;
  testing::TempDir other;
  std::string recovery = other.write(
      "recovery.tar.gz",
      testing::make_archive({{"bin/busybox", elf_text("BusyBox v1.35.0 (2023-01-01)"), ArchiveEntry::file, ""}}, "tar",
                            "gzip"));
  std::vector<std::string> warnings;
  json bom = generate(config_for({{"rootfs", "rootfs", fs.root}, {"recovery", "recovery", recovery}}), &warnings);
  const json* old_bb = component(bom, "busybox");
  ASSERT_NE(old_bb, nullptr);
  EXPECT_EQ((*old_bb)["version"], "1.35.0");
  EXPECT_EQ((*old_bb)["purl"], "pkg:generic/busybox@1.35.0");
  EXPECT_EQ((*component(bom, "recovery"))["type"], "firmware");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "recovery:/bin/busybox: busybox 1.35.0 found, but busybox-static 1:1.36.1-1 is present too; "
                         "reported as two components");
  EXPECT_EQ(bom["metadata"]["properties"][0]["name"], "fwseal:warning");
  EXPECT_EQ(bom["metadata"]["properties"][0]["value"], warnings[0]);
}

// Debian 12's base-files: a free-text copyright file whose only reference is
// /usr/share/common-licenses/GPL (no version, so no SPDX id). The BOM must
// still be valid CycloneDX: the LicenseRef- is an expression, not a license.id.
TEST(Generate, LoneLicenceRefIsAnExpression) {
  Rootfs fs;
  fs.dir.write("rootfs/usr/share/doc/busybox-static/copyright",
               "This is the Debian prepackaged version of BusyBox.\n\n"
               "On Debian systems, the complete text of the GNU General Public License\n"
               "can be found in `/usr/share/common-licenses/GPL'.\n");
  auto r = generate_sbom(config_for({{"rootfs", "rootfs", fs.root}}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(validate_sbom(r->json).ok()) << validate_sbom(r->json).error().message;
  json bom = json::parse(r->json);
  const json* bb = component(bom, "busybox-static");
  ASSERT_NE(bb, nullptr);
  EXPECT_EQ((*bb)["licenses"], json::parse(R"([{"acknowledgement":"declared","expression":"LicenseRef-GPL"}])"));
}

TEST(Generate, PackageFileListsDecideOwnership) {
  Rootfs fs;
  // A second BusyBox, owned by nobody: a component of its own.
  fs.dir.write("rootfs/opt/busybox", elf_text("BusyBox v1.37.0 (x)"));
  // This one belongs to busybox-static by its file list, whatever its name says.
  fs.dir.write("rootfs/var/lib/dpkg/info/busybox-static.list", "/.\n/bin\n/bin/busybox\n/usr/lib/busybox\n");
  fs.dir.write("rootfs/usr/lib/busybox", elf_text("BusyBox v1.36.1 (x)"));
  std::vector<std::string> warnings;
  json bom = generate(config_for({{"rootfs", "rootfs", fs.root}}), &warnings);
  const json* bb = component(bom, "busybox-static");
  EXPECT_EQ((*bb)["evidence"]["occurrences"].size(), 2u);  // /bin/busybox, /usr/lib/busybox
  const json* extra = component(bom, "busybox");
  ASSERT_NE(extra, nullptr);
  EXPECT_EQ((*extra)["version"], "1.37.0");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("busybox 1.37.0 found, but busybox-static 1:1.36.1-1 is present too"), std::string::npos);
}

TEST(Generate, DeclaredComponentsMergeWithDiscoveredOnes) {
  Rootfs fs;
  testing::TempDir d;
  std::string components = d.write("components.json", R"({"components":[
    {"name":"zlib1g","version":"1:1.3.dfsg-3","supplier":"Debian","image":"rootfs"},
    {"name":"fpga-bitstream","version":"7","type":"data","license":"LicenseRef-acme","hashes":{"SHA-256":")" +
                                                          std::string(64, 'a') + R"("}}]})");
  std::string manifest = d.write("manifest.csv", "PACKAGE,VERSION,LICENSE\nbusybox,1.36.1,GPL-2.0\n");
  SbomConfig c = config_for({{"rootfs", "rootfs", fs.root}});
  c.components_files = {components, manifest};
  json bom = generate(c);
  EXPECT_EQ(bom["components"].size(), 5u);  // image, zlib1g, busybox-static, busybox (Buildroot), fpga-bitstream
  const json* z = component(bom, "zlib1g");
  EXPECT_EQ((*z)["supplier"]["name"], "Debian");
  EXPECT_EQ((*z)["purl"], "pkg:deb/debian/zlib1g@1:1.3.dfsg-3?arch=armhf&upstream=zlib");
  const json* fpga = component(bom, "fpga-bitstream");
  EXPECT_EQ((*fpga)["purl"], "pkg:generic/fpga-bitstream@7");
  EXPECT_EQ((*fpga)["licenses"], json::parse(R"([{"expression":"LicenseRef-acme"}])"));
  json deps;
  for (const auto& dep : bom["dependencies"]) deps[dep["ref"].get<std::string>()] = dep.value("dependsOn", json::array());
  EXPECT_EQ(deps["product"], json::array({"image:rootfs", "pkg:generic/fpga-bitstream@7"}));
  // Buildroot's busybox 1.36.1 is the same release the fingerprint saw, which
  // belongs to busybox-static: the fingerprint joins the declared component.
  const json* br = component(bom, "busybox");
  ASSERT_NE(br, nullptr);
  EXPECT_EQ((*br)["licenses"], json::parse(R"([{"license":{"id":"GPL-2.0-only"}}])"));
  auto [status, output] = testing::run_schema_validator(bom.dump());
  EXPECT_EQ(status, 0) << output;
}

// A draft completed with the images' digests is byte for byte the BOM that
// generate_sbom makes by hashing them itself: what fwseal package embeds
// equals what `fwseal sbom generate` writes.
TEST(Draft, RenderedWithTheDigestsIsTheGeneratedBom) {
  testing::TempDir d;
  const std::string rootfs = d.write(
      "rootfs.tar", testing::make_archive({{"var/lib/dpkg/status", kStatus, ArchiveEntry::file, ""},
                                           {"bin/busybox", elf_text("BusyBox v1.36.1 (2024-01-01)"), ArchiveEntry::file, ""}}));
  const std::string kernel = d.write("kernel.bin", std::string(3u << 20, 'k') + "Linux version 6.1.0");
  const std::string components = d.write("components.json", R"({"components":[
    {"name":"fpga-bitstream","version":"7","type":"data","license":"MIT"}]})");
  SbomConfig c = config_for({{"rootfs", "rootfs", rootfs}, {"kernel", "kernel", kernel}});
  c.components_files = {components};
  auto whole = generate_sbom(c);
  ASSERT_TRUE(whole.ok()) << whole.error().message;

  auto draft = draft_sbom(c);
  ASSERT_TRUE(draft.ok()) << draft.error().message;
  EXPECT_EQ(draft->size(), whole->json.size());
  EXPECT_EQ(draft->warnings(), whole->warnings);
  ASSERT_EQ(draft->scanned().size(), 2u);
  struct stat st {};
  ASSERT_EQ(::stat(kernel.c_str(), &st), 0);
  EXPECT_EQ(draft->scanned()[1], file_stamp(st));
  const std::vector<Sha256> digests = {sha256(testing::read_text(rootfs)), sha256(testing::read_text(kernel))};
  auto rendered = draft->render(digests);
  ASSERT_TRUE(rendered.ok()) << rendered.error().message;
  EXPECT_EQ(rendered->json, whole->json);
  // Other digests: another BOM of the same size (and serial number of its own).
  auto other = draft->render({Sha256{}, Sha256{}});
  ASSERT_TRUE(other.ok()) << other.error().message;
  EXPECT_EQ(other->json.size(), whole->json.size());
  EXPECT_NE(json::parse(other->json)["serialNumber"], json::parse(whole->json)["serialNumber"]);
  EXPECT_EQ(draft->render({Sha256{}}).error().code, Code::internal);

  // The components file as a spec names it: the BOM does not depend on where the build ran.
  c.components_labels = {"components.json"};
  auto labelled = generate_sbom(c);
  ASSERT_TRUE(labelled.ok()) << labelled.error().message;
  EXPECT_NE(labelled->json.find("declared by the build in components.json\""), std::string::npos);
  EXPECT_EQ(labelled->json.find(d.path()), std::string::npos);
  c.components_labels = {"a", "b"};
  EXPECT_EQ(draft_sbom(c).error().code, Code::usage);
}

TEST(Draft, OnlyForFileImagesWithoutSha512) {
  Rootfs fs;
  testing::TempDir d;
  SbomConfig c = config_for({{"rootfs", "rootfs", fs.root}});
  auto dir = draft_sbom(c);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().code, Code::usage);
  EXPECT_EQ(dir.error().message, "images[0] (" + fs.root + "): a directory; a BOM can wait for the digests of file images only");
  c = config_for({{"kernel", "kernel", d.write("kernel.bin", "k")}});
  c.sha512 = true;
  auto sha512 = draft_sbom(c);
  ASSERT_FALSE(sha512.ok());
  EXPECT_EQ(sha512.error().code, Code::usage);
  EXPECT_THAT(sha512.error().message, ::testing::HasSubstr("SHA-512"));
}

// metadata.authors: who made the BOM (NTIA "Author of SBOM Data"); without
// authors given, the manufacturer, else the supplier, else nobody.
TEST(Generate, AuthorsDefaultToTheManufacturerThenTheSupplier) {
  Rootfs fs;
  SbomConfig c = config_for({{"rootfs", "rootfs", fs.root}});
  json bom = generate(c);
  EXPECT_EQ(bom["metadata"]["authors"], json::parse(R"([{"name": "Acme Devices"}])"));
  EXPECT_EQ(bom["metadata"]["supplier"]["name"], "Acme Devices");
  EXPECT_FALSE(bom["metadata"].contains("manufacturer"));
  c.manufacturer = {"Acme Devices GmbH", {}, "", "psirt@acme.example"};
  bom = generate(c);
  EXPECT_EQ(bom["metadata"]["authors"], json::parse(R"([{"name": "Acme Devices GmbH", "email": "psirt@acme.example"}])"));
  EXPECT_EQ(bom["metadata"]["manufacturer"], json::parse(R"({"name": "Acme Devices GmbH", "contact": [{"email": "psirt@acme.example"}]})"));
  c.authors = {{"QA", ""}};
  EXPECT_EQ(generate(c)["metadata"]["authors"], json::parse(R"([{"name": "QA"}])"));
  c = config_for({{"rootfs", "rootfs", fs.root}});
  c.supplier.clear();
  EXPECT_FALSE(generate(c)["metadata"].contains("authors"));
}

TEST(Generate, ConfigErrorsAreUsage) {
  Rootfs fs;
  struct Case {
    std::function<void(SbomConfig&)> change;
    const char* message;
  };
  const Case cases[] = {
      {[](SbomConfig& c) { c.images.clear(); }, "no images: name at least one with NAME=PATH"},
      {[](SbomConfig& c) { c.images.push_back(c.images[0]); }, "images[1].name: image \"rootfs\" named twice"},
      {[](SbomConfig& c) { c.timestamp = -1; }, "timestamp -1 is outside 0..253402300799"},
      {[](SbomConfig& c) { c.tool_version.clear(); }, "tool version: must be 1-64 bytes of text"},
      {[](SbomConfig& c) { c.images[0].path.clear(); }, "images[0].path: empty"},
      {[](SbomConfig& c) { c.manufacturer = {"Acme", {"acme.example"}, "", ""}; },
       "manufacturer.url[0]: \"acme.example\" is not an absolute URL"},
      {[](SbomConfig& c) { c.manufacturer = {"", {"https://acme.example"}, "", ""}; }, "manufacturer.name: must be 1 to 128 bytes, got 0"},
      {[](SbomConfig& c) { c.manufacturer = {"Acme", {}, "", "psirt at acme"}; },
       "manufacturer.contact.email: \"psirt at acme\" is not an e-mail address"},
      {[](SbomConfig& c) { c.authors = {{"Rel\x01", ""}}; }, "authors[0].name: \"Rel\\x01\" contains a control character"},
      {[](SbomConfig& c) { c.authors = {{"Rel", "a@b@c"}}; }, "authors[0].email: \"a@b@c\" is not an e-mail address"},
  };
  for (const auto& test : cases) {
    SbomConfig c = config_for({{"rootfs", "rootfs", fs.root}});
    test.change(c);
    auto r = generate_sbom(c);
    ASSERT_FALSE(r.ok()) << test.message;
    EXPECT_EQ(r.error().code, Code::usage);
    EXPECT_EQ(r.error().message, test.message);
  }
  SbomConfig bad_name = config_for({{"../x", "rootfs", fs.root}});
  EXPECT_EQ(generate_sbom(bad_name).error().code, Code::usage);
  SbomConfig missing = config_for({{"rootfs", "rootfs", fs.root}});
  missing.components_files = {"/nonexistent/components.json"};
  EXPECT_EQ(generate_sbom(missing).error().code, Code::io);
}

}  // namespace
}  // namespace fwseal::sbom
