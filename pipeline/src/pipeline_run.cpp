#include "fwseal/format/created.h"
#include "fwseal/pipeline/run.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "fwseal/format/canonical_json.h"
#include "fwseal/base/digest.h"
#include "fwseal/base/file.h"
#include "fwseal/format/provenance.h"
#include "fwseal/format/rule.h"
#include "fwseal/format/trust.h"
#include "fwseal/format/x509.h"
#include "fwseal/hsm/hsm.h"
#include "fwseal/hsm/encryption_keys.h"
#include "fwseal/hsm/pin_sources.h"
#include "fwseal/hsm/signing_key.h"
#include "fwseal/hsm/uri.h"
#include "fwseal/inventory/add.h"
#include "fwseal/inventory/scan.h"
#include "fwseal/packager/spec.h"
#include "fwseal/pipeline/plan.h"
#include "fwseal/base/process.h"
#include "fwseal/pipeline/release.h"
#include "fwseal/signer/audit.h"

namespace fwseal::pipeline {

namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

Error prefixed(std::string_view where, const Error& e) { return make_error(e.code, std::string(where) + ": " + e.message); }

Status make_dirs(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(Code::io, "cannot create " + dir + ": " + ec.message());
  return ok_status();
}

// Rewrites `path` only when its content changes: ninja compares mtimes, so an
// unchanged spec must keep its mtime.
Status write_if_changed(const std::string& path, std::string_view content) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_size) == content.size()) {
    auto old = read_file(path, content.size() + 1);
    if (old.ok() && *old == content) return ok_status();
  }
  return write_file_atomic(path, content);
}

Result<std::int64_t> release_time(const Release& r) { return resolve_created(r.created, "release.created"); }

Result<std::string> output_dir(const Release& r, const RunOptions& o) {
  std::error_code ec;
  fs::path p = o.output ? fs::path(*o.output) : !r.output.empty() ? fs::path(r.output) : fs::path("out") / r.name;
  p = fs::absolute(p, ec);
  if (ec) return make_error(Code::io, "cannot resolve the output directory: " + ec.message());
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20) return make_error(Code::usage, "output directory: control character in path");
  return s;
}

Result<Tools> find_tools() {
  Tools t;
  FWSEAL_ASSIGN(t.fwseal, self_exe());
  FWSEAL_ASSIGN(std::string dir, self_exe_dir());
  t.verify = dir + "/fwseal-verify";
  if (::access(t.verify.c_str(), X_OK) != 0)
    return make_error(Code::io, t.verify + ": the standalone verifier is not beside fwseal (" + errno_text(errno) +
                                    "); build both (cmake --build) and run them from the same directory");
  return t;
}

Result<std::string> find_ninja() {
  if (auto ninja = find_in_path("ninja")) return *ninja;
  return make_error(Code::io, "ninja not found in $PATH: install ninja-build (scripts/setup.sh does)");
}

struct OpenedKeys {
  std::vector<SigningKeyInfo> info;
  std::vector<TrustedKey> trusted;
  std::string provenance_key_id;  // hex
  std::optional<TrustedKey> provenance_key;  // its public key, for the report's check
};

// Opens the key at `uri_text` (a member of the release file named `where`):
// its URI is checked, the PIN must come without a prompt, the key must exist.
Result<std::pair<hsm::KeyUri, std::unique_ptr<SigningKey>>> open_key(const hsm::Options& opts,
                                                                       const std::string& uri_text,
                                                                       const std::string& where) {
  auto uri = hsm::parse_key_uri(uri_text);
  if (!uri.ok()) return make_error(Code::malformed, where + ".uri: " + uri.error().message);
  if (!hsm::pin_available_without_prompt(*uri))
    return make_error(Code::login, where + ": signing runs in build jobs that cannot prompt for a PIN; set "
                                           "FWSEAL_PIN_FILE (or FWSEAL_PIN, or the key URI's pin-source)");
  auto key = hsm::open_signing_key(opts, *uri);
  if (!key.ok()) return prefixed(where, key.error());
  return std::pair{std::move(*uri), std::unique_ptr<SigningKey>(std::move(*key))};
}

