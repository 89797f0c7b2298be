// R6-R14: the manifest. Each vector is the base package with its manifest
// text edited, re-signed as edited and with headers for its new size, so
// that the manifest rule is the only one it breaks.
#include <cctype>
#include <nlohmann/json.hpp>
#include <tuple>

#include "catalogue.h"
#include "fwseal/base/digest.h"

namespace fwseal::vectors {
namespace {

std::string base_text() { return base_spec().manifest_bytes(); }

void edited(Ctx& c, const std::string& rule, const std::string& id, const std::string& description,
            std::string_view from, std::string_view to, const std::string& message, Spec s = base_spec()) {
  s.manifest_bytes_override = replaced(s.manifest_bytes(), from, to);
  c.out.invalid(rule, id, description, assemble(s, c.keys).bytes(), 10, message);
}

// The text at `from` in the manifest replaced by `to`, which is not the
// canonical spelling (`canonical`, by default `from`) of what it says. The
// message names the first byte where the two differ.
void not_canonical(Ctx& c, const std::string& id, const std::string& description, std::string_view from,
                   std::string_view to, std::string_view canonical = {}) {
  const std::string text = base_text();
  const std::string changed = replaced(text, from, to);
  const std::string expected = replaced(text, from, canonical.empty() ? from : canonical);
  edited(c, "R14", id, description, from, to,
         "manifest.json: not canonical JSON (RFC 8785): first difference at byte " +
             std::to_string(first_difference(changed, expected)));
}

// The first image renamed in the manifest and in its entry name.
void renamed(Ctx& c, const std::string& id, const std::string& name, const std::string& description,
             const std::string& message) {
  Spec s = base_spec();
  std::string text = s.manifest_bytes();
  nlohmann::json quoted = name;
  s.manifest_bytes_override = replaced(text, "\"name\":\"kernel\"", "\"name\":" + quoted.dump());
  s.manifest.images[0].name = name;
  c.out.invalid("R12", id, description, assemble(s, c.keys).bytes(), 10, message);
}

void member_vectors(Ctx& c) {
  const std::string fmt = R"("format":"fwseal-manifest")";
  edited(c, "R6", "r06-format-wrong", "format is \"fwseal-manifesto\"", fmt, R"("format":"fwseal-manifesto")",
         "manifest.format: expected \"fwseal-manifest\", found \"fwseal-manifesto\"");
  edited(c, "R6", "r06-format-signature", "format is \"fwseal-signature\"", fmt, R"("format":"fwseal-signature")",
         "manifest.format: expected \"fwseal-manifest\", found \"fwseal-signature\"");
  edited(c, "R6", "r06-format-missing", "no format member", fmt + ",", "", "manifest.format: missing");

  const std::string ver = R"("format_version":1)";
  edited(c, "R7", "r07-format-version-3", "format_version 3", ver, R"("format_version":3)",
         "manifest.format_version: version 3 is not supported");
  edited(c, "R7", "r07-format-version-0", "format_version 0", ver, R"("format_version":0)",
         "manifest.format_version: version 0 is not supported");
  edited(c, "R7", "r07-format-version-string", "format_version \"1\"", ver, R"("format_version":"1")",
         "manifest.format_version: expected a non-negative integer");
  edited(c, "R7", "r07-format-version-missing", "no format_version member", ver + ",", "",
         "manifest.format_version: missing");

  const std::string product = R"("product":"acme-cam")";
  const std::string version = R"("version":"1.4.2")";
  edited(c, "R8", "r08-product-empty", "product \"\"", product, R"("product":"")",
         "manifest.product: must be 1 to 128 bytes, got 0");
  edited(c, "R8", "r08-product-too-long", "product of 129 bytes", product,
         "\"product\":\"" + std::string(129, 'p') + "\"", "manifest.product: must be 1 to 128 bytes, got 129");
  edited(c, "R8", "r08-product-not-a-string", "product 7", product, R"("product":7)",
         "manifest.product: expected a string");
  edited(c, "R8", "r08-version-control-character", "version \"1.4.2\\u0007\"", version, R"("version":"1.4.2\u0007")",
         "manifest.version: \"1.4.2\\x07\" contains a control character");
  edited(c, "R8", "r08-version-delete", "version \"1.4.2\" followed by DEL (0x7f)", version,
         "\"version\":\"1.4.2\x7f\"", "manifest.version: \"1.4.2\\x7f\" contains a control character");
  edited(c, "R8", "r08-product-c1-control", "product \"acme-cam\" followed by U+009B (a C1 control: CSI)", product,
         "\"product\":\"acme-cam\xc2\x9b\"", "manifest.product: \"acme-cam\\u{009b}\" contains a control character");
  edited(c, "R8", "r08-version-missing", "no version member", "," + version, "", "manifest.version: missing");

  const std::string sv = R"("security_version":"3")";
  for (auto [id, value] : {std::pair<std::string, std::string>{"leading-zero", "03"}, {"empty", ""}, {"hex", "0x3"}})
    edited(c, "R9", "r09-" + id, "security_version \"" + value + "\"", sv, "\"security_version\":\"" + value + "\"",
           "manifest.security_version: security version must be a decimal number without leading zeros");
  for (auto [id, value] : {std::pair<std::string, std::string>{"negative", "-1"},
                           {"overflow", "18446744073709551616"},
                           {"plus", "+3"},
                           {"space", " 3"},
                           {"fraction", "3.0"},
                           {"arabic-indic-digit", "\xd9\xa3"}})
    edited(c, "R9", "r09-" + id, "security_version \"" + value + "\"", sv, "\"security_version\":\"" + value + "\"",
           "manifest.security_version: security version \"" + value +
               "\" is not a decimal number from 0 to 18446744073709551615");
  edited(c, "R9", "r09-number", "security_version 3, a number", sv, R"("security_version":3)",
         "manifest.security_version: expected a string");

  const std::string hw = R"("hardware":["acme-cam-v1","acme-cam-v2"])";
  auto hardware = [&](const std::string& id, const std::string& description, const std::string& list,
                      const std::string& message) {
    edited(c, "R10", "r10-" + id, description, hw, "\"hardware\":" + list, message);
  };
  hardware("unsorted", "hardware not sorted", R"(["acme-cam-v2","acme-cam-v1"])",
           "manifest.hardware[1]: hardware ids must be sorted and unique");
  hardware("duplicate", "a hardware id twice", R"(["acme-cam-v2","acme-cam-v2"])",
           "manifest.hardware[1]: hardware ids must be sorted and unique");
  hardware("empty-list", "no hardware ids", "[]", "manifest.hardware: at least one hardware id is required");
  hardware(
      "space", "a hardware id with a space", R"(["acme cam v2"])",
      "manifest.hardware[0]: hardware id \"acme cam v2\" has a space, control or non-ASCII character at position 4");
  hardware("non-ascii", "a hardware id with a non-ASCII letter", "[\"acme-cam-v2\",\"acme-c\xc3\xa4m\"]",
           "manifest.hardware[1]: hardware id \"acme-c\xc3\xa4m\" has a space, control or non-ASCII character at "
           "position 6");
  hardware("empty-id", "an empty hardware id", R"([""])",
           "manifest.hardware[0]: hardware id must be 1 to 128 characters");
  hardware("too-long", "a hardware id of 129 characters", "[\"acme-cam-v2\",\"" + std::string(129, 'z') + "\"]",
           "manifest.hardware[1]: hardware id must be 1 to 128 characters");
  hardware("not-a-list", "hardware is a string", R"("acme-cam-v2")", "manifest.hardware: expected an array");
  hardware("not-a-string", "a hardware id that is a number", "[2]", "manifest.hardware[0]: expected a string");
  std::string many = "[";
  for (int i = 0; i < 257; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "%shw-%03d\"", i ? ",\"" : "\"", i);
    many += id;
  }
  hardware("257-ids", "257 hardware ids (the limit is 256)", many + "]",
           "manifest.hardware: 257 items, more than the limit of 256");

