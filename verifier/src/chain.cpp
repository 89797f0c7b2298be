// Step 7a, certificates. See chain.h for the rules, chain_messages.cpp for
// what a technician is told when one fails. A key whose chain is refused or
// revoked is not trusted: it counts towards no threshold (R18).
#include "chain.h"

#include <openssl/x509v3.h>

#include <ctime>

#include "chain_internal.h"
#include "fwseal/base/time.h"
#include "fwseal/format/x509.h"
#include "steps.h"

namespace fwseal::verifier::steps {
namespace chain_detail {

std::string quoted(const X509* cert) { return "'" + name_text(X509_get_subject_name(cert)) + "'"; }

std::string root_label(const ChainRoot& root) {
  const std::string subject = name_text(X509_get_subject_name(root.cert.get()));
  return root.root->name.empty() ? "root '" + subject + "'" : "root '" + root.root->name + "' (" + subject + ")";
}

CertificateReport describe(const X509* cert) {
  auto when = [](const ASN1_TIME* t) {
    auto s = time_of(t, "time");
    return s.ok() ? rfc3339_utc(*s) : std::string("(unreadable)");
  };
  return CertificateReport{name_text(X509_get_subject_name(cert)), name_text(X509_get_issuer_name(cert)),
                           serial_hex(X509_get0_serialNumber(cert)), when(X509_get0_notBefore(cert)),
                           when(X509_get0_notAfter(cert))};
}

const ChainRoot* root_of_chain(const std::vector<ChainRoot>& roots, STACK_OF(X509) * chain) {
  if (!chain || sk_X509_num(chain) == 0) return nullptr;
  X509* top = sk_X509_value(chain, sk_X509_num(chain) - 1);
  for (const auto& r : roots)
    if (X509_cmp(top, r.cert.get()) == 0) return &r;
  return nullptr;
}

}  // namespace chain_detail

namespace {

using namespace chain_detail;

const ParsedCrl* crl_from(const std::vector<ParsedCrl>& crls, const X509_NAME* issuer) {
  for (const auto& c : crls)
    if (X509_NAME_cmp(X509_CRL_get_issuer(c.crl.get()), issuer) == 0) return &c;
  return nullptr;
}

// OpenSSL reports every problem here first; returning 1 accepts it. Only
// these are accepted, everything else fails the chain:
//  - no CRL from a CA, unless the chain's root says require_crl (a root is
//    never looked up in a CRL: it is trusted by being listed, and untrusted
//    by being removed);
//  - a CRL outside its thisUpdate..nextUpdate window: the device has no clock,
//    and the CRL in trust.json is the newest it has.
bool accepted(X509_STORE_CTX* ctx, CallbackState& state) {
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx);
  const X509* cert = X509_STORE_CTX_get_current_cert(ctx);
  switch (X509_STORE_CTX_get_error(ctx)) {
    case X509_V_ERR_UNABLE_TO_GET_CRL: {
      const bool top = chain && X509_STORE_CTX_get_error_depth(ctx) == sk_X509_num(chain) - 1;
      if (top) return true;
      const ChainRoot* root = root_of_chain(*state.roots, chain);
      if (!root || !cert) return false;
      // OpenSSL found the issuer's CRL out of scope or unverifiable: apply_crls
      // applies it or refuses the certificate once the chain is built.
      if (state.crls && crl_from(*state.crls, X509_get_issuer_name(cert))) return true;
      if (root->root->require_crl) return false;
      state.notes.push_back("no CRL from '" + name_text(X509_get_issuer_name(cert)) +
                            "' in trust.json: " + quoted(cert) + " was not checked for revocation (" +
                            root_label(*root) + " does not set require_crl)");
      return true;
    }
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_CRL_HAS_EXPIRED:
      return true;
    default:
      return false;
  }
}

int verify_callback(int ok, X509_STORE_CTX* ctx) {
  if (ok == 1) return 1;
  auto* state = static_cast<CallbackState*>(X509_STORE_CTX_get_app_data(ctx));
  if (!state) return 0;
  if (accepted(ctx, *state)) return 1;
  if (!state->failure) state->failure = explain_failure(ctx, *state->trust, *state->roots, state->build_time);
  return 0;
}

Result<std::vector<ChainRoot>> load_roots(const TrustPolicy& trust) {
  std::vector<ChainRoot> roots;
  for (std::size_t s = 0; s < trust.key_sets.size(); ++s)
    for (const auto& root : trust.key_sets[s].roots) {
      FWSEAL_ASSIGN(ossl::X509Ptr cert, certificate_from_der(root.certificate_der, "trust.json root"));
      roots.push_back(ChainRoot{&root, s, std::move(cert)});
    }
  return roots;
}

Result<ossl::X509Store> make_store(const std::vector<ChainRoot>& roots, const std::vector<ParsedCrl>& crls) {
  ossl::X509Store store(X509_STORE_new());
  if (!store) return make_error(Code::internal, "out of memory");
  for (const auto& r : roots)
    if (X509_STORE_add_cert(store.get(), r.cert.get()) != 1)
      return make_error(Code::internal, "cannot add a root: " + ossl::last_error());
  for (const auto& c : crls)
    if (X509_STORE_add_crl(store.get(), c.crl.get()) != 1)
      return make_error(Code::internal, "cannot add a CRL: " + ossl::last_error());
  return store;
}

// R18: applies, to each certificate of a verified chain but its root, the
// trust.json CRL of its issuer (check_chain in chain.h says why OpenSSL's
// own check is not enough).
std::optional<Failure> apply_crls(STACK_OF(X509) * chain, const std::vector<ParsedCrl>& crls,
                                  const TrustPolicy& trust) {
  const int n = chain ? sk_X509_num(chain) : 0;
  for (int i = 0; i + 1 < n; ++i) {
    X509* cert = sk_X509_value(chain, i);
    X509* issuer = sk_X509_value(chain, i + 1);
    const ParsedCrl* c = crl_from(crls, X509_get_issuer_name(cert));
    if (!c) continue;
    const int ok = X509_CRL_verify(c->crl.get(), X509_get0_pubkey(issuer));
    ossl::last_error();
    if (ok != 1)
      return Failure{false, c->source->source + ", the CRL of " + quoted(issuer) +
                                ", does not verify with the key of that CA's certificate in this chain, so it cannot "
                                "be applied and " + quoted(cert) +
                                " is refused: put the CRL that CA signed in trust.json"};
    X509_REVOKED* entry = nullptr;
    if (X509_CRL_get0_by_cert(c->crl.get(), &entry, cert) == 1) return Failure{true, revoked_message(trust, cert)};
  }
  return std::nullopt;
}

Status set_params(X509_STORE_CTX* ctx, const TrustPolicy& trust, std::int64_t build_time) {
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
  unsigned long flags = X509_V_FLAG_X509_STRICT | X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
  if (trust.validity == CertValidity::none)
    flags |= X509_V_FLAG_NO_CHECK_TIME;
  else
    X509_VERIFY_PARAM_set_time(param, static_cast<std::time_t>(build_time));
  if (X509_VERIFY_PARAM_set_flags(param, flags) != 1)
    return make_error(Code::internal, "cannot set verification flags");
  X509_VERIFY_PARAM_set_auth_level(param, 3);  // 128-bit security: P-256, Ed25519, RSA-3072, SHA-256
  X509_VERIFY_PARAM_set_depth(param, 8);
  return ok_status();
}

}  // namespace