// Logs in to every signing key (and the provenance key) once, before any
// work: a wrong PIN or a missing key fails the run at once instead of in the
// middle of a build.
Result<OpenedKeys> open_keys(const Release& r) {
  OpenedKeys out;
  hsm::Options opts;
  opts.module = r.module;
  for (std::size_t i = 0; i < r.keys.size(); ++i) {
    const std::string where = "release.signing.keys[" + std::to_string(i) + "]";
    FWSEAL_ASSIGN(auto opened, open_key(opts, r.keys[i].uri, where));
    auto& [uri, key] = opened;
    SigningKeyInfo info;
    info.uri = r.keys[i].uri;
    info.key_id = to_hex(key->key_id());
    info.algorithm = std::string(algorithm_name(key->algorithm()));
    info.certificate_chain = r.keys[i].certificate_chain;
    out.info.push_back(std::move(info));
    std::string name = uri.object ? *uri.object : "signing-key-" + std::to_string(i + 1);
    auto trusted = make_trusted_key(key->public_key(), name);
    if (!trusted.ok()) return prefixed(where, trusted.error());
    out.trusted.push_back(std::move(*trusted));
    if (r.keys[i].uri == r.provenance_key) {
      out.provenance_key_id = out.info.back().key_id;
      out.provenance_key = out.trusted.back();
    }
  }
  if (out.provenance_key_id.empty()) {
    FWSEAL_ASSIGN(auto opened, open_key(opts, r.provenance_key, "release.provenance"));
    out.provenance_key_id = to_hex(opened.second->key_id());
    auto trusted = make_trusted_key(opened.second->public_key(), opened.first.object ? *opened.first.object : "provenance");
    if (!trusted.ok()) return prefixed("release.provenance", trusted.error());
    out.provenance_key = std::move(*trusted);
  }
  return out;
}

// The encryption secret in a token, opened before any work,
// like the signing keys: a wrong PIN, a missing object or one that is not an
// HMAC secret fails the run at once. A secret file was read with the release.
Status open_encryption_key(const Release& r) {
  if (!r.encryption || r.encryption->key.empty()) return ok_status();
  const std::string where = "release.encryption.key";
  auto uri = hsm::parse_key_uri(r.encryption->key);
  if (!uri.ok()) return make_error(Code::malformed, where + ": " + uri.error().message);
  if (!hsm::pin_available_without_prompt(*uri))
    return make_error(Code::login, where + ": packaging runs in build jobs that cannot prompt for a PIN; set "
                                           "FWSEAL_PIN_FILE (or FWSEAL_PIN, or the key URI's pin-source)");
  hsm::Options opts;
  opts.module = r.module;
  auto secret = hsm::open_encryption_secret(opts, r.encryption->key);
  if (!secret.ok()) return prefixed(where, secret.error());
  return ok_status();
}

Result<TrustPolicy> make_trust(const Release& r, const OpenedKeys& keys) {
  const TrustSpec& t = r.trust;
  TrustPolicy p;
  KeySet set;
  if (t.pin_signing_keys) set.keys = keys.trusted;
  for (std::size_t i = 0; i < t.public_keys.size(); ++i) {
    const std::string where = "release.trust.public_keys[" + std::to_string(i) + "]";
    auto pem = read_file(t.public_keys[i], 1 << 20);
    if (!pem.ok()) return prefixed(where, pem.error());
    auto key = public_key_from_pem(*pem, t.public_keys[i]);
    if (!key.ok()) return prefixed(where, key.error());
    auto trusted = make_trusted_key(key->get(), key_name_from_path(t.public_keys[i]));
    if (!trusted.ok()) return prefixed(where, trusted.error());
    if (std::none_of(set.keys.begin(), set.keys.end(), [&](const TrustedKey& k) { return k.key_id == trusted->key_id; }))
      set.keys.push_back(std::move(*trusted));
  }
  for (std::size_t i = 0; i < t.roots.size(); ++i) {
    const std::string where = "release.trust.roots[" + std::to_string(i) + "]";
    auto pem = read_file(t.roots[i], 1 << 20);
    if (!pem.ok()) return prefixed(where, pem.error());
    auto ders = certificates_from_pem(*pem, t.roots[i], 1);
    if (!ders.ok()) return prefixed(where, ders.error());
    TrustedRoot root;
    root.name = key_name_from_path(t.roots[i]);
    root.certificate_der = (*ders)[0];
    set.roots.push_back(std::move(root));
  }
  set.threshold = t.threshold.value_or(r.keys.size());
  p.key_sets.push_back(std::move(set));
  if (!t.algorithms.empty()) p.algorithms = t.algorithms;
  p.revoked_key_ids = t.revoked_key_ids;
  p.min_security_version = t.min_security_version;
  p.hardware = t.hardware;
  // T1-T10, the rule first as in a trust file's messages.
  if (auto s = check_trust(p); !s.ok()) return with_context("release.trust", s.error());
  return p;
}

