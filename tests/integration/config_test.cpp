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
                        Case{"data_dir = 3\n", file + ":1: data_dir: must be a string"},
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

// packaging/jiebang.toml (installed as the example) sets every key, each valid.
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
