#include <cstdio>
#include <ctime>

#include "commands.h"
#include "fwseal/base/json_output.h"

namespace fwseal::cli {

namespace {
std::string g_usage;          // the synopsis of the command that runs
std::string g_json_document;  // empty: no --json
bool g_json_printed = false;   // one document per run: a failure after the result adds none
}  // namespace

void ask_for_json(std::string document) { g_json_document = std::move(document); }
bool json_asked() { return !g_json_document.empty(); }

void print_json(const nlohmann::json& fields) {
  nlohmann::json doc = json_document(g_json_document.empty() ? "output" : g_json_document);
  doc.update(fields);
  std::fputs(dump_json_document(doc).c_str(), stdout);
  g_json_printed = true;
}

int fail(const Error& e) {
  if (json_asked() && !g_json_printed) {
    std::fputs(dump_json_document(json_failure(g_json_document, e)).c_str(), stdout);
    g_json_printed = true;
  }
  std::fprintf(stderr, "fwseal: %s\n", e.message.c_str());
  return exit_code(e.code);
}

void set_usage(std::string synopsis) { g_usage = std::move(synopsis); }

int usage_error(const std::string& message) {
  if (json_asked() && !g_json_printed) {
    std::fputs(dump_json_document(json_failure(g_json_document, make_error(Code::usage, message))).c_str(), stdout);
    g_json_printed = true;
  }
  std::fprintf(stderr, "fwseal: %s\nusage: %s\n", message.c_str(), g_usage.c_str());
  return exit_code(Code::usage);
}

}  // namespace fwseal::cli
