// The configuration file through the real binary: defaults < file < environment < flags, and refusals naming key and line.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace jiebang {
namespace {

using nlohmann::json;
using testing::TempDir;

/// Runs jiebang with `env` set for the child only (unset again afterwards).
testing::CommandResult run_with_env(const TempDir& dir, const std::vector<std::pair<std::string, std::string>>& env,
                                    const std::vector<std::string>& args) {
  for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
  auto r = testing::run_cli(dir, args);
  for (const auto& [k, v] : env) unsetenv(k.c_str());
  return r;
}

json settings_of(const testing::CommandResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out;
  return j["settings"];
}

TEST(ConfigFile, EachLayerWinsOverTheOneBelow) {
  TempDir dir;
  unsetenv("JIEBANG_DATA_DIR");
  unsetenv("JIEBANG_CONFIG");
  const std::string file = dir.file("jiebang.toml");
  testing::write_file(file,
                      "# a comment\n"
                      "data_dir = \"" + dir.file("from-file") + "\"\n"
                      "\n"
                      "[serve]\n"
                      "listen = \"127.0.0.1:9001\"\n"
                      "io_threads = 2\n"
                      "[digest]\n"
                      "in_serve = false\n");
  // Defaults alone.
  json d = settings_of(testing::run_cli(dir, {"config", "--json"}));
  EXPECT_EQ(d["data_dir"]["value"], "./var");
  EXPECT_EQ(d["data_dir"]["source"], "default");
  EXPECT_EQ(d["serve.listen"]["value"], "127.0.0.1:8080");
  // The file over the defaults, each value with its line.
  json f = settings_of(testing::run_cli(dir, {"--config", file, "config", "--json"}));
  EXPECT_EQ(f["data_dir"]["value"], dir.file("from-file"));
  EXPECT_EQ(f["data_dir"]["source"], file + ":2");
  EXPECT_EQ(f["serve.listen"]["value"], "127.0.0.1:9001");
  EXPECT_EQ(f["serve.listen"]["source"], file + ":5");
  EXPECT_EQ(f["serve.io_threads"]["value"], 2);
  EXPECT_EQ(f["digest.in_serve"]["value"], false);
  EXPECT_EQ(f["serve.max_queued"]["source"], "default");
  // JIEBANG_CONFIG names the file as --config does.
  json viaenv = settings_of(run_with_env(dir, {{"JIEBANG_CONFIG", file}}, {"config", "--json"}));
  EXPECT_EQ(viaenv["serve.listen"]["value"], "127.0.0.1:9001");
  // The environment over the file.
  json e = settings_of(run_with_env(dir, {{"JIEBANG_DATA_DIR", dir.file("from-env")}, {"JIEBANG_SERVE_LISTEN", "127.0.0.1:9002"}},
                                    {"config", "--config", file, "--json"}));
  EXPECT_EQ(e["data_dir"]["value"], dir.file("from-env"));
  EXPECT_EQ(e["data_dir"]["source"], "env JIEBANG_DATA_DIR");
  EXPECT_EQ(e["serve.listen"]["value"], "127.0.0.1:9002");
  EXPECT_EQ(e["serve.io_threads"]["source"], file + ":6");
  // The flag over the environment.
  json g = settings_of(run_with_env(dir, {{"JIEBANG_DATA_DIR", dir.file("from-env")}},
                                    {"--config", file, "config", "--data-dir", dir.file("from-flag"), "--json"}));
  EXPECT_EQ(g["data_dir"]["value"], dir.file("from-flag"));
  EXPECT_EQ(g["data_dir"]["source"], "flag --data-dir");

  // The file's data_dir is the one commands use, and a refusal says where it came from.
  auto missing = testing::run_cli(dir, {"--config", file, "status"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("\"" + dir.file("from-file") + "\" (from " + file + ":2) does not exist"), std::string::npos)
      << missing.err;
  ASSERT_EQ(testing::run_cli(dir, {"--config", file, "--index-dir", testing::index_dir(), "init"}).exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(dir.file("from-file") + "/jiebang.sqlite3"));
  // The plain-text form names every source too.
  auto text = testing::run_cli(dir, {"--config", file, "config"});
  EXPECT_NE(text.out.find("# configuration file: " + file + " (from --config)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("# " + file + ":5"), std::string::npos) << text.out;
}

TEST(ConfigFile, UnknownKeysWrongTypesAndBadSyntaxAreRefusedNamingFileLineAndKey) {
  TempDir dir;
  struct Case {
    std::string text, expected;
  };
  const std::string file = dir.file("bad.toml");
  for (const Case& c : {Case{"data_dir = \"x\"\n[serve]\nlisen = \"127.0.0.1:1\"\n",
                             file + ":3: unknown key \"serve.lisen\" (did you mean \"serve.listen\"?)"},
                        Case{"[serve]\n\nio_threads = \"four\"\n", file + ":3: serve.io_threads: must be an integer, not a string"},
                        Case{"[serve]\nio_threads = 1000\n", file + ":2: serve.io_threads: 1000 is out of range (1 to 256)"},
                        Case{"[serve]\nread_threads = 65\n", file + ":2: serve.read_threads: 65 is out of range (0 to 64)"},
                        Case{"data_dir = 3\n", file + ":1: data_dir: must be a string"},
                        Case{"[digest]\nbatch = 0\n", file + ":2: digest.batch: 0 is out of range (1 to 100000)"},
                        Case{"[digest]\nmax_items = 1001\n", file + ":2: digest.max_items: 1001 is out of range (1 to 1000)"},
                        Case{"[digest]\nin_serve = \"no\"\n", file + ":2: digest.in_serve: must be a boolean"},
                        Case{"data_dir = \"x\"\ndata_dir = \"y\"\n", file + ":2:"},
                        Case{"data_dir = \"unterminated\n", file + ":1:"}}) {
    testing::write_file(file, c.text);
    auto r = testing::run_cli(dir, {"--config", file, "config"});
    EXPECT_EQ(r.exit_code, 2) << c.text;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << c.text << "\n" << r.err;
  }
  auto absent = testing::run_cli(dir, {"--config", dir.file("absent.toml"), "config"});
  EXPECT_EQ(absent.exit_code, 2);
  EXPECT_NE(absent.err.find(dir.file("absent.toml")), std::string::npos) << absent.err;
  auto env = run_with_env(dir, {{"JIEBANG_SERVE_IO_THREADS", "many"}}, {"config"});
  EXPECT_EQ(env.exit_code, 2);
  EXPECT_NE(env.err.find("environment variable JIEBANG_SERVE_IO_THREADS: \"many\" is not an integer"), std::string::npos)
      << env.err;
}

/// Runs jiebang with JIEBANG_SYSTEM_CONFIG (the default file's path) set to `path` for the child only;
/// the tests otherwise run with it empty (test_util.h: no default file).
testing::CommandResult run_with_default_file(const TempDir& dir, const std::string& path, const std::vector<std::string>& args) {
  auto r = run_with_env(dir, {{"JIEBANG_SYSTEM_CONFIG", path}}, args);
  setenv("JIEBANG_SYSTEM_CONFIG", "", 1);
  return r;
}

// With neither --config nor JIEBANG_CONFIG the default file is read when it exists (and only then);
// a named file wins over it; a default path that is not a file is refused, not skipped silently.
TEST(ConfigFile, TheDefaultFileIsReadWhenPresentAndNoOtherIsNamed) {
  TempDir dir;
  unsetenv("JIEBANG_DATA_DIR");
  unsetenv("JIEBANG_CONFIG");
  const std::string default_file = dir.file("etc/jiebang.toml"), named = dir.file("named.toml");
  // Absent: no file, and `jiebang config` says which default it looked for.
  auto absent = run_with_default_file(dir, default_file, {"config", "--json"});
  json a = json::parse(absent.out, nullptr, false);
  ASSERT_EQ(absent.exit_code, 0) << absent.err;
  EXPECT_TRUE(a["file"].is_null()) << absent.out;
  EXPECT_EQ(a["default_file"], default_file);
  EXPECT_EQ(a["settings"]["data_dir"]["source"], "default");
  auto absent_text = run_with_default_file(dir, default_file, {"config"});
  EXPECT_NE(absent_text.out.find("# configuration file: none (the default " + default_file + " does not exist)"),
            std::string::npos)
      << absent_text.out;
  // Present: read, each value with its line.
  std::filesystem::create_directories(dir.file("etc"));
  testing::write_file(default_file, "data_dir = \"" + dir.file("from-default") + "\"\n[digest]\nmax_items = 4\n");
  auto present = run_with_default_file(dir, default_file, {"config", "--json"});
  json p = json::parse(present.out, nullptr, false);
  ASSERT_EQ(present.exit_code, 0) << present.err;
  EXPECT_EQ(p["file"], default_file);
  EXPECT_EQ(p["file_from"], "the default path");
  EXPECT_EQ(p["settings"]["data_dir"]["value"], dir.file("from-default"));
  EXPECT_EQ(p["settings"]["data_dir"]["source"], default_file + ":1");
  EXPECT_EQ(p["settings"]["digest.max_items"]["value"], 4);
  // The commands use it: the refusal of its missing data directory names it.
  auto missing = run_with_default_file(dir, default_file, {"status"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("\"" + dir.file("from-default") + "\" (from " + default_file + ":1) does not exist"),
            std::string::npos)
      << missing.err;
  // A file named by --config or JIEBANG_CONFIG replaces it (its keys are not read at all).
  testing::write_file(named, "[serve]\nio_threads = 3\n");
  for (const auto& r : {run_with_default_file(dir, default_file, {"config", "--config", named, "--json"}),
                        run_with_env(dir, {{"JIEBANG_SYSTEM_CONFIG", default_file}, {"JIEBANG_CONFIG", named}},
                                     {"config", "--json"})}) {
    json n = json::parse(r.out, nullptr, false);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(n["file"], named);
    EXPECT_EQ(n["settings"]["serve.io_threads"]["value"], 3);
    EXPECT_EQ(n["settings"]["data_dir"]["source"], "default");
    EXPECT_EQ(n["settings"]["digest.max_items"]["source"], "default");
  }
  setenv("JIEBANG_SYSTEM_CONFIG", "", 1);
  // An empty JIEBANG_SYSTEM_CONFIG means no default file.
  json none = settings_of(run_with_default_file(dir, "", {"config", "--json"}));
  EXPECT_EQ(none["data_dir"]["source"], "default");
  // A default path that exists but is no file is an error naming it (exit 2).
  auto not_a_file = run_with_default_file(dir, dir.file("etc"), {"config"});
  EXPECT_EQ(not_a_file.exit_code, 2);
  EXPECT_NE(not_a_file.err.find("\"" + dir.file("etc") + "\" (from the default path)"), std::string::npos) << not_a_file.err;
  // Without JIEBANG_SYSTEM_CONFIG the default is the system's, which the help names too.
  unsetenv("JIEBANG_SYSTEM_CONFIG");
  auto system = testing::run_cli(dir, {"config", "--json"});
  auto help = testing::run_cli(dir, {"--help"});
  setenv("JIEBANG_SYSTEM_CONFIG", "", 1);
  EXPECT_EQ(json::parse(system.out, nullptr, false)["default_file"], "/etc/jiebang/jiebang.toml") << system.out << system.err;
  EXPECT_NE(help.out.find("$JIEBANG_CONFIG or /etc/jiebang/jiebang.toml"), std::string::npos) << help.out;
}

/// Summary of the digest of `week` run on `data` with `args` after it; its exit code checked.
json digest_summary(const TempDir& dir, const std::vector<std::string>& before, const std::string& week,
                    const std::vector<std::string>& after) {
  std::vector<std::string> args = before;
  for (const auto& a : {std::string("digest"), std::string("--week"), week, std::string("--json")}) args.push_back(a);
  args.insert(args.end(), after.begin(), after.end());
  auto r = testing::run_cli(dir, args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out;
  return j;
}

// The digest's own options come from the file's [digest] table, under the environment and the flags.
TEST(ConfigFile, DigestOptionsComeFromTheFileUnderTheFlags) {
  TempDir dir;
  unsetenv("JIEBANG_CONFIG");
  const std::string file = dir.file("jiebang.toml"), data = dir.file("data");
  testing::write_file(file,
                      "[digest]\nmax_items = 2\nper_publisher_cap = 1\nper_scenario_cap = 4\nthreads = 1\nbatch = 5\n"
                      "base_url = \"https://match.example.cn\"\n");
  // A small store: one enterprise, one scenario (the digest refuses an empty one).
  testing::write_file(dir.file("e.jsonl"), testing::read_file(testing::fixture("enterprises.jsonl")).substr(
                                               0, testing::read_file(testing::fixture("enterprises.jsonl")).find('\n') + 1));
  testing::write_file(dir.file("s.jsonl"), testing::read_file(testing::fixture("scenarios.jsonl")).substr(
                                               0, testing::read_file(testing::fixture("scenarios.jsonl")).find('\n') + 1));
  const std::vector<std::string> global = {"--config", file, "--data-dir", data, "--index-dir", testing::index_dir()};
  for (const char* kind : {"enterprises", "scenarios"}) {
    auto args = global;
    for (const auto& a : {std::string("--create"), std::string("import"), std::string(kind),
                          dir.file(kind[0] == 'e' ? "e.jsonl" : "s.jsonl")})
      args.push_back(a);
    auto r = testing::run_cli(dir, args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  json first = digest_summary(dir, global, "2026-W48", {});
  ASSERT_TRUE(first.is_object());
  json s = first["settings"];
  EXPECT_EQ(s["max_items"], 2) << s;
  EXPECT_EQ(s["per_publisher_cap"], 1) << s;
  EXPECT_EQ(s["per_scenario_cap"], 4) << s;
  EXPECT_EQ(s["base_url"], "https://match.example.cn") << s;
  // The environment over the file, a flag over both (another week: a week's digest is stored once).
  setenv("JIEBANG_DIGEST_PER_SCENARIO_CAP", "6", 1);
  json later = digest_summary(dir, global, "2026-W49", {"--max-items", "7"});
  unsetenv("JIEBANG_DIGEST_PER_SCENARIO_CAP");
  ASSERT_TRUE(later.is_object());
  json f = later["settings"];
  EXPECT_EQ(f["max_items"], 7) << f;
  EXPECT_EQ(f["per_scenario_cap"], 6) << f;
  EXPECT_EQ(f["per_publisher_cap"], 1) << f;
  // threads and batch do not change a digest; they are the file's in `jiebang config`.
  json c = settings_of(testing::run_cli(dir, {"--config", file, "config", "--json"}));
  EXPECT_EQ(c["digest.threads"]["value"], 1);
  EXPECT_EQ(c["digest.batch"]["value"], 5);
  EXPECT_EQ(c["digest.batch"]["source"], file + ":6");
}

// packaging/jiebang.toml (/etc/jiebang/jiebang.toml in the .deb, and the docs' example) sets every key, each valid.
TEST(ConfigFile, TheShippedExampleSetsEveryKeyValidly) {
  TempDir dir;
  const std::string example = testing::source_dir() + "/packaging/jiebang.toml";
  json s = settings_of(testing::run_cli(dir, {"--config", example, "config", "--json"}));
  ASSERT_FALSE(s.empty());
  for (auto it = s.begin(); it != s.end(); ++it)
    EXPECT_TRUE(it.value()["source"].get<std::string>().starts_with(example + ":")) << it.key() << " is not in the example";
  EXPECT_EQ(s["serve.listen"]["value"], "127.0.0.1:8080");
  EXPECT_EQ(s["data_dir"]["value"], "/var/lib/jiebang");
}

}  // namespace
}  // namespace jiebang
