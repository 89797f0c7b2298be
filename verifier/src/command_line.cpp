#include "fwseal/verifier/command_line.h"

#include <algorithm>

namespace fwseal::cmdline {

namespace {

constexpr std::size_t kColumn = 30;  // where descriptions start in --help
constexpr std::size_t kWidth = 100;  // synopsis lines wrap before this

bool is_flag(const CLI::Option* o) { return o->get_expected_max() == 0; }
bool repeats(const CLI::Option* o) {
  return o->get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll || o->get_expected_max() > 1;
}

// "-k, --key URI" / "    --module PATH": the names as --help lists them.
std::string option_names(const CLI::Option* o) {
  std::string s;
  for (const auto& n : o->get_snames()) s += (s.empty() ? "-" : ", -") + n;
  if (s.empty()) s = "   ";
  for (const auto& n : o->get_lnames()) s += std::string(s == "   " ? " --" : ", --") + n;
  if (!is_flag(o)) s += " " + o->get_type_name();
  return s;
}

// One row of --help: the left column, then the description at `column`.
std::string row(const std::string& left, const std::string& description, std::size_t column = kColumn) {
  std::string out = "  " + left;
  if (out.size() + 2 > column)
    out += "\n" + std::string(column, ' ');
  else
    out.resize(column, ' ');
  for (char c : description) {
    out += c;
    if (c == '\n') out += std::string(column, ' ');
  }
  return out + "\n";
}

std::string usage_word(const CLI::Option* o) {
  if (!o->nonpositional()) return o->get_name(true) + (repeats(o) ? "..." : "");
  std::string w = o->get_name();  // the long name when there is one
  if (!is_flag(o)) w += " " + o->get_type_name();
  if (repeats(o)) w += "...";
  return o->get_required() ? w : "[" + w + "]";
}

// The option a message of CLI11's starts with ("--key: 1 required URI missing").
std::string leading_name(const std::string& message) {
  auto colon = message.find(':');
  auto space = message.find(' ');
  return message.substr(0, std::min(colon, space));
}

}  // namespace

Command::Command(std::string name, std::string description) : CLI::App(std::move(description), std::move(name)) {
  set_help_flag("-h,--help", "print this help and exit");
  allow_extras(true);  // kept for usage_message: "unknown option --bogus"
  require_subcommand(0, 1);
}

Command& Command::add_command(const std::string& name, const std::string& description, Run run) {
  auto sub = std::make_shared<Command>(name, description);
  sub->run_ = std::move(run);
  Command& ref = *sub;
  add_subcommand(std::move(sub));
  if (get_parent() != nullptr) require_subcommand(1, 1);  // `fwseal hsm` alone is a usage error
  return ref;
}

CLI::Option* Command::add_positional(const std::string& name, const std::string& description,
                                     const std::string& missing, int count) {
  CLI::Option* o = add_option(name, description)->required();
  if (count != 1) o->expected(1, count)->allow_extra_args()->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  missing_[o] = missing;
  return o;
}

CLI::Option* Command::add_value(const std::string& names, const std::string& metavar, const std::string& description) {
  return add_option(names, description)->type_name(metavar);
}

CLI::Option* Command::add_values(const std::string& names, const std::string& metavar,
                                 const std::string& description) {
  return add_value(names, metavar, description)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

CLI::Option* Command::add_switch(const std::string& names, const std::string& description) {
  return add_flag(names, description)->disable_flag_override();
}

std::string Command::full_name() const {
  std::string name = get_name();
  for (const CLI::App* p = get_parent(); p != nullptr; p = p->get_parent()) name = p->get_name() + " " + name;
  return name;
}

std::string Command::synopsis() const {
  std::vector<std::string> words;
  if (!get_subcommands([](const CLI::App*) { return true; }).empty()) {
    words = {"COMMAND", "[options]"};
  } else {
    auto options = get_options([this](const CLI::Option* o) { return o != get_help_ptr(); });
    std::stable_partition(options.begin(), options.end(), [](const CLI::Option* o) { return o->get_required(); });
    std::stable_partition(options.begin(), options.end(), [](const CLI::Option* o) { return !o->nonpositional(); });
    for (const CLI::Option* o : options) words.push_back(usage_word(o));
  }
  const std::string name = full_name();
  const std::size_t indent = std::min<std::size_t>(name.size() + 1, 24) + 7;  // after "usage: "
  std::string out = name, line_start_pad(indent, ' ');
  std::size_t line = 7 + name.size();
  for (const auto& w : words) {
    if (line + 1 + w.size() > kWidth) {
      out += "\n" + line_start_pad + w;
      line = indent + w.size();
    } else {
      out += " " + w;
      line += 1 + w.size();
    }
  }
  return out;
}

std::string Command::usage() const {
  std::string out;
  for (const CLI::App* sub : get_subcommands([](const CLI::App*) { return true; }))
    out += (out.empty() ? "" : "\n       ") + static_cast<const Command*>(sub)->usage();
  return out.empty() ? synopsis() : out;
}

std::string Command::missing_message(const CLI::Option* positional) const {
  auto it = missing_.find(positional);
  return it != missing_.end() ? it->second : "missing " + positional->get_name(true);
}

std::string Command::help_text() const {
  std::string out = "usage: " + synopsis() + "\n";
  if (!get_description().empty()) out += "\n" + get_description() + "\n";
  auto positionals = get_options([](const CLI::Option* o) { return !o->nonpositional(); });
  if (!positionals.empty()) {
    out += "\nArguments:\n";
    for (const CLI::Option* o : positionals) out += row(o->get_name(true) + (repeats(o) ? "..." : ""), o->get_description());
  }
  auto subs = get_subcommands([](const CLI::App*) { return true; });
  if (!subs.empty()) {
    out += "\nCommands:\n";
    std::size_t width = 0;
    for (const CLI::App* s : subs) width = std::max(width, s->get_name().size());
    for (const CLI::App* s : subs) out += row(s->get_name(), s->get_description(), width + 6);
  }
  out += "\nOptions:\n";
  for (const CLI::Option* o : get_options([](const CLI::Option* o) { return o->nonpositional(); }))
    out += row(option_names(o), o->get_description() + (o->get_required() ? " (required)" : "") +
                                    (repeats(o) ? " (repeatable)" : ""));
  if (!subs.empty()) out += "\nRun \"" + full_name() + " COMMAND --help\" for a command's arguments and options.\n";
  if (!get_footer().empty()) out += "\n" + get_footer() + "\n";
  return out;
}

std::optional<std::string> first_unknown(const CLI::App& app) {
  auto rest = app.remaining(false);
  if (rest.empty()) return std::nullopt;
  return rest.front();
}

Command& Command::parse(std::vector<std::string> args, std::string* error, bool* help) {
  *help = false;
  error->clear();
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments last first
  std::string thrown;
  enum class Kind { none, required, mismatch, other } kind = Kind::none;
  try {
    CLI::App::parse(args);
  } catch (const CLI::CallForHelp&) {
    *help = true;
  } catch (const CLI::RequiredError& e) {
    kind = Kind::required;
    thrown = e.what();
  } catch (const CLI::ArgumentMismatch& e) {
    kind = Kind::mismatch;
    thrown = e.what();
  } catch (const CLI::ParseError& e) {
    kind = Kind::other;
    thrown = e.what();
  }
  std::vector<Command*> chain{this};
  while (!chain.back()->get_subcommands().empty())
    chain.push_back(static_cast<Command*>(chain.back()->get_subcommands().front()));
  Command& leaf = *chain.back();

  // An argument nothing took comes first: it is the likely typo. Under
  // --help only an unknown command is an error (`fwseal help frobnicate`).
  for (Command* c : chain) {
    auto word = first_unknown(*c);
    if (!word) continue;
    const bool groups = !c->get_subcommands([](const CLI::App*) { return true; }).empty();
    if (*help && !(groups && c == &leaf)) break;
    *help = false;
    if (word->starts_with("-") && *word != "-") {
      std::string name = word->substr(0, word->find('='));
      if (name == "--pin" || name == "--so-pin")
        *error = name + ": PINs are never taken on the command line (set FWSEAL_PIN_FILE, FWSEAL_PIN or the URI's pin-source)";
      else
        *error = "unknown option " + name;
    } else if (groups && c == &leaf) {
      *error = c->get_parent() == nullptr ? "unknown command \"" + *word + "\""
                                          : "unknown subcommand \"" + *word + "\" of " + c->full_name();
    } else {
      *error = "unexpected argument " + *word;
    }
    return leaf;
  }
  if (*help || kind == Kind::none) return leaf;

  *error = thrown;
  if (kind == Kind::required) {
    for (const CLI::Option* o : leaf.get_options())
      if (o->get_required() && o->count() == 0) {
        *error = o->nonpositional() ? "missing " + o->get_name() : leaf.missing_message(o);
        return leaf;
      }
    std::string subs;
    for (const CLI::App* s : leaf.get_subcommands([](const CLI::App*) { return true; }))
      subs += (subs.empty() ? "" : ", ") + s->get_name();
    if (!subs.empty()) *error = "expected a subcommand of " + leaf.full_name() + ": " + subs;
  } else if (kind == Kind::mismatch) {
    std::string name = leading_name(thrown);
  if (!name.starts_with("-")) name = "--" + name;  // CLI11 names a flag without its dashes
    if (thrown.find("disallowed flag override") != std::string::npos)
      *error = name + " takes no value";
    else if (thrown.find("At Most") != std::string::npos)
      *error = name + " given more than once";
    else if (thrown.find("missing") != std::string::npos || thrown.find("At least") != std::string::npos)
      *error = name + " needs a value";
  }
  return leaf;
}

}  // namespace fwseal::cmdline
