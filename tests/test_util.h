// Test helpers: per-test temporary directories, file I/O, fixtures, a fixed clock, running the CLI.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace jiebang::testing {

namespace fs = std::filesystem;

/// The jiebang processes a test starts read no default configuration file (/etc/jiebang/jiebang.toml
/// on a machine where the .deb is installed) unless the test names one: set before main, before any
/// thread, and inherited by every child (run_cli, spawned servers). A value given from outside stays.
inline const bool kNoDefaultConfigFile = setenv("JIEBANG_SYSTEM_CONFIG", "", /*overwrite=*/0) == 0;

/// A fresh directory under the system temporary directory (mkdtemp), removed with its contents
/// when the object goes out of scope. Never a shared fixed path.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "jiebang-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }
  /// Path of `name` inside the directory, as a string.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

/// The repository root (fixtures/, index/).
inline std::string source_dir() { return JIEBANG_SOURCE_DIR; }
/// The index definition directory (taxonomies, ranking.json).
inline std::string index_dir() { return source_dir() + "/index"; }
/// A file in fixtures/.
inline std::string fixture(const std::string& name) { return source_dir() + "/fixtures/" + name; }

inline void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << content;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The JSON objects of a JSON Lines file, in order (the fixtures are all valid).
inline std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

/// fixtures/qrels.tsv (or another qrels file in fixtures/) as scenario → (enterprise →
/// relevance), read independently of the engine.
inline std::map<std::string, std::map<std::string, int>> fixture_qrels(const std::string& name = "qrels.tsv") {
  std::map<std::string, std::map<std::string, int>> q;
  std::ifstream in(fixture(name));
  std::string s, iter, e;
  int rel = 0;
  while (in >> s >> iter >> e >> rel) q[s][e] = rel;
  return q;
}

/// A clock fixed at the given UTC date and hour.
inline std::function<std::chrono::system_clock::time_point()> fixed_clock(int y, unsigned m, unsigned d,
                                                                          int hour_utc = 4) {
  auto tp = std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}} +
            std::chrono::hours(hour_utc);
  return [tp] { return std::chrono::time_point_cast<std::chrono::system_clock::duration>(tp); };
}

/// The date on which the fixtures were made: the README's "expired" statements hold then.
inline auto fixtures_clock() { return fixed_clock(2026, 11, 29); }

/// Tests that pin down a known engine bug are skipped (GTEST_SKIP() << "BUG: ...") unless the
/// environment variable JIEBANG_RUN_BUG_TESTS is set, so that the bug can be watched failing and the
/// skip removed once it is fixed.
inline bool skip_known_bugs() {
  const char* v = std::getenv("JIEBANG_RUN_BUG_TESTS");
  return !(v && *v);
}

/// Single-quotes an argument for /bin/sh.
inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs the jiebang binary with `args` (each quoted), stdout and stderr captured in files of `dir`.
inline CommandResult run_cli(const TempDir& dir, const std::vector<std::string>& args) {
  static int counter = 0;
  ++counter;
  std::string out_path = dir.file("cli-" + std::to_string(counter) + ".out");
  std::string err_path = dir.file("cli-" + std::to_string(counter) + ".err");
  std::string cmd = shell_quote(JIEBANG_BINARY);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " >" + shell_quote(out_path) + " 2>" + shell_quote(err_path) + " </dev/null";
  int status = std::system(cmd.c_str());
  CommandResult r;
  if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

}  // namespace jiebang::testing
