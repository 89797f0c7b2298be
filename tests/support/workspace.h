// A throwaway fwseal world for end-to-end tests: its own FWSEAL_HOME with a
// fresh SoftHSM2 token, PIN files, example images and a package spec.
#pragma once

#include <string>
#include <vector>

#include "run.h"

namespace fwseal::test {

class Workspace {
 public:
  explicit Workspace(const std::string& token = "t");
  const TempDir& dir() const { return dir_; }
  std::string path(const std::string& name) const { return dir_ / name; }
  const std::string& token() const { return token_; }
  std::string key_uri(const std::string& object) const { return "pkcs11:token=" + token_ + ";object=" + object; }

  // Runs build/bin/fwseal with this workspace's environment.
  RunResult fwseal(const std::vector<std::string>& args, RunOptions options = {}) const;
  RunResult verify(const std::vector<std::string>& args, RunOptions options = {}) const;

  // fwseal hsm keygen; writes <object>.pub.pem; fails the test on error.
  void keygen(const std::string& object, const std::string& alg) const;
  // Writes images a (1000 bytes), b (70000 bytes), c (1 byte) and spec.json.
  std::string write_spec(const std::string& name = "spec.json", int security_version = 3) const;
  // package + sign with each key; returns the package path.
  std::string signed_package(const std::vector<std::string>& key_objects, const std::string& name = "p.fwpkg") const;
  // trust.json pinning the given keys' public keys.
  std::string trust(const std::vector<std::string>& key_objects, const std::vector<std::string>& extra = {},
                    const std::string& name = "trust.json") const;
  RunOptions env() const;

 private:
  TempDir dir_;
  std::string token_;
};

}  // namespace fwseal::test
