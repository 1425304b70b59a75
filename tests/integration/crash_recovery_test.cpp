// SIGKILL during an import: afterwards store and index agree and every record is findable.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "jiebang/service/service.h"
#include "jiebang/store/store.h"

namespace jiebang {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct TempDir {
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "jiebang-crash-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

/// Writes `n` scenarios made from the fixtures, each with a unique id and a unique title token.
std::vector<std::pair<std::string, std::string>> write_scenarios(const std::string& out_path, size_t n) {
  std::ifstream in(std::string(JIEBANG_SOURCE_DIR) + "/fixtures/scenarios.jsonl");
  std::vector<json> base;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) base.push_back(json::parse(line));
  std::ofstream out(out_path);
  std::vector<std::pair<std::string, std::string>> ids_titles;
  for (size_t i = 0; i < n; ++i) {
    json s = base[i % base.size()];
    s["id"] = "crash-" + std::to_string(i);
    s["title"] = s["title"].get<std::string>() + " k" + std::to_string(i) + "x";
    s["status"] = "open";
    s.erase("deadline");
    ids_titles.emplace_back(s["id"], s["title"]);
    out << s.dump() << "\n";
  }
  return ids_titles;
}

pid_t spawn_import(const std::string& data_dir, const std::string& file) {
  // Built before fork(): the child calls async-signal-safe functions only.
  std::string index_dir = std::string(JIEBANG_SOURCE_DIR) + "/index";
  pid_t pid = fork();
  if (pid == 0) {
    execl(JIEBANG_BINARY, JIEBANG_BINARY, "--data-dir", data_dir.c_str(), "--index-dir", index_dir.c_str(), "--create", "import",
          "scenarios", file.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

int64_t stored_count(const std::string& data_dir) {
  if (!fs::exists(data_dir + "/jiebang.sqlite3")) return 0;
  auto store = Store::open(data_dir + "/jiebang.sqlite3");
  if (!store) return 0;
  auto n = (*store)->count(RecordKind::kScenario);
  return n ? *n : 0;
}

TEST(CrashRecovery, ImportKilledMidwayThenRerunLeavesStoreAndIndexConsistent) {
  TempDir dir;
  const size_t n = 3000;
  std::string file = dir.path + "/scenarios.jsonl";
  auto records = write_scenarios(file, n);
  std::string data_dir = dir.path + "/data";

  // Kill the first import once some batches are committed but before it ends, and a second one
  // straight after it starts (during open / catch-up).
  pid_t pid = spawn_import(data_dir, file);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (stored_count(data_dir) == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  int64_t after_kill = stored_count(data_dir);
  ASSERT_GT(after_kill, 0);

  pid = spawn_import(data_dir, file);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);

  pid = spawn_import(data_dir, file);
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);

  ServiceConfig cfg;
  cfg.data_dir = data_dir;
  cfg.index_dir = std::string(JIEBANG_SOURCE_DIR) + "/index";
  auto svc = Service::open(cfg);
  ASSERT_TRUE(svc) << svc.status().to_string();
  auto state = (*svc)->state();
  ASSERT_TRUE(state);
  EXPECT_EQ(state->scenarios, static_cast<int64_t>(n));
  EXPECT_EQ(state->indexed_scenarios, static_cast<uint64_t>(n));
  EXPECT_EQ(state->applied_seq, state->store_seq);

  SearchFilters any;
  any.status.clear();
  size_t found = 0;
  for (const auto& [id, title] : records) {
    auto hits = (*svc)->search(title, any, 3);
    ASSERT_TRUE(hits) << hits.status().to_string();
    if (!hits->empty() && hits->front().id == id) ++found;
    else ADD_FAILURE() << "scenario " << id << " is not found first by its title \"" << title << "\"";
  }
  EXPECT_EQ(found, n);
}

}  // namespace
}  // namespace jiebang
