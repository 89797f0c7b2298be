// The minimum elements of an SBOM, field by field, on the BOM of a realistic
// release (a Debian-style rootfs, a kernel, a bootloader, declared
// components; manufacturer, authors and supplier given; SHA-512 on). The
// requirements are quoted from the documents, not from the code under test:
//  * NTIA, "The Minimum Elements For a Software Bill of Materials" (2021),
//    "Data Fields": supplier name, component name, version of the component,
//    other unique identifiers, dependency relationship, author of SBOM data,
//    timestamp.
//  * BSI TR-03183-2 (v2.0.0), 5.2.1 "Required data fields for the SBOM
//    itself": creator of the SBOM (email address or URL), timestamp; 5.2.2
//    "for each component": component creator, component name, component
//    version, filename of the component, dependencies on other components,
//    distribution licences, hash value of the executable component (SHA-512).
// What fwseal cannot know (a fingerprinted component's supplier, a
// component's source URI) is listed in sbom-gen/README.md, "Minimum elements".
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fwseal/sbom/sbom.h"
#include "fwseal/sbom/validate.h"
#include "test_util.h"

namespace fwseal::sbom {
namespace {

using nlohmann::json;

json release_bom(testing::TempDir& dir) {
  std::string root = dir.mkdir("rootfs");
  dir.write("rootfs/var/lib/dpkg/status",
            "Package: zlib1g\nStatus: install ok installed\nSection: libs\nSource: zlib\nVersion: 1:1.3.dfsg-3\n"
            "Architecture: armhf\nMaintainer: Mark Brown <broonie@debian.org>\n\n"
            "Package: dropbear-bin\nStatus: install ok installed\nSection: net\nSource: dropbear\nVersion: 2022.83-1\n"
            "Architecture: armhf\nMaintainer: Guilhem Moulin <guilhem@debian.org>\n\n");
  dir.write("rootfs/usr/share/doc/zlib1g/copyright",
            "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: Zlib\n");
  std::string overlay = dir.mkdir("overlay");
  dir.write("overlay/usr/lib/opkg/status",
            "Package: mosquitto\nVersion: 2.0.18-r0\nStatus: install user installed\nArchitecture: cortexa7t2hf\n"
            "Section: net\nMaintainer: OE-Core Developers <openembedded-core@lists.openembedded.org>\n"
            "License: EPL-2.0 | EDL-1.0\n\n");
  std::string kernel = dir.write("zImage", "Linux version 6.6.7 (builder@host) #1 SMP\n");
  std::string boot = dir.write("u-boot.bin", std::string("\0\0U-Boot 2023.01 (Jan 01 2024)\0", 32));
  std::string declared = dir.write("components.json", R"({"components": [
    {"name": "acme-agent", "version": "3.2.1", "type": "application", "supplier": "Acme Devices",
     "license": "LicenseRef-Acme-Proprietary", "image": "rootfs", "paths": ["/usr/bin/acme-agent"]}]})");
  SbomConfig c;
  c.product = "gateway";
  c.version = "2.4.0";
  c.supplier = "Acme Devices";
  c.manufacturer = {"Acme Devices GmbH", {"https://acme.example"}, "PSIRT", "psirt@acme.example"};
  c.authors = {{"Acme Release Engineering", "release@acme.example"}};
  c.images = {{"rootfs", "rootfs", root}, {"overlay", "overlay", overlay}, {"kernel", "kernel", kernel},
              {"bootloader", "bootloader", boot}};
  c.components_files = {declared};
  c.timestamp = 1700000000;
  c.tool_version = "0.1.0";
  c.sha512 = true;
  auto r = generate_sbom(c);
  EXPECT_TRUE(r.ok()) << r.error().message;
  if (!r.ok()) return {};
  auto valid = validate_sbom(r->json);
  EXPECT_TRUE(valid.ok()) << valid.error().message;
  return json::parse(r->json);
}

const json& named(const json& bom, const std::string& name) {
  for (const auto& c : bom["components"])
    if (c["name"] == name) return c;
  static const json kNone = json::object();
  ADD_FAILURE() << "no component " << name;
  return kNone;
}

