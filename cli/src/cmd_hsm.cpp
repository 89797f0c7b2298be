#include <cstdio>
#include <vector>

#include <nlohmann/json.hpp>

#include "args.h"
#include "commands.h"
#include "fwseal/base/digest.h"
#include "fwseal/base/file.h"
#include "fwseal/base/text.h"
#include "fwseal/hsm/hsm.h"
#include "fwseal/hsm/uri.h"
#include "fwseal/hsm/encryption_keys.h"
#include "hsm_options.h"

namespace fwseal::cli {

namespace {

int hsm_init(const Args& args) {
  auto token = args.required("--token");
  if (!token.ok()) return usage_error(token.error().message);
  auto info = hsm::init_token(hsm_options(args), *token);
  if (!info.ok()) return fail(info.error());
  if (args.flag("--json"))
    print_json({{"token", info->label}, {"serial", info->serial}, {"module", info->module}, {"config", info->softhsm2_conf}});
  else if (!args.flag("--quiet"))
    std::printf("token \"%s\" created (serial %s)\n  module %s\n  config %s\n", info->label.c_str(), info->serial.c_str(),
                info->module.c_str(), info->softhsm2_conf.c_str());
  return 0;
}

// Keys of encrypted images: a device class's recipient key, a release's secret.
int hsm_keygen_encryption(const Args& args, const std::string& uri_text, const std::string& alg) {
  if (alg == "x25519")
    return usage_error("--alg x25519: recipient keys in a token are ecdh-p256 (PKCS#11 modules such as SoftHSM2 "
                       "have no X25519 derivation); keep an X25519 device key in a PEM file instead");
  auto uri = hsm::parse_key_uri(uri_text);
  if (!uri.ok()) return fail(uri.error());
  const auto kind = alg == "ecdh-p256" ? hsm::EncryptionKeyKind::recipient_p256 : hsm::EncryptionKeyKind::secret;
  auto key = hsm::generate_encryption_key(hsm_options(args), *uri, kind);
  if (!key.ok()) return fail(key.error());
  const nlohmann::json key_id = key->recipient_key_id ? nlohmann::json(to_hex(*key->recipient_key_id)) : nullptr;
  if (args.flag("--json")) {
    print_json({{"token", key->token}, {"label", key->label}, {"algorithm", alg}, {"key_id", key_id}, {"uri", key->uri},
                {"note", nullptr}});
    return 0;
  }
  if (args.flag("--quiet")) return 0;
  if (kind == hsm::EncryptionKeyKind::secret)
    std::printf("generated encryption secret \"%s\" on token \"%s\" (sensitive, not extractable; HMAC-SHA-256 "
                "only)\nuri %s\nuse: fwseal package --encryption-key '%s' ...\n",
                key->label.c_str(), key->token.c_str(), key->uri.c_str(), key->uri.c_str());
  else
    std::printf("generated recipient key \"%s\" on token \"%s\" (ECDH P-256, derive only, not extractable)\nkey "
                "id %s\nuri %s\nits public key for release specs: fwseal hsm pubkey --key '%s' -o %s.pub.pem\n",
                key->label.c_str(), key->token.c_str(), to_hex(*key->recipient_key_id).c_str(), key->uri.c_str(),
                key->uri.c_str(), key->label.c_str());
  return 0;
}

int hsm_keygen(const Args& args) {
  auto uri_text = args.required("--key");
  auto alg_name = args.required("--alg");
  if (!uri_text.ok() || !alg_name.ok())
    return usage_error(!uri_text.ok() ? uri_text.error().message : alg_name.error().message);
  if (*alg_name == "ecdh-p256" || *alg_name == "hmac-sha256" || *alg_name == "x25519")
    return hsm_keygen_encryption(args, *uri_text, *alg_name);
  auto alg = parse_algorithm(*alg_name, "--alg");
  if (!alg.ok()) return usage_error(alg.error().message + " (or, for encrypted images: ecdh-p256, hmac-sha256)");
  auto uri = hsm::parse_key_uri(*uri_text);
  if (!uri.ok()) return fail(uri.error());
  auto key = hsm::generate_key(hsm_options(args), *uri, *alg);
  if (!key.ok()) return fail(key.error());
  if (args.flag("--json")) {
    print_json({{"token", key->token}, {"label", key->label}, {"algorithm", algorithm_name(*alg)},
                {"key_id", key->key_id ? nlohmann::json(to_hex(*key->key_id)) : nullptr}, {"uri", key->uri},
                {"note", key->note.empty() ? nlohmann::json(nullptr) : nlohmann::json(key->note)}});
    return 0;
  }
  if (!key->note.empty()) std::fprintf(stderr, "fwseal: note: %s\n", key->note.c_str());
  if (args.flag("--quiet")) return 0;
  std::printf("generated %s key \"%s\" on token \"%s\" (private half sensitive, not extractable)\nkey id %s\nuri %s\n",
              std::string(algorithm_name(*alg)).c_str(), key->label.c_str(), key->token.c_str(),
              key->key_id ? to_hex(*key->key_id).c_str() : "unknown", key->uri.c_str());
  return 0;
}

// `hsm list --json` (docs/JSON.md): every key with its URI, and why a key
// fwseal cannot sign with is unusable.
nlohmann::json keys_json(const std::vector<hsm::KeyInfo>& keys) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& k : keys)
    list.push_back({{"token", k.token},
                    {"label", k.label},
                    {"id", to_hex(k.id)},
                    {"uri", k.uri},
                    {"usable", k.algorithm.has_value()},
                    {"algorithm", k.algorithm ? nlohmann::json(std::string(algorithm_name(*k.algorithm))) : nullptr},
                    {"key_id", k.key_id ? nlohmann::json(to_hex(*k.key_id)) : nullptr},
                    {"reason", k.note.empty() ? nlohmann::json(nullptr) : nlohmann::json(k.note)}});
  return {{"keys", std::move(list)}};
}

