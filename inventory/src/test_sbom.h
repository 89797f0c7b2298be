// SBOMs for the inventory's tests.
#pragma once

#include <string>

namespace fwseal::inventory {

// A CycloneDX 1.6 SBOM in the shape fwseal writes: image entries, components
// tied to images through the dependency graph.
inline std::string sbom_with(const std::string& busybox_version, const std::string& serial_tail = "000000000001") {
  return R"({"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-)" +
         serial_tail + R"(","version":1,
  "metadata":{"timestamp":"2026-01-01T00:00:00Z","component":{"bom-ref":"product","type":"firmware","name":"acme-cam"}},
  "components":[
    {"bom-ref":"image:rootfs","type":"firmware","name":"rootfs","version":"1.4.2"},
    {"bom-ref":"busybox","type":"application","name":"busybox","version":")" + busybox_version + R"(",
     "purl":"pkg:generic/busybox@)" + busybox_version + R"(","licenses":[{"license":{"id":"GPL-2.0-only"}}]},
    {"bom-ref":"libssl3","type":"library","name":"libssl3","version":"3.0.11-1~deb12u2",
     "purl":"pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=arm64&upstream=openssl",
     "cpe":"cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*"}],
  "dependencies":[{"ref":"product","dependsOn":["image:rootfs"]},{"ref":"image:rootfs","dependsOn":["busybox","libssl3"]},
    {"ref":"busybox"},{"ref":"libssl3"}]})";
}

}  // namespace fwseal::inventory
