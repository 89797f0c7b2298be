#include "fwseal/pipeline/repro.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "fwseal/base/file.h"
#include "fwseal/base/interrupt.h"
#include "fwseal/base/process.h"
#include "fwseal/hsm/pin_sources.h"

namespace fwseal::pipeline {

namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

// An exit code of a child fwseal as a Code (unknown values are internal errors).
Code code_of(int exit_code) {
  for (Code c : {Code::usage, Code::io, Code::malformed, Code::digest, Code::signature, Code::untrusted,
                 Code::rollback, Code::hardware, Code::hsm, Code::login})
    if (exit_code == static_cast<int>(c)) return c;
  return Code::internal;
}

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// Different from this process in every way docs/FORMAT.md (reproducibility) says must not matter.
Perturbation perturb(const std::string& scratch) {
  Perturbation p;
  p.env["TZ"] = env_or("TZ", "") == "Pacific/Kiritimati" ? "America/St_Johns" : "Pacific/Kiritimati";
  std::string locale = env_or("LC_ALL", env_or("LANG", "").c_str());
  p.env["LC_ALL"] = locale == "C.UTF-8" ? "POSIX" : "C.UTF-8";
  p.env["LANG"] = p.env["LC_ALL"];
  mode_t current = ::umask(022);
  ::umask(current);
  p.umask = current == 077 ? 022 : 077;
  p.cwd = scratch;
  return p;
}

// "fwseal-repro-XXXXXX" in TMPDIR (or the given root), locked while its run
// lives, removed with everything in it when the run ends, also by SIGINT,
// SIGTERM or SIGHUP; those of killed runs (this user's, no longer locked) are
// removed by the next run.
class ScratchDir {
 public:
  static Result<ScratchDir> create(const std::string& root) {
    std::string base = root.empty() ? env_or("TMPDIR", "/tmp") : root;
    remove_stale(base);
    std::string tmpl = base + "/fwseal-repro-XXXXXX";
    if (!::mkdtemp(tmpl.data())) return make_error(Code::io, "cannot create a scratch directory in " + base + ": " + errno_text(errno));
    ScratchDir out(tmpl);
    out.lock_ = Fd(::open(tmpl.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (out.lock_) ::flock(out.lock_.get(), LOCK_EX | LOCK_NB);
    return out;
  }
  ScratchDir(ScratchDir&& o) noexcept
      : path_(std::move(o.path_)), lock_(std::move(o.lock_)), on_interrupt_(std::move(o.on_interrupt_)) {
    o.path_.clear();
  }
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    if (!path_.empty() && !keep_) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  const std::string& path() const { return path_; }
  // Kept for the user (--keep-scratch): a sibling "NAME.kept" file tells
  // later runs it is not a leftover.
  void keep() {
    keep_ = true;
    on_interrupt_.release();
    Fd marker(::open((path_ + ".kept").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  }

 private:
  explicit ScratchDir(std::string p) : path_(std::move(p)), on_interrupt_(path_) {}

  static void remove_stale(const std::string& base) {
    DIR* d = ::opendir(base.c_str());
    if (!d) return;
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      std::string_view n = e->d_name;
      if (n.size() == 19 && n.starts_with("fwseal-repro-")) names.emplace_back(n);
    }
    ::closedir(d);
    for (const auto& name : names) {
      const std::string path = base + "/" + name;
      Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      struct stat st {};
      if (!fd || ::fstat(fd.get(), &st) != 0 || st.st_uid != ::geteuid()) continue;
      if (::access((path + ".kept").c_str(), F_OK) == 0) continue;  // --keep-scratch
      if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) remove_tree_signal_safe(path.c_str());
    }
  }

  std::string path_;
  Fd lock_;
  RemoveOnInterrupt on_interrupt_;
  bool keep_ = false;
};

// A copy with a new mtime and another mode: nothing of the original's
// metadata may reach the package.
Status copy_input(const std::string& from, const std::string& to, std::int64_t mtime) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return make_error(Code::io, "cannot copy " + from + " to " + to + ": " + ec.message());
  ::chmod(to.c_str(), 0600);
  timeval times[2] = {{static_cast<time_t>(mtime), 0}, {static_cast<time_t>(mtime), 0}};
  if (::utimes(to.c_str(), times) != 0) return make_error(Code::io, "cannot set the mtime of " + to + ": " + errno_text(errno));
  return ok_status();
}

std::string base_name(const std::string& path) { return fs::path(path).filename().string(); }

Status run_step(const std::string& what, ChildOptions o) {
  FWSEAL_ASSIGN(ChildResult r, run_child(o));
  if (r.exit_code != 0) {
    std::string line = last_line(r.err);
    if (line.rfind("fwseal: ", 0) == 0) line.erase(0, 8);
    return make_error(code_of(r.exit_code), "rebuild: " + what + " exited " + std::to_string(r.exit_code) +
                                                (line.empty() ? "" : ": " + line));
  }
  return ok_status();
}

}  // namespace

Result<ReproReport> check_reproducible(const VariantPlan& v, const ReproOptions& options) {
  FWSEAL_ASSIGN(ScratchDir scratch, ScratchDir::create(options.scratch_root));
  if (options.keep_scratch) scratch.keep();
  const std::string root = scratch.path();
  for (const char* d : {"/inputs", "/components", "/out"})
    if (::mkdir((root + d).c_str(), 0700) != 0) return make_error(Code::io, "cannot create " + root + d + ": " + errno_text(errno));

  ReproReport report;
  report.perturbation = perturb(root);
  const Perturbation& p = report.perturbation;
  // The rebuild needs no PIN (neither its value, nor a file, nor the memory
  // file `pipeline run` hands to the signing steps), except to reach an
  // encryption secret in a token: that child keeps the user PIN's sources.
  auto child = [&](std::vector<std::string> argv, bool user_pin = false) {
    ChildOptions o;
    o.argv = std::move(argv);
    o.set_env = p.env;
    o.set_env["SOURCE_DATE_EPOCH"] = std::to_string(v.created);
    o.cwd = p.cwd;
    o.umask = p.umask;
    if (user_pin) {
      o.unset_env = {"FWSEAL_SO_PIN", "FWSEAL_SO_PIN_FILE"};
    } else {
      hsm::withhold_pins(o);
      o.close_inherited_fds = true;
    }
    return o;
  };

  // Image inputs, named relative to the scratch directory (the rebuild runs there).
  std::vector<std::string> images;
  if (v.rebuild_images.empty()) {
    report.perturbation.inputs = "copies of the inputs with new mtimes and modes";
    // Copied in reverse order, so directory order differs as well.
    images.resize(v.images.size());
    const std::int64_t mtime = static_cast<std::int64_t>(::time(nullptr)) + 86400;
    for (std::size_t k = v.images.size(); k-- > 0;) {
      images[k] = "inputs/" + std::to_string(k) + "-" + base_name(v.images[k].path);
      FWSEAL_TRY(copy_input(v.images[k].path, root + "/" + images[k], mtime + static_cast<std::int64_t>(k)));
    }
  } else {
    report.perturbation.inputs = "rebuilt by: " + v.rebuild_images;
    std::set<std::string> names;
    for (const auto& img : v.images) {
      std::string name = base_name(img.path);
      if (!names.insert(name).second)
        return make_error(Code::malformed, "reproducibility.rebuild_images: two images have the file name \"" + name +
                                               "\"; the rebuild directory needs distinct names");
      images.push_back("inputs/" + name);
    }
    ChildOptions o = child({"/bin/sh", "-c", v.rebuild_images});
    o.set_env["FWSEAL_REBUILD_DIR"] = root + "/inputs";
    o.set_env["FWSEAL_RELEASE_DIR"] = v.release_dir;
    FWSEAL_TRY(run_step("rebuild_images command", o));
    for (std::size_t k = 0; k < images.size(); ++k) {
      struct stat st {};
      if (::stat((root + "/" + images[k]).c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return make_error(Code::io, "rebuild: the rebuild_images command did not write " + base_name(v.images[k].path) +
                                        " (image " + v.images[k].name + ") into $FWSEAL_REBUILD_DIR");
    }
  }
  std::vector<std::string> components;
  for (std::size_t k = 0; k < v.components_files.size(); ++k) {
    components.push_back(v.components_copy(k));
    FWSEAL_TRY(copy_input(v.components_files[k], root + "/" + components.back(), 1000000000 + static_cast<std::int64_t>(k)));
  }

  // The package with its SBOM, by a child fwseal in the perturbed environment.
  // The spec sits where the pipeline's does relative to its inputs, so the
  // SBOM names the components files alike.
  FWSEAL_TRY(write_file_atomic(root + "/package.json", package_spec(v, images, components)));
  // With the release's encryption secret: the same data keys and nonces, so
  // the same ciphertext.
  std::vector<std::string> package{options.fwseal, "package", "--quiet", "--spec", root + "/package.json",
                                   "-o", "out/rebuilt.fwpkg"};
  for (auto& a : encryption_args(v)) package.push_back(std::move(a));
  FWSEAL_TRY(run_step("fwseal package", child(std::move(package), v.encryption && !v.encryption->key.empty())));

  FWSEAL_ASSIGN(report.comparison, compare_unsigned(options.package, root + "/out/rebuilt.fwpkg"));
  report.reproducible = report.comparison.identical;
  report.message = report.comparison.message();
  return report;
}

ojson repro_report_json(const ReproReport& r) {
  const CompareResult& c = r.comparison;
  ojson env = ojson::object();
  for (const auto& [k, val] : r.perturbation.env) env[k] = val;
  char mask[8];
  std::snprintf(mask, sizeof mask, "%04o", static_cast<unsigned>(r.perturbation.umask));
  ojson j = {{"result", r.reproducible ? "pass" : "fail"},
             {"message", r.message},
             {"manifest_sha256", {{"released", to_hex(c.manifest_digest_signed)}, {"rebuilt", to_hex(c.manifest_digest_rebuilt)}}},
             {"unsigned_size", {{"released", c.unsigned_size_signed}, {"rebuilt", c.unsigned_size_rebuilt}}},
             {"first_difference", nullptr},
             {"differing_entries", c.differing_entries},
             {"environment", {{"env", env}, {"umask", mask}, {"working_directory", "a fresh scratch directory"},
                              {"inputs", r.perturbation.inputs}}}};
  if (c.first_difference)
    j["first_difference"] = {{"offset", c.first_difference->offset},
                             {"entry", c.first_difference->entry},
                             {"part", c.first_difference->part},
                             {"field", c.first_difference->field}};
  return j;
}

}  // namespace fwseal::pipeline
