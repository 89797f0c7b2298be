#include "workspace.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace fwseal::test {

Workspace::Workspace(const std::string& token) : token_(token) {
  ::mkdir((dir_ / "hsm").c_str(), 0700);
  write_bytes(dir_ / "pin", "1234-user\n");
  write_bytes(dir_ / "so-pin", "5678-so\n");
  ::chmod((dir_ / "pin").c_str(), 0600);  // fwseal refuses PIN files others can read
  ::chmod((dir_ / "so-pin").c_str(), 0600);
  auto r = fwseal({"hsm", "init", "--token", token_});
  if (r.exit_code != 0) ADD_FAILURE() << "hsm init failed: " << r.err;
}

RunOptions Workspace::env() const {
  RunOptions o;
  o.env = {{"FWSEAL_HOME", dir_ / "hsm"}, {"FWSEAL_PIN_FILE", dir_ / "pin"}, {"FWSEAL_SO_PIN_FILE", dir_ / "so-pin"}};
  o.unset = {"FWSEAL_PIN", "FWSEAL_SO_PIN", "FWSEAL_PKCS11_MODULE", "SOFTHSM2_CONF", "SOURCE_DATE_EPOCH"};
  return o;
}

RunResult Workspace::fwseal(const std::vector<std::string>& args, RunOptions options) const {
  RunOptions o = env();
  for (const auto& [k, v] : options.env) {
    o.env[k] = v;
    std::erase(o.unset, k);  // set by the test: not removed
  }
  for (const auto& u : options.unset) {
    o.env.erase(u);
    o.unset.push_back(u);
  }
  o.stdin_file = options.stdin_file;
  o.cwd = options.cwd;
  std::vector<std::string> argv{bin("fwseal")};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, o);
}

RunResult Workspace::verify(const std::vector<std::string>& args, RunOptions options) const {
  std::vector<std::string> argv{bin("fwseal-verify")};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, options);
}

void Workspace::keygen(const std::string& object, const std::string& alg) const {
  auto r = fwseal({"hsm", "keygen", "--key", key_uri(object), "--alg", alg});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto p = fwseal({"hsm", "pubkey", "--key", key_uri(object), "-o", path(object + ".pub.pem")});
  ASSERT_EQ(p.exit_code, 0) << p.err;
}

std::string Workspace::write_spec(const std::string& name, int security_version) const {
  std::string img_a(1000, 'a'), img_b, img_c = "c";
  for (int i = 0; i < 70000; ++i) img_b.push_back(static_cast<char>((i * 7919) & 0xff));
  write_bytes(path("a.bin"), img_a);
  write_bytes(path("b.bin"), img_b);
  write_bytes(path("c.bin"), img_c);
  write_bytes(path(name), R"({
    // test product
    "product": "acme-cam", "version": "1.4.2", "security_version": )" +
                            std::to_string(security_version) + R"(,
    "hardware": ["rev-b", "rev-c"], "created": 1790000000,
    "images": [
      {"name": "bootloader", "type": "bootloader", "path": "a.bin"},
      {"name": "rootfs", "type": "rootfs", "path": "b.bin"},
      {"name": "config", "type": "config", "path": "c.bin"}
    ]})");
  return path(name);
}

std::string Workspace::signed_package(const std::vector<std::string>& key_objects, const std::string& name) const {
  std::string spec = write_spec();
  std::string pkg = path(name);
  auto p = fwseal({"package", "--spec", spec, "-o", pkg, "--force"});  // tests reuse names
  EXPECT_EQ(p.exit_code, 0) << p.err;
  for (const auto& k : key_objects) {
    auto s = fwseal({"sign", pkg, "--key", key_uri(k)});
    EXPECT_EQ(s.exit_code, 0) << s.err;
  }
  return pkg;
}

std::string Workspace::trust(const std::vector<std::string>& key_objects, const std::vector<std::string>& extra,
                             const std::string& name) const {
  std::vector<std::string> args{"trust", "create", "-o", path(name)};
  for (const auto& k : key_objects) {
    args.push_back("--pubkey");
    args.push_back(path(k + ".pub.pem"));
  }
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = fwseal(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return path(name);
}

}  // namespace fwseal::test
