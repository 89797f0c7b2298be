#include "args.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "commands.h"

namespace fwseal::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

struct Parsed {
  Command* command = nullptr;
  std::string error;
  bool help = false;
};

// A fresh tree each time: a CLI11 app keeps what it parsed.
Parsed parse(std::unique_ptr<Command>& tree, std::vector<std::string> args) {
  tree = fwseal_commands();
  Parsed p;
  p.command = &tree->parse(std::move(args), &p.error, &p.help);
  return p;
}

void each_command(const Command& c, const std::function<void(const Command&)>& f) {
  f(c);
  for (const CLI::App* sub : c.get_subcommands([](const CLI::App*) { return true; }))
    each_command(static_cast<const Command&>(*sub), f);
}

TEST(Commands, EveryCommandAndArgumentHasADescription) {
  auto tree = fwseal_commands();
  int commands = 0;
  each_command(*tree, [&](const Command& c) {
    SCOPED_TRACE(c.full_name());
    ++commands;
    if (c.get_name() == "verify") return;  // fwseal-verify's own command line (verifier/src/cli_test.cpp)
    EXPECT_FALSE(c.get_description().empty());
    for (const CLI::Option* o : c.get_options()) EXPECT_FALSE(o->get_description().empty()) << o->get_name(true, true);
    const std::string help = c.help_text();
    EXPECT_THAT(help, StartsWith("usage: " + c.full_name()));
    EXPECT_THAT(help, HasSubstr("-h, --help"));
    for (const CLI::Option* o : c.get_options()) EXPECT_THAT(help, HasSubstr(o->get_description()));
    // A command either runs or groups subcommands.
    const bool groups = !c.get_subcommands([](const CLI::App*) { return true; }).empty();
    if (c.get_parent() != nullptr) {
      EXPECT_NE(static_cast<bool>(c.run()), groups);
    }
  });
  EXPECT_GE(commands, 40);
}

TEST(Commands, HelpIsAskedForAnywhere) {
  std::unique_ptr<Command> tree;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"-h"}, {"sign", "-h"}, {"hsm", "--help"}, {"hsm", "keygen", "-h"},
           {"inventory", "vex", "export", "--help"}, {"package", "--bogus", "--help"}}) {
    auto p = parse(tree, args);
    EXPECT_TRUE(p.help) << args.front();
    EXPECT_EQ(p.error, "");
  }
  auto p = parse(tree, {"frobnicate", "--help"});  // fwseal help frobnicate
  EXPECT_FALSE(p.help);
  EXPECT_EQ(p.error, "unknown command \"frobnicate\"");
}

TEST(Commands, ShortFormsAreTheLongOnes) {
  std::unique_ptr<Command> tree;
  auto p = parse(tree, {"package", "--spec", "s.json", "-o", "out.fwpkg", "-q", "-f"});
  ASSERT_EQ(p.error, "");
  Args a(*p.command);
  EXPECT_EQ(a.value("--output"), "out.fwpkg");
  EXPECT_TRUE(a.flag("--quiet"));
  EXPECT_TRUE(a.flag("--force"));
  p = parse(tree, {"sign", "p.fwpkg", "-k", "pkcs11:object=k", "--json"});
  ASSERT_EQ(p.error, "");
  Args s(*p.command);
  EXPECT_EQ(s.value("--key"), "pkcs11:object=k");
  EXPECT_EQ(s.positionals(), std::vector<std::string>{"p.fwpkg"});
  EXPECT_TRUE(s.flag("--json"));
  EXPECT_FALSE(s.flag("--quiet"));
}

