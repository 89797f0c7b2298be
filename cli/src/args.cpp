#include "args.h"

namespace fwseal::cli {

Result<Args> Args::parse(const std::vector<std::string>& argv, const OptionSpec& spec) {
  Args out;
  bool only_positionals = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (only_positionals || a == "-" || a.rfind("-", 0) != 0) {
      out.positionals_.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positionals = true;
      continue;
    }
    std::string name = a;
    std::optional<std::string> inline_value;
    if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      name = a.substr(0, eq);
      inline_value = a.substr(eq + 1);
    }
    if (spec.flags.count(name)) {
      if (inline_value) return make_error(Code::usage, name + " takes no value");
      out.flags_.insert(name);
    } else if (spec.with_value.count(name)) {
      std::string v;
      if (inline_value) {
        v = *inline_value;
      } else {
        if (i + 1 >= argv.size()) return make_error(Code::usage, name + " needs a value");
        v = argv[++i];
      }
      if (out.values_.count(name) && !spec.repeatable.count(name))
        return make_error(Code::usage, name + " given more than once");
      out.values_.emplace(name, v);
    } else if (name == "--pin" || name == "--so-pin") {
      return make_error(Code::usage, name + ": PINs are never taken on the command line (set FWSEAL_PIN_FILE, FWSEAL_PIN or the URI's pin-source)");
    } else {
      return make_error(Code::usage, "unknown option " + name);
    }
  }
  return out;
}

std::optional<std::string> Args::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Args::values(const std::string& name) const {
  std::vector<std::string> out;
  auto [b, e] = values_.equal_range(name);
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

Result<std::string> Args::required(const std::string& name) const {
  auto v = value(name);
  if (!v) return make_error(Code::usage, "missing " + name);
  return *v;
}

}  // namespace fwseal::cli