// Holds an exclusive lock on OUT/.fwseal/lock for the run.
Result<Fd> lock_work_dir(const std::string& work_dir) {
  std::string path = work_dir + "/lock";
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) return make_error(Code::io, "cannot open " + path + ": " + errno_text(errno));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0)
    return make_error(Code::io, "another fwseal pipeline run is using " + work_dir + "; wait for it to finish");
  return fd;
}

// Puts `src` (in the work tree) at `dst` as one rename: a hard link to the
// same file, so an unchanged output keeps its mtime and costs no copy.
Status publish(const std::string& src, const std::string& dst) {
  struct stat s {}, d {};
  if (::stat(src.c_str(), &s) != 0) return make_error(Code::io, "cannot publish " + src + ": " + errno_text(errno));
  if (::stat(dst.c_str(), &d) == 0 && s.st_dev == d.st_dev && s.st_ino == d.st_ino) return ok_status();
  std::string tmp = dst + ".publish-" + std::to_string(::getpid());
  ::unlink(tmp.c_str());
  if (::link(src.c_str(), tmp.c_str()) != 0) {
    std::error_code ec;
    fs::copy_file(src, tmp, fs::copy_options::overwrite_existing, ec);
    if (ec) return make_error(Code::io, "cannot write " + tmp + ": " + ec.message());
  }
  if (::rename(tmp.c_str(), dst.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return make_error(Code::io, "cannot rename " + tmp + " to " + dst + ": " + errno_text(e));
  }
  return ok_status();
}

Status fsync_dir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd) ::fsync(fd.get());
  return ok_status();
}

// "[3/12] package+sign x100" (NINJA_STATUS below).
bool parse_status(std::string_view line, std::size_t& done, std::size_t& total, std::string& what) {
  if (line.size() < 6 || line[0] != '[') return false;
  auto slash = line.find('/'), close = line.find("] ");
  if (slash == std::string_view::npos || close == std::string_view::npos || slash > close) return false;
  try {
    done = std::stoul(std::string(line.substr(1, slash - 1)));
    total = std::stoul(std::string(line.substr(slash + 1, close - slash - 1)));
  } catch (...) {
    return false;
  }
  what = std::string(line.substr(close + 2));
  return true;
}

std::optional<StepFailure> recorded_failure(const VariantPlan& v) {
  for (Step s : kSteps) {
    auto code = read_file(v.code_path(s), 64);
    if (!code.ok()) continue;
    StepFailure f;
    f.step = s;
    try {
      f.exit_code = std::stoi(*code);
    } catch (...) {
      f.exit_code = 1;
    }
    auto log = read_file(v.log_path(s), 1 << 20);
    f.message = log.ok() ? last_line(*log) : "";
    for (std::string_view prefix : {"fwseal: ", "fwseal-verify: "})
      if (f.message.rfind(prefix, 0) == 0) f.message.erase(0, prefix.size());
    if (s == Step::verify) {
      // fwseal-verify's own decision, as it printed it.
      if (auto j = read_file(v.verify_path(), 16u << 20); j.ok()) {
        auto parsed = nlohmann::json::parse(*j, nullptr, false);
        if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string())
          f.message = "fwseal-verify: " + parsed["message"].get<std::string>();
      }
    }
    if (f.message.empty()) f.message = "exited " + std::to_string(f.exit_code);
    return f;
  }
  return std::nullopt;
}

Code code_of(int exit_code) {
  for (Code c : {Code::usage, Code::io, Code::malformed, Code::digest, Code::signature, Code::untrusted,
                 Code::rollback, Code::hardware, Code::gate, Code::hsm, Code::login})
    if (exit_code == static_cast<int>(c)) return c;
  return Code::internal;
}