struct ChainAnchors::Impl {
  std::vector<ChainRoot> roots;
  std::vector<ParsedCrl> crls;
  ossl::X509Store store;
};

Result<ChainAnchors> ChainAnchors::load(const TrustPolicy& trust) {
  auto impl = std::make_shared<Impl>();
  FWSEAL_ASSIGN(impl->roots, load_roots(trust));
  for (const auto& c : trust.crls) {
    FWSEAL_ASSIGN(ossl::X509Crl crl, crl_from_der(c.der, c.source));
    impl->crls.push_back(ParsedCrl{&c, std::move(crl)});
  }
  FWSEAL_ASSIGN(impl->store, make_store(impl->roots, impl->crls));
  return ChainAnchors(std::move(impl));
}

Result<ChainVerdict> check_chain(const SignatureEnvelope& env, const TrustPolicy& trust, std::int64_t build_time) {
  FWSEAL_ASSIGN(ChainAnchors anchors, ChainAnchors::load(trust));
  return check_chain(env, trust, anchors, build_time);
}

namespace {

// Phase 1 (R18): the first certificate holds the signing key, one fwseal
// accepts. Empty if so; else why not.
Result<std::string> leaf_key_problem(X509* leaf, const KeyId& signing_key) {
  EVP_PKEY* leaf_key = X509_get0_pubkey(leaf);
  if (!leaf_key) return "certificate " + quoted(leaf) + " has no usable public key";
  if (auto alg = algorithm_of(leaf_key); !alg.ok())
    return "certificate " + quoted(leaf) + " has a key fwseal does not accept: " + alg.error().message;
  if (Status weak = check_public_key(leaf_key, "its key"); !weak.ok())
    return "certificate " + quoted(leaf) + " certifies a weak key: " + weak.error().message;
  FWSEAL_ASSIGN(KeyId leaf_id, certificate_key_id(leaf));
  if (leaf_id != signing_key)
    return "certificate " + quoted(leaf) + " is for key " + short_hex(leaf_id) + ", not the signing key " +
           short_hex(signing_key) + ": put the signing key's own certificate first (fwseal sign --cert)";
  return std::string();
}

// A failed chain: revoked, or refused for another reason.
ChainVerdict failed(ChainVerdict v, Failure f) {
  v.outcome = f.revoked ? ChainVerdict::Outcome::revoked : ChainVerdict::Outcome::refused;
  v.report.result = CheckResult::fail;
  v.report.detail = std::move(f.message);
  return v;
}

}  // namespace

