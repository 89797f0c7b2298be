// `fwseal pipeline run RELEASE.json`: a whole release in one command, and
// `fwseal pipeline repro`, its reproducibility check as one build step.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "args.h"
#include "commands.h"
#include "fwseal/format/file.h"
#include "fwseal/pipeline/process.h"
#include "fwseal/pipeline/repro.h"
#include "fwseal/pipeline/run.h"

namespace fwseal::cli {

namespace {

constexpr const char* kPipelineUsage =
    "fwseal pipeline run RELEASE.json [-o DIR] [-j N] [--no-repro] [--quiet | --json]\n"
    "       fwseal pipeline repro PKG --variant VARIANT.json -o REPRO.json [--keep-scratch] [--quiet | --json]";

using ojson = nlohmann::ordered_json;

// A one-line progress bar on stderr, redrawn in place; used only on a terminal.
class TerminalProgress final : public pipeline::Progress {
 public:
  ~TerminalProgress() override { clear(); }
  void phase(std::string_view what) override {
    line_ = std::string(what) + " ...";
    started_ = std::chrono::steady_clock::now();
    draw();
  }
  // Ninja reports a step when it finishes; the clock shows the time since.
  void step(std::size_t done, std::size_t total, std::string_view what) override {
    constexpr std::size_t kWidth = 28;
    std::size_t filled = total ? done * kWidth / total : 0;
    line_ = "[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] " + std::to_string(done) + "/" +
            std::to_string(total) + " " + std::string(what);
    started_ = std::chrono::steady_clock::now();
    draw();
  }
  void tick() override {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_).count();
    if (ms >= 1000) draw(" (" + std::to_string(ms / 1000) + " s)");
  }
  void clear() {
    if (drawn_) std::fputs("\r\033[K", stderr);
    drawn_ = false;
  }