TEST(MinimumElements, SbomLevel) {
  testing::TempDir dir;
  json bom = release_bom(dir);
  const json& m = bom["metadata"];
  // NTIA "Timestamp"; BSI "Timestamp": date and time of the SBOM's compilation.
  EXPECT_EQ(m["timestamp"], "2023-11-14T22:13:20Z");
  // NTIA "Author of SBOM Data"; BSI "Creator of the SBOM": email or URL.
  ASSERT_EQ(m["authors"].size(), 1u);
  EXPECT_EQ(m["authors"][0]["name"], "Acme Release Engineering");
  EXPECT_EQ(m["authors"][0]["email"], "release@acme.example");
  EXPECT_EQ(m["manufacturer"]["name"], "Acme Devices GmbH");
  EXPECT_EQ(m["manufacturer"]["url"], json::array({"https://acme.example"}));
  EXPECT_EQ(m["manufacturer"]["contact"][0]["email"], "psirt@acme.example");
  // The product: supplier, manufacturer, name, version.
  EXPECT_EQ(m["supplier"]["name"], "Acme Devices");
  EXPECT_EQ(m["component"]["supplier"]["name"], "Acme Devices");
  EXPECT_EQ(m["component"]["manufacturer"]["name"], "Acme Devices GmbH");
  EXPECT_EQ(m["component"]["name"], "gateway");
  EXPECT_EQ(m["component"]["version"], "2.4.0");
  // A unique identifier of the SBOM itself.
  EXPECT_EQ(bom["serialNumber"].get<std::string>().rfind("urn:uuid:", 0), 0u);
}

TEST(MinimumElements, EachComponent) {
  testing::TempDir dir;
  json bom = release_bom(dir);
  std::set<std::string> with_dependencies;
  for (const auto& d : bom["dependencies"]) with_dependencies.insert(d["ref"].get<std::string>());
  for (const auto& c : bom["components"]) {
    const std::string name = c["name"];
    // NTIA "Component Name", "Version of the Component"; BSI the same.
    EXPECT_FALSE(name.empty());
    EXPECT_TRUE(c.contains("version")) << name;
    // NTIA "Other Unique Identifiers": purl (and CPE where known).
    EXPECT_TRUE(c.contains("purl") || c["bom-ref"].get<std::string>().rfind("image:", 0) == 0) << name;
    // NTIA "Dependency Relationship"; BSI "Dependencies on other components":
    // every component has its entry (empty dependsOn: none known).
    EXPECT_TRUE(with_dependencies.contains(c["bom-ref"].get<std::string>())) << name;
  }
  // NTIA "Supplier Name"; BSI "Component creator": from the supplier of the
  // release (images), the declared file, the Debian Maintainer field.
  EXPECT_EQ(named(bom, "rootfs")["supplier"]["name"], "Acme Devices");
  EXPECT_EQ(named(bom, "acme-agent")["supplier"]["name"], "Acme Devices");
  EXPECT_EQ(named(bom, "zlib1g")["supplier"]["name"], "Mark Brown");
  EXPECT_EQ(named(bom, "mosquitto")["supplier"]["name"], "OE-Core Developers");  // opkg Maintainer
  EXPECT_EQ(named(bom, "mosquitto")["type"], "application");                      // Section: net
  // BSI "Distribution licences".
  EXPECT_EQ(named(bom, "zlib1g")["licenses"][0]["license"]["id"], "Zlib");
  EXPECT_EQ(named(bom, "zlib1g")["licenses"][0]["license"]["acknowledgement"], "declared");
  EXPECT_EQ(named(bom, "acme-agent")["licenses"][0]["expression"], "LicenseRef-Acme-Proprietary");
  EXPECT_FALSE(named(bom, "mosquitto")["licenses"].empty());
  // BSI "Hash value of the executable component": SHA-512 of each deployable image.
  for (const char* image : {"rootfs", "overlay", "kernel", "bootloader"}) {
    bool sha512 = false;
    for (const auto& h : named(bom, image)["hashes"]) sha512 = sha512 || h["alg"] == "SHA-512";
    EXPECT_TRUE(sha512) << image;
  }
  // BSI "Filename of the component": where in the image it was found.
  EXPECT_EQ(named(bom, "acme-agent")["evidence"]["occurrences"][0]["location"], "/usr/bin/acme-agent");
  // CycloneDX component types (sbom-gen/README.md, "Component types"): the
  // root filesystem and kernel images, and the Linux found in the kernel, are
  // operating systems; the bootloader image and the U-Boot in it firmware.
  EXPECT_EQ(named(bom, "rootfs")["type"], "operating-system");
  EXPECT_EQ(named(bom, "kernel")["type"], "operating-system");
  EXPECT_EQ(named(bom, "linux")["type"], "operating-system");
  EXPECT_EQ(named(bom, "linux")["version"], "6.6.7");
  EXPECT_EQ(named(bom, "bootloader")["type"], "firmware");
  EXPECT_EQ(named(bom, "u-boot")["type"], "firmware");
  EXPECT_EQ(named(bom, "u-boot")["version"], "2023.01");
  EXPECT_EQ(named(bom, "zlib1g")["type"], "library");  // Section: libs
  EXPECT_EQ(named(bom, "dropbear-bin")["type"], "application");  // Section: net
  EXPECT_EQ(named(bom, "dropbear-bin")["supplier"]["name"], "Guilhem Moulin");
  EXPECT_EQ(named(bom, "acme-agent")["type"], "application");
  // Known gap: a fingerprint does not tell who supplied the Linux or U-Boot.
  EXPECT_FALSE(named(bom, "linux").contains("supplier"));
}

}  // namespace
}  // namespace fwseal::sbom