Result<ChainVerdict> check_chain(const SignatureEnvelope& env, const TrustPolicy& trust, const ChainAnchors& anchors,
                                 std::int64_t build_time) {
  ChainVerdict v;
  std::vector<ossl::X509Ptr> certs;
  for (std::size_t i = 0; i < env.certificates.size(); ++i) {
    FWSEAL_ASSIGN(ossl::X509Ptr c,
                  certificate_from_der(env.certificates[i], "certificates[" + std::to_string(i) + "]"));
    v.report.certificates.push_back(describe(c.get()));
    certs.push_back(std::move(c));
  }
  if (certs.empty()) return make_error(Code::internal, "check_chain without certificates");
  X509* leaf = certs[0].get();
  FWSEAL_ASSIGN(std::string leaf_problem_text, leaf_key_problem(leaf, env.key_id));
  if (!leaf_problem_text.empty()) return failed(std::move(v), Failure{false, std::move(leaf_problem_text)});
  EVP_PKEY* leaf_key = X509_get0_pubkey(leaf);
  EVP_PKEY_up_ref(leaf_key);
  v.leaf_key.reset(leaf_key);

  // Phase 2 (R18): OpenSSL builds and checks the chain to a trust.json root.
  const std::vector<ChainRoot>& roots = anchors.impl().roots;
  X509_STORE* store = anchors.impl().store.get();
  ossl::X509Stack untrusted(sk_X509_new_null());
  ossl::X509StoreCtx ctx(X509_STORE_CTX_new());
  if (!untrusted || !ctx) return make_error(Code::internal, "out of memory");
  for (std::size_t i = 1; i < certs.size(); ++i) {
    if (sk_X509_push(untrusted.get(), certs[i].get()) <= 0) return make_error(Code::internal, "out of memory");
    X509_up_ref(certs[i].get());
  }
  if (X509_STORE_CTX_init(ctx.get(), store, leaf, untrusted.get()) != 1)
    return make_error(Code::internal, "cannot start chain verification: " + ossl::last_error());
  FWSEAL_TRY(set_params(ctx.get(), trust, build_time));
  CallbackState state{&trust, &roots, &anchors.impl().crls, build_time, {}, std::nullopt};
  X509_STORE_CTX_set_app_data(ctx.get(), &state);
  X509_STORE_CTX_set_verify_cb(ctx.get(), verify_callback);

  const int rc = X509_verify_cert(ctx.get());
  ossl::last_error();
  v.report.notes = std::move(state.notes);
  if (STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get()); built && sk_X509_num(built) > 0) {
    v.report.certificates.clear();
    for (int i = 0; i < sk_X509_num(built); ++i) v.report.certificates.push_back(describe(sk_X509_value(built, i)));
  }
  if (rc != 1)
    return failed(std::move(v), state.failure ? std::move(*state.failure)
                                              : explain_failure(ctx.get(), trust, roots, build_time));

  // Phase 3 (R18): every trust.json CRL of an issuer in the chain, then the leaf's uses.
  const ChainRoot* root = root_of_chain(roots, X509_STORE_CTX_get0_chain(ctx.get()));
  if (!root) return make_error(Code::internal, "verified chain does not end at a trust.json root");
  v.report.root = root_label(*root);
  if (std::optional<Failure> f = apply_crls(X509_STORE_CTX_get0_chain(ctx.get()), anchors.impl().crls, trust))
    return failed(std::move(v), std::move(*f));
  if (auto why = leaf_problem(leaf, trust); !why.empty()) return failed(std::move(v), Failure{false, std::move(why)});
  v.outcome = ChainVerdict::Outcome::trusted;
  v.key_set = root->set;
  v.report.result = CheckResult::pass;
  v.report.detail = "certificate " + quoted(leaf) + " leads to " + v.report.root + " (" +
                    key_set_label(trust.key_sets[root->set]) + ")";
  return v;
}

}  // namespace fwseal::verifier::steps