 private:
  void draw(const std::string& suffix = "") {
    std::fprintf(stderr, "\r\033[K%s%s", line_.substr(0, 90).c_str(), suffix.c_str());
    std::fflush(stderr);
    drawn_ = true;
  }
  std::string line_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  bool drawn_ = false;
};

ojson summary_json(const pipeline::RunSummary& s) {
  ojson variants = ojson::array();
  for (const auto& v : s.variants)
    variants.push_back({{"name", v.name.empty() ? ojson(nullptr) : ojson(v.name)},
                        {"verdict", v.verdict},
                        {"package", v.package.empty() ? ojson(nullptr) : ojson(v.package)},
                        {"manifest_sha256", v.manifest_sha256.empty() ? ojson(nullptr) : ojson(v.manifest_sha256)},
                        {"reproducibility", v.reproducibility}});
  const Code code = s.error ? s.error->code : Code::ok;
  return {{"verdict", s.verdict},
          {"exit_code", exit_code(code)},
          {"code", code_name(code)},
          {"message", s.error ? s.error->message : "released"},
          {"release", s.release},
          {"output", s.out_dir},
          {"published", s.published},
          {"report", {{"json", s.report_json}, {"html", s.report_html}}},
          {"steps_run", s.steps_run},
          {"up_to_date", s.up_to_date},
          {"variants", variants}};
}

ojson error_json(const Error& e) {
  return {{"verdict", "fail"}, {"exit_code", exit_code(e.code)}, {"code", code_name(e.code)}, {"message", e.message}};
}

int run(const Args& args) {
  if (args.positionals().size() != 1) return usage_error("expected one release file", kPipelineUsage);
  pipeline::RunOptions options;
  options.release_file = args.positionals()[0];
  options.output = args.value("-o");
  options.no_repro = args.flag("--no-repro");
  options.tool_version = std::string("fwseal ") + FWSEAL_VERSION;
  if (auto j = args.value("-j")) {
    auto n = parse_security_version(*j, "-j");
    if (!n.ok() || *n == 0 || *n > 1024) return usage_error("-j wants a number of jobs from 1 to 1024", kPipelineUsage);
    options.jobs = static_cast<unsigned>(*n);
  }
  const bool json = args.flag("--json");
  const bool quiet = args.flag("--quiet");
  if (json && quiet) return usage_error("--quiet and --json exclude each other", kPipelineUsage);
  // Progress only for a person watching a terminal: nothing extra in logs.
  TerminalProgress bar;
  if (!json && !quiet && ::isatty(STDERR_FILENO)) options.progress = &bar;

  auto result = pipeline::run_release(options);
  bar.clear();
  if (!result.ok()) {
    if (json) std::printf("%s\n", error_json(result.error()).dump(2).c_str());
    return fail(result.error());
  }
  const pipeline::RunSummary& s = *result;
  if (json) std::printf("%s\n", summary_json(s).dump(2).c_str());
  if (s.error) return fail(make_error(s.error->code, s.error->message + " (report: " + s.report_html + ")"));
  if (json || quiet) return 0;
  std::printf("released %s -> %s%s\n", s.release.c_str(), s.out_dir.c_str(),
              s.up_to_date ? " (up to date: ninja had no work to do)" : "");
  for (const auto& v : s.variants)
    std::printf("  %s  manifest sha256 %s  verified%s\n", v.package.c_str(), v.manifest_sha256.c_str(),
                v.reproducibility == "pass" ? ", reproducible" : v.reproducibility == "skipped" ? ", reproducibility not checked" : "");
  std::printf("report %s\n", s.report_html.c_str());
  return 0;
}

int repro(const Args& args) {
  if (args.positionals().size() != 1) return usage_error("expected one package", kPipelineUsage);
  auto variant_path = args.required("--variant");
  auto out = args.required("-o");
  if (!variant_path.ok() || !out.ok())
    return usage_error(!variant_path.ok() ? variant_path.error().message : out.error().message, kPipelineUsage);
  // A failed check must not leave an earlier "pass" behind.
  ::unlink(out->c_str());
  auto text = read_file(*variant_path, 16u << 20);
  if (!text.ok()) return fail(text.error());
  auto variant = pipeline::parse_variant_json(*text, *variant_path);
  if (!variant.ok()) return fail(variant.error());
  auto self = ::realpath("/proc/self/exe", nullptr);
  if (!self) return fail(make_error(Code::io, "/proc/self/exe: " + errno_text(errno)));
  pipeline::ReproOptions options;
  options.package = args.positionals()[0];
  options.fwseal = self;
  std::free(self);
  options.keep_scratch = args.flag("--keep-scratch");
  // Beside the report it writes (the run's work tree): a large rebuild does
  // not land in a RAM-backed /tmp, and a killed check leaves nothing outside
  // the output directory.
  auto slash = out->rfind('/');
  options.scratch_root = slash == std::string::npos ? "." : slash == 0 ? "/" : out->substr(0, slash);
  auto report = pipeline::check_reproducible(*variant, options);
  if (!report.ok()) return fail(report.error());
  ojson j = pipeline::repro_report_json(*report);
  auto w = write_file_atomic(*out, j.dump(2) + "\n");
  if (!w.ok()) return fail(w.error());
  if (args.flag("--json")) std::printf("%s\n", j.dump(2).c_str());
  if (!report->reproducible) return fail(make_error(Code::malformed, report->message));
  if (!args.flag("--quiet") && !args.flag("--json")) std::printf("%s: %s\n", options.package.c_str(), report->message.c_str());
  return 0;
}

}  // namespace

int cmd_pipeline(const Argv& argv) {
  if (argv.empty()) return usage_error("missing pipeline subcommand", kPipelineUsage);
  const std::string sub = argv[0];
  Argv rest(argv.begin() + 1, argv.end());
  auto args = Args::parse(rest, {{"-o", "-j", "--variant"}, {}, {"--quiet", "--json", "--no-repro", "--keep-scratch"}});
  if (!args.ok()) return usage_error(args.error().message, kPipelineUsage);
  if (sub == "run") {
    if (args->value("--variant") || args->flag("--keep-scratch"))
      return usage_error("--variant and --keep-scratch belong to pipeline repro", kPipelineUsage);
    return run(*args);
  }
  if (sub == "repro") {
    if (args->value("-j") || args->flag("--no-repro")) return usage_error("-j and --no-repro belong to pipeline run", kPipelineUsage);
    return repro(*args);
  }
  return usage_error("unknown pipeline subcommand \"" + sub + "\"", kPipelineUsage);
}

}  // namespace fwseal::cli