// The work tree the build runs in: trust.json and the key list of the run,
// each variant's spec, variant file and components, and the ninja file.
// Files are rewritten only when their content changes, so ninja sees what is
// new.
Status write_work_tree(const ReleasePlan& plan, const OpenedKeys& keys, const std::string& trust_text) {
  FWSEAL_TRY(write_if_changed(plan.trust_path(), trust_text));
  ojson ids = ojson::array();
  for (const auto& k : keys.info) ids.push_back({{"uri", k.uri}, {"key_id", k.key_id}, {"certificate_chain", k.certificate_chain}});
  FWSEAL_TRY(write_if_changed(plan.keys_path(), ids.dump(2) + "\n"));
  for (const auto& v : plan.variants) {
    FWSEAL_TRY(make_dirs(v.work_dir));
    std::vector<std::string> images;
    for (const auto& img : v.images) images.push_back(img.path);
    std::vector<std::string> components;
    for (std::size_t k = 0; k < v.components_files.size(); ++k) components.push_back(v.components_copy(k));
    FWSEAL_TRY(write_if_changed(v.spec_path(), package_spec(v, images, components)));
    FWSEAL_TRY(write_if_changed(v.variant_path(), variant_json(v)));
    if (!v.inline_components.empty()) {
      nlohmann::ordered_json comps = {{"components", v.inline_components}};
      FWSEAL_TRY(write_if_changed(v.inline_components_path(), comps.dump(2) + "\n"));
    }
    FWSEAL_TRY(make_dirs(v.file("components")));
    for (std::size_t k = 0; k < v.components_files.size(); ++k) {
      FWSEAL_ASSIGN(std::string text, read_file(v.components_files[k], 16u << 20));
      FWSEAL_TRY(write_if_changed(v.file(v.components_copy(k)), text));
    }
    for (Step s : kSteps) ::unlink(v.code_path(s).c_str());
  }
  return write_if_changed(plan.ninja_path(), build_ninja(plan));
}

// The build: ninja runs the fwseal commands, in parallel across variants,
// its status lines driving the progress display.
struct Build {
  ChildResult child;
  std::string output;  // ninja's own lines, for a message if it fails
};
// What the steps report on the progress pipe ("step package x100 0", "step
// package x100: packaging: reading and hashing images 314572800", "bytes
// 1048576"), shown with ninja's count of finished steps.
class StepReports {
 public:
  explicit StepReports(ProgressSink* progress) : progress_(progress) {}

  // The pipe's write end, for the children (inherited: no O_CLOEXEC), or -1.
  Status open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return make_error(Code::io, "cannot create a pipe: " + errno_text(errno));
    read_ = Fd(fds[0]);
    write_ = Fd(fds[1]);
    ::fcntl(read_.get(), F_SETFL, O_NONBLOCK);
    ::fcntl(write_.get(), F_SETFD, 0);
    return ok_status();
  }
  int write_fd() const { return write_.get(); }

  void finished(std::size_t done, std::size_t total) { count_ = "[" + std::to_string(done) + "/" + std::to_string(total) + " done] "; }

  // Called on each tick: whatever arrived since.
  void drain() {
    char buf[4096];
    for (;;) {
      const ssize_t n = ::read(read_.get(), buf, sizeof buf);
      if (n <= 0) break;
      pending_.append(buf, static_cast<std::size_t>(n));
    }
    std::size_t at = 0;
    for (std::size_t nl; (nl = pending_.find('\n', at)) != std::string::npos; at = nl + 1) {
      ProgressEvent e;
      if (!parse_progress_event(std::string_view(pending_).substr(at, nl - at), e)) continue;
      if (e.kind == ProgressEvent::step) {
        progress_->begin_step(count_ + e.name, e.value);
        done_ = 0;
      } else if (e.value > done_) {
        progress_->add_bytes(e.value - done_);
        done_ = e.value;
      }
    }
    pending_.erase(0, at);
    if (pending_.size() > 4096) pending_.clear();  // no line is that long
    progress_->tick();
  }

 private:
  ProgressSink* progress_;
  Fd read_, write_;
  std::string pending_;
  std::string count_;
  std::uint64_t done_ = 0;
};

