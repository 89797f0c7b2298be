#include "fwseal/base/json_output.h"

namespace fwseal {

nlohmann::json json_document(std::string_view name) {
  return {{"format", "fwseal-" + std::string(name)},
          {"format_version", kJsonFormatVersion},
          {"code", code_name(Code::ok)},
          {"exit_code", 0}};
}

nlohmann::json json_failure(std::string_view name, const Error& e) {
  nlohmann::json j = json_document(name);
  j["code"] = code_name(e.code);
  j["exit_code"] = exit_code(e.code);
  j["message"] = e.message;
  return j;
}

std::string dump_json_document(const nlohmann::json& doc) {
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace fwseal
