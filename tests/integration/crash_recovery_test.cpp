// SIGKILL during an import: afterwards store and index agree and every record is findable.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <xapian.h>

#include "jiebang/service/service.h"
#include "jiebang/store/store.h"
#include "test_util.h"

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

/// Runs `jiebang import KIND FILE` on `data_dir` in a child process, with JIEBANG_INDEX_THREADS
/// set to `index_threads` (documents built on that many threads; one writer per database).
pid_t spawn_import(const std::string& data_dir, const std::string& file, const char* kind = "scenarios",
                   unsigned index_threads = 2) {
  // Built before fork(): the child calls async-signal-safe functions only.
  std::string index_dir = std::string(JIEBANG_SOURCE_DIR) + "/index";
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e)
    if (!std::string_view(*e).starts_with("JIEBANG_INDEX_THREADS=")) env_strings.emplace_back(*e);
  env_strings.push_back("JIEBANG_INDEX_THREADS=" + std::to_string(index_threads));
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    execle(JIEBANG_BINARY, JIEBANG_BINARY, "--data-dir", data_dir.c_str(), "--index-dir", index_dir.c_str(), "--create",
           "import", kind, file.c_str(), static_cast<char*>(nullptr), envp.data());
    _exit(127);
  }
  return pid;
}

int64_t stored_count(const std::string& data_dir, RecordKind kind = RecordKind::kScenario) {
  if (!fs::exists(data_dir + "/jiebang.sqlite3")) return 0;
  auto store = Store::open(data_dir + "/jiebang.sqlite3");
  if (!store) return 0;
  auto n = (*store)->count(kind);
  return n ? *n : 0;
}

/// Writes `n` enterprise profiles made from the fixtures (each with its past cases), each with a
/// unique id and a unique name token.
void write_enterprises(const std::string& out_path, size_t n) {
  const std::vector<json> base = testing::read_jsonl(testing::fixture("enterprises.jsonl"));
  std::ofstream out(out_path);
  for (size_t i = 0; i < n; ++i) {
    json e = base[i % base.size()];
    e["id"] = "crash-e-" + std::to_string(i);
    e["name"] = e["name"].get<std::string>() + " k" + std::to_string(i) + "x";
    out << e.dump() << "\n";
  }
}

/// What a database of the index holds, in figures that any lost or doubled document changes.
struct DbFigures {
  Xapian::doccount docs = 0;
  Xapian::totallength length = 0;
  Xapian::termcount unique_terms_sum = 0;
  bool operator==(const DbFigures&) const = default;
};
DbFigures db_figures(const std::string& path) {
  Xapian::Database db(path);
  DbFigures f{db.get_doccount(), db.get_total_length(), 0};
  for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) f.unique_terms_sum += db.get_unique_terms(*it);
  return f;
}

/// Each fixture scenario's top 30 enterprises: id, score and the explanation (which names the cases cited).
std::vector<std::string> match_lines(const Service& svc) {
  std::vector<std::string> lines;
  for (const json& s : testing::read_jsonl(testing::fixture("scenarios.jsonl"))) {
    std::string id = s["id"];
    auto results = svc.match_scenario(id, 30);
    if (!results) {
      lines.push_back(id + ": " + results.status().to_string());
      continue;
    }
    for (const auto& r : *results) lines.push_back(fmt::format("{} {} {:.9f} {}", id, r.id, r.score, r.reason));
  }
  return lines;
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

// A profile import whose documents are built on two threads and written by two writers (profiles;
// past cases) is killed mid-way. Every record the store acknowledged (committed) is in the index
// after a restart, and the index then holds exactly what a rebuild from the store holds.
TEST(CrashRecovery, ParallelProfileImportKilledThenRestartedIndexesEveryAcknowledgedProfile) {
  TempDir dir;
  const std::string data_dir = dir.path + "/data";
  const std::string scenarios = std::string(JIEBANG_SOURCE_DIR) + "/fixtures/scenarios.jsonl";
  pid_t pid = spawn_import(data_dir, scenarios);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  // More than one import batch (1,000 records), so the kill lands while the import is running.
  const size_t n = 1500;
  const std::string file = dir.path + "/enterprises.jsonl";
  write_enterprises(file, n);
  pid = spawn_import(data_dir, file, "enterprises", 2);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
  while (stored_count(data_dir, RecordKind::kEnterprise) == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the import ended before it could be killed";
  const int64_t acknowledged = stored_count(data_dir, RecordKind::kEnterprise);
  ASSERT_GT(acknowledged, 0);

  ServiceConfig cfg;
  cfg.data_dir = data_dir;
  cfg.index_dir = std::string(JIEBANG_SOURCE_DIR) + "/index";
  cfg.index_threads = 2;
  std::vector<std::string> after_restart, after_rebuild;
  {
    auto svc = Service::open(cfg);
    ASSERT_TRUE(svc) << svc.status().to_string();
    auto state = (*svc)->state();
    ASSERT_TRUE(state);
    EXPECT_EQ(state->enterprises, acknowledged);
    EXPECT_EQ(state->indexed_enterprises, static_cast<uint64_t>(acknowledged));
    EXPECT_EQ(state->applied_seq, state->store_seq);
    after_restart = match_lines(**svc);
  }
  DbFigures profiles = db_figures(data_dir + "/index/enterprises"), cases = db_figures(data_dir + "/index/cases");
  {
    auto svc = Service::open(cfg);
    ASSERT_TRUE(svc) << svc.status().to_string();
    auto rebuilt = (*svc)->reindex();
    ASSERT_TRUE(rebuilt) << rebuilt.status().to_string();
    after_rebuild = match_lines(**svc);
  }
  EXPECT_EQ(profiles, db_figures(data_dir + "/index/enterprises")) << "profiles differ from a rebuild";
  EXPECT_EQ(cases, db_figures(data_dir + "/index/cases")) << "past cases differ from a rebuild";
  EXPECT_GT(cases.docs, static_cast<Xapian::doccount>(acknowledged));
  EXPECT_EQ(after_restart, after_rebuild);
  for (size_t i = 0; i < std::min(after_restart.size(), after_rebuild.size()); ++i)
    if (after_restart[i] != after_rebuild[i]) ADD_FAILURE() << "match line " << i << " differs\n after restart: " << after_restart[i] << "\n after rebuild: " << after_rebuild[i];
  EXPECT_FALSE(after_restart.empty());
}

}  // namespace
}  // namespace jiebang