// One line a key, then its URI (to copy into --key) and, for a key fwseal
// cannot sign with, why.
void print_keys(const std::vector<hsm::KeyInfo>& keys) {
  std::printf("%-16s %-20s %-13s %s\n", "TOKEN", "LABEL", "ALGORITHM", "KEY ID (SHA-256 of the public key)");
  for (const auto& k : keys) {
    std::string alg = k.algorithm ? std::string(algorithm_name(*k.algorithm)) : "unusable";
    std::string id = k.key_id ? to_hex(*k.key_id) : "-";
    std::printf("%-16s %-20s %-13s %s\n", quote(k.token).c_str(), quote(k.label).c_str(), alg.c_str(), id.c_str());
    std::printf("  uri    %s\n", k.uri.c_str());
    if (!k.note.empty()) std::printf("  reason %s\n", k.note.c_str());
  }
}

int hsm_list(const Args& args) {
  auto t = args.value("--token");
  auto uri = t ? hsm::token_uri_for_label(*t) : hsm::parse_token_uri("pkcs11:");
  if (!uri.ok()) return fail(uri.error());
  auto keys = hsm::list_keys(hsm_options(args), *uri);
  if (!keys.ok()) return fail(keys.error());
  if (args.flag("--json")) {
    print_json(keys_json(*keys));
    return 0;
  }
  if (keys->empty()) {
    std::printf("no private keys\n");
    return 0;
  }
  print_keys(*keys);
  return 0;
}

int hsm_pubkey(const Args& args) {
  auto uri_text = args.required("--key");
  if (!uri_text.ok()) return usage_error(uri_text.error().message);
  auto uri = hsm::parse_key_uri(*uri_text);
  if (!uri.ok()) return fail(uri.error());
  auto key = hsm::read_public_key(hsm_options(args), *uri);
  if (!key.ok()) return fail(key.error());
  auto pem = public_key_to_pem(key->get());
  if (!pem.ok()) return fail(pem.error());
  if (auto out = args.value("-o")) {
    auto w = write_file_atomic(*out, *pem);
    if (!w.ok()) return fail(w.error());
    if (args.flag("--json")) {
      auto id = key_id_of(key->get());
      print_json({{"public_key", *out}, {"key_id", id.ok() ? nlohmann::json(to_hex(*id)) : nullptr}});
    }
    return 0;
  }
  if (args.flag("--json")) return usage_error("--json goes with -o FILE (without it, stdout is the PEM)");
  std::fputs(pem->c_str(), stdout);
  return 0;
}

}  // namespace

void add_hsm_command(Command& fwseal) {
  Command& hsm = fwseal.add_command("hsm", "keys in a PKCS#11 token (SoftHSM2 by default)");
  Command& init = add_command(hsm, "init", "create a SoftHSM2 token in fwseal's state directory ($FWSEAL_HOME)", hsm_init);
  init.add_value("--token", "NAME", "the token's label")->required();
  Command& keygen = add_command(hsm, "keygen", "generate a key pair inside the token (private half not extractable)",
                                hsm_keygen);
  keygen.add_value("-k,--key", "URI", "the key to create: pkcs11:token=NAME;object=LABEL")->required();
  keygen.add_value("--alg", "ALG", "signing: ecdsa-p256, ecdsa-p384, ed25519, rsa-pss-3072, rsa-pss-4096; encrypted images: ecdh-p256 (a recipient key), hmac-sha256 (a release secret)")->required();
  Command& list = add_command(hsm, "list", "list the private keys, with their URIs and key ids", hsm_list);
  list.add_value("--token", "NAME", "only this token's keys");
  Command& pubkey = add_command(hsm, "pubkey", "print a key's public half as PEM", hsm_pubkey);
  pubkey.add_value("-k,--key", "URI", "the key, a PKCS#11 URI")->required();
  pubkey.add_value("-o,--output", "FILE", "write the PEM there instead of stdout (--json needs it)");
  for (Command* c : {&init, &keygen, &list, &pubkey}) {
    add_module_option(*c);
    add_output_switches(*c);
  }
}

}  // namespace fwseal::cli