TEST(Commands, ValuesRepeatAndPositionalsKeepTheirOrder) {
  std::unique_ptr<Command> tree;
  auto p = parse(tree, {"extract", "-", "-C", "dir", "--trust=t.json", "--hw", "a", "--hw=b"});
  ASSERT_EQ(p.error, "");
  Args a(*p.command);
  EXPECT_EQ(a.positionals(), std::vector<std::string>{"-"});
  EXPECT_EQ(a.values("--hw"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(a.value("--trust"), "t.json");
  p = parse(tree, {"inventory", "diff", "cam", "1.0", "2.0"});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(Args(*p.command).positionals(), (std::vector<std::string>{"cam", "1.0", "2.0"}));
  p = parse(tree, {"inventory", "add", "a.fwpkg", "b.fwpkg", "--trust", "t.json"});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(Args(*p.command).positionals(), (std::vector<std::string>{"a.fwpkg", "b.fwpkg"}));
}

TEST(Commands, UsageErrorsNameWhatIsWrong) {
  std::unique_ptr<Command> tree;
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"package", "--spec", "s", "-o", "p", "--bogus"}, "unknown option --bogus"},
      {{"package", "--bogus=1"}, "unknown option --bogus"},
      {{"package", "-o", "p"}, "missing --spec"},
      {{"package", "--spec", "s", "-o"}, "--output needs a value"},
      {{"package", "--spec", "a", "--spec", "b", "-o", "p"}, "--spec given more than once"},
      {{"package", "--spec", "s", "-o", "p", "--json=1"}, "--json takes no value"},
      {{"package", "--spec", "s", "-o", "p", "stray"}, "unexpected argument stray"},
      {{"sign"}, "expected one package"},
      {{"pipeline", "run"}, "expected one release file"},
      {{"frobnicate"}, "unknown command \"frobnicate\""},
      {{"hsm"}, "expected a subcommand of fwseal hsm: init, keygen, list, pubkey"},
      {{"hsm", "frob"}, "unknown subcommand \"frob\" of fwseal hsm"},
      {{"hsm", "list", "--key", "k"}, "unknown option --key"},  // each subcommand its own options
      {{"pipeline", "run", "r.json", "--variant", "v.json"}, "unknown option --variant"},
  };
  for (const auto& [args, message] : cases) {
    auto p = parse(tree, args);
    EXPECT_EQ(p.error, message) << ::testing::PrintToString(args);
    EXPECT_FALSE(p.help);
  }
}

TEST(Commands, NeverTakesAPin) {
  std::unique_ptr<Command> tree;
  auto p = parse(tree, {"sign", "p.fwpkg", "--key", "pkcs11:object=k", "--pin", "1234"});
  EXPECT_THAT(p.error, StartsWith("--pin: PINs are never taken on the command line"));
  EXPECT_THAT(p.error, Not(HasSubstr("1234")));
  EXPECT_THAT(parse(tree, {"hsm", "init", "--token", "t", "--so-pin=1"}).error, StartsWith("--so-pin: PINs are never"));
}

TEST(Commands, SynopsisComesFromTheDefinitions) {
  auto tree = fwseal_commands();
  auto* package = static_cast<Command*>(tree->get_subcommand("package"));
  EXPECT_EQ(package->synopsis(),
            "fwseal package --spec SPEC.json --output PKG [--force] [--sbom-out SBOM.json]\n"
            "                      [--encryption-secret FILE] [--encryption-key URI] [--module PATH] [--quiet]\n"
            "                      [--json]");
  auto* extract = static_cast<Command*>(tree->get_subcommand("extract"));
  EXPECT_THAT(extract->synopsis(), StartsWith("fwseal extract PKG|- --directory DIR --trust TRUST.json [--hw ID...]"));
  auto* hsm = static_cast<Command*>(tree->get_subcommand("hsm"));
  EXPECT_EQ(hsm->synopsis(), "fwseal hsm COMMAND [options]");
  // Long ones wrap, the continuation indented.
  auto* scan = static_cast<Command*>(tree->get_subcommand("inventory")->get_subcommand("scan"));
  for (std::size_t start = 0, end; start < scan->synopsis().size(); start = end + 1) {
    end = scan->synopsis().find('\n', start);
    if (end == std::string::npos) end = scan->synopsis().size();
    EXPECT_LE(end - start, 100u);
  }
}

}  // namespace
}  // namespace fwseal::cli