  const std::string created = R"("created":1767225600)";
  edited(c, "R11", "r11-created-negative", "created -1", created, R"("created":-1)",
         "manifest.created: expected a non-negative integer");
  edited(c, "R11", "r11-created-string", "created \"1767225600\"", created, R"("created":"1767225600")",
         "manifest.created: expected a non-negative integer");
  edited(c, "R11", "r11-created-2e53", "created 2^53, beyond exact JSON integers", created,
         R"("created":9007199254740992)", "manifest.json: $.created: integer 9007199254740992 is above 2^53-1");
  edited(c, "R11", "r11-created-missing", "no created member", created + ",", "", "manifest.created: missing");
}

void image_vectors(Ctx& c) {
  Spec none = base_spec();
  std::string text = none.manifest_bytes();
  none.manifest_bytes_override = text.substr(0, text.find("\"images\":[") + 10) + text.substr(text.find("}],\"product\"") + 1);
  none.manifest.images.clear();
  none.images.clear();
  c.out.invalid("R12", "r12-no-images", "images is empty (and the package has no image entries)",
                assemble(none, c.keys).bytes(), 10, "manifest.images: at least one image is required");

  auto bad_char = [](const std::string& name, std::size_t at) {
    std::string shown;
    for (char ch : name)
      shown += ch == '\0' ? std::string("\\x00") : ch == '\\' ? std::string("\\x5c") : std::string(1, ch);
    return "manifest.images[0].name: image name \"" + shown +
           "\" has a character other than letters, digits, '.', '_' or '-' at position " + std::to_string(at);
  };
  renamed(c, "r12-name-traversal", "../../etc/x", "image name ../../etc/x (entry image/../../etc/x)",
          bad_char("../../etc/x", 0));
  renamed(c, "r12-name-slash", "boot/kernel", "image name boot/kernel", bad_char("boot/kernel", 4));
  renamed(c, "r12-name-absolute", "/etc/x", "image name /etc/x (entry image//etc/x)", bad_char("/etc/x", 0));
  renamed(c, "r12-name-leading-dot", ".kernel", "image name .kernel", bad_char(".kernel", 0));
  renamed(c, "r12-name-nul", std::string("kernel\0.bin", 11), "image name kernel\\u0000.bin",
          bad_char(std::string("kernel\0.bin", 11), 6));
  renamed(c, "r12-name-backslash", "..\\kernel", "image name ..\\kernel", bad_char("..\\kernel", 0));
  renamed(c, "r12-name-dot-dot", "kernel..old", "image name kernel..old",
          "manifest.images[0].name: image name \"kernel..old\" contains \"..\"");
  renamed(c, "r12-name-too-long", std::string(65, 'k'), "image name of 65 characters",
          "manifest.images[0].name: image name must be 1 to 64 characters, got 65");
  renamed(c, "r12-name-empty", "", "empty image name",
          "manifest.images[0].name: image name must be 1 to 64 characters, got 0");
  renamed(c, "r12-name-duplicate", "rootfs", "two images named rootfs",
          "manifest.images[1].name: duplicate image name \"rootfs\"");

  const std::string type = R"("type":"kernel")";
  for (auto [id, value, message] :
       {std::tuple<std::string, std::string, std::string>{
            "uppercase", "Kernel", "\"Kernel\" must be lowercase letters, digits and '-', starting with a letter"},
        {"leading-digit", "1st", "\"1st\" must be lowercase letters, digits and '-', starting with a letter"},
        {"underscore", "boot_loader",
         "\"boot_loader\" must be lowercase letters, digits and '-', starting with a letter"},
        {"too-long", std::string(33, 't'), "must be 1 to 32 characters"},
        {"empty", "", "must be 1 to 32 characters"}})
    edited(c, "R12", "r12-type-" + id, "image type \"" + value + "\"", type, "\"type\":\"" + value + "\"",
           "manifest.images[0].type: " + message);
  edited(c, "R12", "r12-type-missing", "an image without type", "," + type, "", "manifest.images[0].type: missing");

  const std::string hex = sha256_hex(base_spec().images[0]);
  std::string upper = hex;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  edited(c, "R12", "r12-sha256-uppercase", "image sha256 in uppercase hex", hex, upper,
         "manifest.images[0].sha256: not lowercase hex at character " + std::to_string(hex.find_first_of("abcdef")));
  edited(c, "R12", "r12-sha256-short", "image sha256 of 63 hex digits", hex, hex.substr(0, 63),
         "manifest.images[0].sha256: expected 64 lowercase hex digits, found 63 characters");

  const std::string size = R"("size":100)";
  edited(c, "R12", "r12-size-negative", "image size -1", size, R"("size":-1)",
         "manifest.images[0].size: expected a non-negative integer");
  edited(c, "R12", "r12-size-string", "image size \"100\"", size, R"("size":"100")",
         "manifest.images[0].size: expected a non-negative integer");
  edited(c, "R12", "r12-size-2e63", "image size 2^63-1, beyond exact JSON integers", size,
         R"("size":9223372036854775807)",
         "manifest.json: $.images[0].size: integer 9223372036854775807 is above 2^53-1");
  edited(c, "R12", "r12-unknown-image-member", "an image with a path member", R"("name":"kernel",)",
         R"("name":"kernel","path":"/boot/kernel",)", "manifest.images[0].path: unknown member");
  const std::size_t first = text.find("{\"name\":\"kernel\"");
  edited(c, "R12", "r12-image-not-an-object", "images[0] is a string",
         text.substr(first, text.find('}', first) + 1 - first), "\"kernel\"",
         "manifest.images[0]: expected a JSON object");
}

void sbom_vectors(Ctx& c) {
  Spec s = base_spec();
  s.sbom = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"version\":1,\"components\":[]}\n";
  const std::string text = s.manifest_bytes();
  const std::size_t at = text.find("\"sbom\":{");
  const std::string member = text.substr(at, text.find('}', at) + 1 - at);
  const std::string sha = "\"sha256\":\"" + sha256_hex(*s.sbom) + "\"";
  edited(c, "R13", "r13-sbom-unknown-member", "sbom with a name member", "\"sbom\":{", "\"sbom\":{\"name\":\"x\",",
         "manifest.sbom.name: unknown member", s);
  edited(c, "R13", "r13-sbom-missing-sha256", "sbom without sha256", sha + ",", "", "manifest.sbom.sha256: missing", s);
  edited(c, "R13", "r13-sbom-missing-size", "sbom without size", "," + member.substr(member.find("\"size\"")), "}",
         "manifest.sbom.size: missing", s);
  edited(c, "R13", "r13-sbom-not-an-object", "sbom is a string", member, "\"sbom\":\"sbom.cdx.json\"",
         "manifest.sbom: expected a JSON object", s);
  edited(c, "R13", "r13-sbom-null", "sbom is null", member, "\"sbom\":null", "manifest.sbom: expected a JSON object",
         s);
}

void canonical_vectors(Ctx& c) {
  not_canonical(c, "r14-space", "a space after a colon", R"("format_version":1)", R"("format_version": 1)");
  not_canonical(c, "r14-newline-at-end", "a newline after the closing brace", R"("version":"1.4.2"})",
                "\"version\":\"1.4.2\"}\n");
  not_canonical(c, "r14-member-order", "product after security_version",
                R"("product":"acme-cam","security_version":"3")", R"("security_version":"3","product":"acme-cam")");
  not_canonical(c, "r14-unicode-escape", "product \"\\u0061cme-cam\"", R"("product":"acme-cam")",
                R"("product":"\u0061cme-cam")");
  not_canonical(c, "r14-escaped-slash", "product \"acme\\/cam\"", R"("product":"acme-cam")",
                R"("product":"acme\/cam")");
  not_canonical(c, "r14-escaped-non-ascii", "product \"acme-cam-\\u00e9\" (JCS writes the letter itself)",
                R"("product":"acme-cam")", R"("product":"acme-cam-\u00e9")", "\"product\":\"acme-cam-\xc3\xa9\"");
  not_canonical(c, "r14-uppercase-escape", "version \"1.4.2\\u001F\" (JCS writes \\u001f)", R"("version":"1.4.2")",
                R"("version":"1.4.2\u001F")", R"("version":"1.4.2\u001f")");
  not_canonical(c, "r14-negative-zero", "format_version -0", R"("format_version":1)", R"("format_version":-0)",
                R"("format_version":0)");
  not_canonical(c, "r14-nul-after", "a NUL byte after the closing brace", R"("version":"1.4.2"})",
                std::string("\"version\":\"1.4.2\"}\0", 19));
  not_canonical(c, "r14-byte-order-mark", "a UTF-8 byte order mark before the manifest", "{\"created\"",
                "\xef\xbb\xbf{\"created\"");
  edited(c, "R14", "r14-unknown-member", "a generator member", R"("format_version":1,)",
         R"("format_version":1,"generator":"x",)", "manifest.generator: unknown member");
  edited(c, "R14", "r14-duplicate-member", "product twice", R"("product":"acme-cam")",
         R"("product":"acme-cam","product":"evil-cam")", "manifest.json: duplicate member name \"product\"");
  edited(c, "R14", "r14-nesting", "an unknown member nested 9 deep", R"("version":"1.4.2")",
         R"("version":"1.4.2","zz":[[[[[[[[[]]]]]]]]])", "manifest.json: nested deeper than 8 levels");
  edited(c, "R14", "r14-fraction", "created 1767225600.5", R"("created":1767225600)", R"("created":1767225600.5)",
         "manifest.json: $.created: fractional numbers are not allowed");
  edited(c, "R14", "r14-exponent", "size 1e2", R"("size":100)", R"("size":1e2)",
         "manifest.json: $.images[0].size: fractional numbers are not allowed");
  for (auto [id, description, from, to] :
       {std::tuple<std::string, std::string, std::string, std::string>{
            "invalid-utf8", "a 0xff byte in product", R"("product":"acme-cam")", "\"product\":\"acme-\xff\""},
        {"overlong-utf8", "an overlong UTF-8 '/' (0xc0 0xaf) in product", R"("product":"acme-cam")",
         "\"product\":\"acme\xc0\xaf"
         "cam\""},
        {"utf8-surrogate", "a UTF-8 encoded surrogate (0xed 0xa0 0x80) in product", R"("product":"acme-cam")",
         "\"product\":\"acme-\xed\xa0\x80\""},
        {"leading-zero-number", "size 0100", R"("size":100)", R"("size":0100)"},
        {"trailing-comma", "a comma before the closing brace", R"("version":"1.4.2"})", R"("version":"1.4.2",})"},
        {"comment", "a /* comment */ before the manifest", "{\"created\"", "/**/{\"created\""}})
    edited(c, "R14", "r14-" + id, description, from, to, "manifest.json: invalid JSON");
  Spec s = base_spec();
  s.manifest_bytes_override = "";
  c.out.invalid("R14", "r14-empty", "manifest.json of 0 bytes", assemble(s, c.keys).bytes(), 10,
                "manifest.json: invalid JSON");
  s.manifest_bytes_override = "[]";
  c.out.invalid("R14", "r14-array", "the manifest is [] (not an object)", assemble(s, c.keys).bytes(), 10,
                "manifest: expected a JSON object");
}

}  // namespace

void manifest_vectors(Ctx& c) {
  member_vectors(c);
  image_vectors(c);
  sbom_vectors(c);
  canonical_vectors(c);
}

}  // namespace fwseal::vectors