Result<Build> run_build(const ReleasePlan& plan, const std::string& ninja, const RunOptions& o, RunSummary& summary) {
  ProgressSink* progress = o.progress;
  std::optional<StepReports> reports;
  ChildOptions n;
  n.argv = {ninja, "-f", plan.ninja_path(), "-k", "0"};
  if (o.jobs) {
    n.argv.push_back("-j");
    n.argv.push_back(std::to_string(*o.jobs));
  }
  n.cwd = plan.work_dir;
  // If the run is killed (even with SIGKILL), ninja gets SIGTERM and passes
  // it on to the running steps, which remove what they created.
  n.end_with_parent = true;
  n.set_env["NINJA_STATUS"] = "[%f/%t] ";
  if (!progress) n.unset_env.push_back(kProgressFdVariable);  // not one of an outer run
  if (progress) {
    reports.emplace(progress);
    FWSEAL_TRY(reports->open());
    n.set_env[kProgressFdVariable] = std::to_string(reports->write_fd());
    // ninja counts finished steps only; a dry run (-n: nothing is run) says
    // how many there will be, so the first step shows "[0/N done]" too.
    ChildOptions dry;
    dry.argv = {ninja, "-f", plan.ninja_path(), "-n", "-k", "0"};
    dry.cwd = plan.work_dir;
    dry.set_env["NINJA_STATUS"] = "[%f/%t] ";
    dry.close_inherited_fds = true;
    std::size_t total = 0;
    dry.on_stdout_line = [&](std::string_view line) {
      std::size_t d = 0, t = 0;
      std::string what;
      if (parse_status(line, d, t, what)) total = t;
    };
    if (auto r = run_child(dry); r.ok() && r->exit_code == 0 && total > 0) reports->finished(0, total);
  }
  // FWSEAL_PIN reaches no child: the signing steps read the PIN from a
  // memory file they inherit; the reproducibility rebuild gets neither
  // (pipeline_repro.cpp).
  FWSEAL_ASSIGN(hsm::PinForChildren pin, hsm::PinForChildren::from_environment());
  pin.apply(n);
  Build b;
  n.on_stdout_line = [&](std::string_view line) {
    std::size_t done = 0, total = 0;
    std::string what;
    if (parse_status(line, done, total, what)) {
      summary.steps_run = std::max(summary.steps_run, done);
      if (reports) reports->finished(done, total);
    } else if (line == "ninja: no work to do.") {
      summary.up_to_date = true;
    } else {
      b.output.append(line).append("\n");
    }
  };
  if (reports) n.on_tick = [&reports] { reports->drain(); };
  FWSEAL_ASSIGN(b.child, run_child(n));
  return b;
}

// What each variant's steps recorded, and the first failure of all.
struct Outcomes {
  std::vector<VariantOutcome> variants;
  std::optional<std::pair<std::string, StepFailure>> first;  // variant label, failure
};
Outcomes collect_outcomes(const ReleasePlan& plan) {
  Outcomes out;
  for (const auto& v : plan.variants) {
    VariantOutcome vo;
    vo.failure = recorded_failure(v);
    vo.repro_ran = v.repro;
    if (vo.failure && !out.first) out.first = {v.label, *vo.failure};
    out.variants.push_back(std::move(vo));
  }
  return out;
}

// report.json and report.html in the work tree; the summary's verdicts.
Status write_report(const ReleasePlan& plan, const Outcomes& outcomes, const ReportContext& ctx, RunSummary& summary,
                    std::string& message) {
  FWSEAL_ASSIGN(ojson report, build_report(plan, outcomes.variants, ctx));
  FWSEAL_TRY(write_if_changed(plan.work_dir + "/report.json", report.dump(2) + "\n"));
  FWSEAL_TRY(write_if_changed(plan.work_dir + "/report.html", render_html(report)));
  summary.verdict = report["verdict"].get<std::string>();
  message = report["message"].get<std::string>();
  for (std::size_t i = 0; i < plan.variants.size(); ++i) {
    const auto& vj = report["variants"][i];
    VariantSummary vs;
    vs.name = plan.variants[i].name;
    vs.verdict = vj["verdict"].get<std::string>();
    vs.reproducibility = vj["reproducibility"]["result"].get<std::string>();
    if (vj["licences"].is_object()) vs.licences = vj["licences"]["result"].get<std::string>();
    if (vj["package"].is_object() && vj["package"]["manifest_sha256"].is_string())
      vs.manifest_sha256 = vj["package"]["manifest_sha256"].get<std::string>();
    summary.variants.push_back(std::move(vs));
  }
  return ok_status();
}

// A failed run: the report stays in the work tree, the error names the
// first failed step.
RunSummary failed(const ReleasePlan& plan, const Outcomes& outcomes, const std::string& message, RunSummary summary) {
  summary.report_json = plan.work_dir + "/report.json";
  summary.report_html = plan.work_dir + "/report.html";
  if (!outcomes.first) {
    // No step failed, yet the report did: its own check of the provenance.
    summary.error = make_error(Code::signature, message);
    return summary;
  }
  const auto& [label, f] = *outcomes.first;
  const bool named = plan.variants.size() > 1 || !plan.variants[0].name.empty();
  summary.error = make_error(code_of(f.exit_code), (named ? "variant " + label + ": " : std::string()) +
                                                       std::string(step_name(f.step)) + ": " + f.message);
  return summary;
}

