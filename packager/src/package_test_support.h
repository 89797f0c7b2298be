// Shared by the packager's tests (package_test.cpp, package_failure_test.cpp):
// specs written into a temporary directory, and sample images. Test-only: no
// library includes it.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "fwseal/packager/package.h"
#include "fwseal/packager/spec.h"
#include "fwseal/testing/temp_dir.h"

namespace fwseal::packager::package_test {

using nlohmann::json;
using fwseal::test::exists;
using fwseal::test::list_dir;
using fwseal::test::random_bytes;
using fwseal::test::read_bytes;
using fwseal::test::TempDir;
using fwseal::test::write_bytes;

struct Image {
  std::string name;
  std::string type;
  std::string bytes;
};

inline json spec_json(const std::vector<Image>& images) {
  json j = {{"product", "acme-gateway"},
            {"version", "2.0.1"},
            {"security_version", 3},
            {"hardware", {"z-board", "a-board"}},
            {"images", json::array()}};
  for (const auto& img : images)
    j["images"].push_back({{"name", img.name}, {"type", img.type}, {"path", "fw/" + img.name + ".bin"}});
  return j;
}

// Writes the images under dir/fw and the spec (with `extra` members) to dir/spec.json, then loads it.
inline Spec make_spec(const TempDir& dir, const std::vector<Image>& images, const json& extra = json::object()) {
  for (const auto& img : images) write_bytes(dir / ("fw/" + img.name + ".bin"), img.bytes);
  json j = spec_json(images);
  for (auto it = extra.begin(); it != extra.end(); ++it) j[it.key()] = it.value();
  write_bytes(dir / "spec.json", j.dump(2));
  auto spec = load_spec(dir / "spec.json");
  if (!spec.ok()) throw std::runtime_error(spec.error().message);
  return std::move(spec).value();
}

inline PackageOptions to(const std::string& output) {
  PackageOptions o;
  o.output = output;
  return o;
}

inline std::vector<std::string> temp_files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& name : list_dir(dir))
    if (name.find(".tmp-") != std::string::npos) out.push_back(name);
  return out;
}

inline const std::string kSbom = R"({"bomFormat":"CycloneDX","specVersion":"1.5","components":[]})";

inline std::vector<Image> sample_images() {
  return {{"boot", "bootloader", random_bytes(1000, 1)},
          {"empty", "config", ""},
          {"exact", "dtb", random_bytes(512, 2)},
          // Crosses the copier's 4 MiB chunks and ends mid-block.
          {"kernel", "kernel", random_bytes((std::size_t{9} << 20) + 3, 3)}};
}

}  // namespace fwseal::packager::package_test