// Everything passed: each file renamed into place, the report last.
Status publish_release(const ReleasePlan& plan, const std::string& out_dir, RunSummary& summary) {
  for (std::size_t i = 0; i < plan.variants.size(); ++i) {
    const VariantPlan& v = plan.variants[i];
    FWSEAL_TRY(make_dirs(v.publish_dir));
    FWSEAL_TRY(publish(v.package_path(), v.publish_dir + "/" + v.package_name));
    FWSEAL_TRY(publish(v.sbom_path(), v.publish_dir + "/sbom.cdx.json"));
    FWSEAL_TRY(publish(v.provenance_path(), v.publish_dir + "/" + v.package_name + std::string(kProvenanceSuffix)));
    FWSEAL_TRY(fsync_dir(v.publish_dir));
    summary.variants[i].package = v.publish_dir + "/" + v.package_name;
  }
  FWSEAL_TRY(publish(plan.trust_path(), out_dir + "/trust.json"));
  FWSEAL_TRY(publish(plan.work_dir + "/report.html", out_dir + "/report.html"));
  FWSEAL_TRY(publish(plan.work_dir + "/report.json", out_dir + "/report.json"));
  FWSEAL_TRY(fsync_dir(out_dir));
  summary.published = true;
  summary.report_json = out_dir + "/report.json";
  summary.report_html = out_dir + "/report.html";
  return ok_status();
}

// The added releases scanned against the inventory's advisories (imported
// first from the release file's list); their findings written to
// OUT/vulnerabilities.json; the gate applied to the open ones.
Status scan_added(const InventorySpec& spec, inventory::Connection& db,
                  const std::vector<std::pair<std::string, std::string>>& releases, RunSummary& summary) {
  const std::string added = "published " + summary.out_dir + " and added it to the inventory, but ";
  for (const auto& path : spec.advisories)
    if (auto r = inventory::import_advisories(db, path); !r.ok())
      return make_error(r.error().code, added + "could not import advisories: " + r.error().message);
  if (spec.max_age_days)
    if (auto age = inventory::check_advisory_age(db, *spec.max_age_days, static_cast<std::int64_t>(std::time(nullptr)));
        !age.ok())
      return make_error(age.error().code, added + age.error().message);
  std::vector<inventory::Finding> all;
  for (const auto& r : releases) {
    inventory::ScanOptions o;
    o.release = r;
    FWSEAL_ASSIGN(auto findings, inventory::scan(db, o));
    std::map<std::string, std::size_t> open_by_severity;
    std::size_t open = 0;
    for (const auto& f : findings)
      if (f.open()) {
        ++open;
        ++open_by_severity[f.severity];
      }
    std::string counts;
    for (const char* s : {"critical", "high", "medium", "low", "unknown"})
      if (open_by_severity.count(s)) counts += (counts.empty() ? "" : ", ") + std::to_string(open_by_severity[s]) + " " + s;
    summary.vulnerabilities.push_back(r.first + " " + r.second + ": " + std::to_string(findings.size()) + " findings, " +
                                      std::to_string(open) + " open" + (counts.empty() ? "" : " (" + counts + ")"));
    all.insert(all.end(), findings.begin(), findings.end());
  }
  summary.vulnerabilities_json = summary.out_dir + "/vulnerabilities.json";
  FWSEAL_TRY(write_file_atomic(summary.vulnerabilities_json, inventory::findings_to_json(all)));
  if (!spec.fail_on.empty()) {
    FWSEAL_ASSIGN(inventory::Severity threshold, inventory::parse_severity(spec.fail_on, "fail_on"));
    if (auto gate = inventory::check_gate(all, threshold); !gate.ok())
      return make_error(Code::gate, added + "the vulnerability " + gate.error().message + " (" +
                                        summary.vulnerabilities_json + ")");
  }
  return ok_status();
}

// The published packages into the release inventory, verified again there
// with the run's trust policy. The release stays published when this fails;
// the error says so.
Status add_to_inventory(const Release& release, const TrustPolicy& trust, RunSummary& summary) {
  auto failed_add = [&](const Error& e) {
    return make_error(e.code, "published " + summary.out_dir + ", but not added to the inventory: " + e.message);
  };
  auto db = inventory::open_inventory(release.inventory.db);
  if (!db.ok()) return failed_add(db.error());
  summary.inventory_db = inventory::inventory_display_name(release.inventory.db);
  std::vector<std::pair<std::string, std::string>> added_releases;
  for (const auto& v : summary.variants) {
    auto added = inventory::add_package(**db, v.package, trust, release.inventory.replace);
    if (!added.ok()) return failed_add(added.error());
    summary.inventory.push_back(std::string(inventory::add_outcome_name(added->outcome)) + " " + added->product + " " +
                                added->version + " (" + std::to_string(added->components) + " components)");
    added_releases.emplace_back(added->product, added->version);
  }
  if (release.inventory.scan) FWSEAL_TRY(scan_added(release.inventory, **db, added_releases, summary));
  return ok_status();
}

}  // namespace

Result<RunSummary> run_release(const RunOptions& o) {
  auto phase = [&](std::string_view what) {
    if (o.progress) o.progress->begin_step(what, 0);
  };
  phase("reading the release file");
  FWSEAL_ASSIGN(Release release, load_release(o.release_file));
  if (!o.fail_on.empty()) {
    if (!release.inventory.scan)
      return make_error(Code::usage, "--fail-on: the release file scans nothing; add \"inventory\": {\"scan\": {...}}");
    release.inventory.fail_on = o.fail_on;
  }
  FWSEAL_ASSIGN(std::int64_t created, release_time(release));
  FWSEAL_ASSIGN(std::string out_dir, output_dir(release, o));
  FWSEAL_ASSIGN(Tools tools, find_tools());
  FWSEAL_ASSIGN(std::string ninja, find_ninja());
  const bool repro = release.reproducibility.check && !o.no_repro;
  FWSEAL_ASSIGN(ReleasePlan plan, make_plan(release, out_dir, created, tools, repro));

  phase("opening the signing keys");
  FWSEAL_ASSIGN(OpenedKeys keys, open_keys(release));
  FWSEAL_TRY(open_encryption_key(release));
  FWSEAL_ASSIGN(TrustPolicy trust, make_trust(release, keys));
  FWSEAL_ASSIGN(std::string trust_text, serialize_trust(trust));

  FWSEAL_TRY(make_dirs(plan.work_dir));
  FWSEAL_ASSIGN(Fd lock, lock_work_dir(plan.work_dir));
  FWSEAL_TRY(write_work_tree(plan, keys, trust_text));

  phase("building");
  RunSummary summary;
  summary.release = plan.release_name;
  summary.out_dir = out_dir;
  FWSEAL_ASSIGN(Build built, run_build(plan, ninja, o, summary));
  const Outcomes outcomes = collect_outcomes(plan);
  if (built.child.exit_code != 0 && !outcomes.first) {
    std::string why = last_line(built.child.err.empty() ? built.output : built.child.err);
    return make_error(Code::internal, "ninja exited " + std::to_string(built.child.exit_code) + ": " + why);
  }

  phase("writing the report");
  ReportContext ctx;
  ctx.tool_version = o.tool_version;
  ctx.keys = keys.info;
  ctx.provenance_key_id = keys.provenance_key_id;
  ctx.provenance_key = keys.provenance_key;
  ctx.provenance_key_uri = release.provenance_key;
  ctx.trust = &trust;
  ctx.created_source = release.created ? "release" : "none";
  if (!release.created)
    if (auto sde = source_date_epoch_from_env(); sde.ok() && *sde) ctx.created_source = "SOURCE_DATE_EPOCH";
  {
    hsm::Options opts;
    opts.module = release.module;
    ctx.audit_log = signer::audit_log_path("", hsm::home_dir(opts));
  }
  std::string message;
  FWSEAL_TRY(write_report(plan, outcomes, ctx, summary, message));
  if (summary.verdict != "pass") return failed(plan, outcomes, message, std::move(summary));

  phase("publishing");
  FWSEAL_TRY(publish_release(plan, out_dir, summary));
  if (release.inventory.add) {
    phase("adding to the inventory");
    FWSEAL_TRY(add_to_inventory(release, trust, summary));
  }
  return summary;
}

}  // namespace fwseal::pipeline
