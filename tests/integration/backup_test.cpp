// Backup and restore through the real binary: a backup taken while `jiebang serve` takes writes, restored
// into an empty directory, holds exactly one moment's records, matches, events and keys and ranks the same.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "api/api_test_util.h"
#include "jiebang/store/store.h"

namespace jiebang {
namespace {

using nlohmann::json;
using namespace jiebang::testing;

/// Fixtures, keys (one revoked) and matches with events (one reaching validation, so that an
/// enterprise's track record is in the index), written through a Service on `data_dir`.
/// With `first` > 0 only the first `first` records of each fixture file are imported.
/// Returns the publisher key's text.
std::string populate(const std::string& data_dir, size_t first = 0) {
  ServiceConfig sc;
  sc.data_dir = data_dir;
  sc.index_dir = index_dir();
  sc.clock = fixtures_clock();
  auto svc = Service::open(sc);
  if (!svc) throw std::runtime_error(svc.status().to_string());
  Service& s = **svc;
  for (auto [kind, file] : {std::pair{RecordKind::kEnterprise, "enterprises.jsonl"},
                            std::pair{RecordKind::kScenario, "scenarios.jsonl"}}) {
    std::stringstream lines;
    auto records = read_jsonl(fixture(file));
    for (size_t i = 0; i < records.size() && (first == 0 || i < first); ++i) lines << records[i].dump() << "\n";
    if (auto r = s.import_stream(kind, lines, FileFormat::kJsonLines); !r || r->rejected)
      throw std::runtime_error("import failed");
  }
  auto publisher = s.create_key(Role::kPublisher, kFixturePublisher);
  auto spare = s.create_key(Role::kOperator, "");
  if (!publisher || !spare || !s.revoke_key(spare->key.id)) throw std::runtime_error("keys failed");
  auto enterprises = read_jsonl(fixture("enterprises.jsonl"));
  auto scenarios = read_jsonl(fixture("scenarios.jsonl"));
  Actor op{Role::kOperator, "ops"};
  for (int i = 0; i < 2; ++i) {
    auto m = s.lifecycle().create(scenarios.at(i)["id"], enterprises.at(i)["id"], op, Stage::kApplied, "试点");
    if (!m) throw std::runtime_error(m.status().to_string());
    for (Stage to : {Stage::kSelected, Stage::kRd, Stage::kValidation}) {
      if (i == 1 && to == Stage::kRd) break;
      MoveRequest r;
      r.to = to;
      r.note = "第" + std::to_string(i) + "步";
      if (!s.lifecycle().move(m->id, op, r)) throw std::runtime_error("move failed");
    }
  }
  if (!s.sync_index()) throw std::runtime_error("sync failed");
  return publisher->secret;
}

pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    std::string binary = JIEBANG_BINARY;
    argv.push_back(binary.data());
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    FILE* f = std::freopen(log.c_str(), "w", stderr);
    (void)f;
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

bool wait_healthy(int port) {
  HttpClient http(port);
  for (int i = 0; i < 300; ++i) {
    try {
      if (http.get("/healthz").status == 200) return true;
    } catch (const std::exception&) {  // not listening yet
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

int stop_with_sigterm(pid_t pid) {
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::unique_ptr<Store> open_store(const std::string& data_dir) {
  auto st = Store::open(data_dir + "/jiebang.sqlite3");
  if (!st) throw std::runtime_error(st.status().to_string());
  return std::move(*st);
}

std::map<std::string, std::string> all_scenarios(const Store& st) {
  std::map<std::string, std::string> out;
  EXPECT_TRUE(st.for_each_scenario([&](Scenario&& s) {
    out[s.id] = to_json(s).dump();
    return true;
  }));
  return out;
}

std::map<std::string, std::string> all_enterprises(const Store& st) {
  std::map<std::string, std::string> out;
  EXPECT_TRUE(st.for_each_enterprise([&](Enterprise&& e) {
    out[e.id] = to_json(e).dump();
    return true;
  }));
  return out;
}

/// Matches with their events, and keys, as comparable text.
std::string matches_and_keys(const Store& st) {
  std::string out;
  auto matches = st.list_matches({});
  EXPECT_TRUE(matches);
  for (const auto& m : *matches) {
    out += fmt::format("{}|{}|{}|{}|{}|{}|{}|{}\n", m.id, m.scenario_id, m.enterprise_id, m.publisher, stage_name(m.stage),
                       m.version, m.created_at, m.updated_at);
    auto events = st.match_events(m.id);
    EXPECT_TRUE(events);
    for (const auto& e : *events)
      out += fmt::format("  {}|{}|{}|{}|{}|{}|{}|{}\n", e.seq, role_name(e.actor_role), e.actor_id, e.at,
                         e.from_stage ? stage_name(*e.from_stage) : "", stage_name(e.to_stage), e.note, e.correction);
  }
  auto keys = st.list_api_keys();
  EXPECT_TRUE(keys);
  for (const auto& k : *keys)
    out += fmt::format("key {}|{}|{}|{}|{}|{}\n", k.id, k.key_hash, role_name(k.role), k.scope, k.created_at, k.revoked_at);
  return out;
}

/// Search and match results as sorted "id score" lines (scores to 1e-9), every result of each
/// (limits above the corpus): the writer's scenarios tie, and which of tied results make a cut-off
/// is not what this test is about.
std::string rankings(Service& s, const std::vector<std::string>& scenario_ids, const std::vector<std::string>& enterprise_ids) {
  std::string out;
  auto line = [](const std::string& id, double score) { return fmt::format("{} {:.9f}\n", id, score); };
  for (const char* q : {"巡检机器人", "交通 信号", "储能", "AI 视频识别"}) {
    auto hits = s.search(q, {}, 500);
    EXPECT_TRUE(hits) << q;
    std::vector<std::string> lines;
    for (const auto& h : *hits) lines.push_back(line(h.id, h.score));
    std::sort(lines.begin(), lines.end());
    out += std::string("search ") + q + "\n";
    for (const auto& l : lines) out += l;
  }
  for (const auto& id : scenario_ids) {
    auto r = s.match_scenario(id, 500);
    EXPECT_TRUE(r) << id;
    std::vector<std::string> lines;
    for (const auto& m : *r) lines.push_back(line(m.id, m.score));
    std::sort(lines.begin(), lines.end());
    out += "match scenario " + id + "\n";
    for (const auto& l : lines) out += l;
  }
  for (const auto& id : enterprise_ids) {
    auto r = s.match_enterprise(id, 500);
    EXPECT_TRUE(r) << id;
    std::vector<std::string> lines;
    for (const auto& m : *r) lines.push_back(line(m.id, m.score));
    std::sort(lines.begin(), lines.end());
    out += "match enterprise " + id + "\n";
    for (const auto& l : lines) out += l;
  }
  return out;
}

std::unique_ptr<Service> open_service_on(const std::string& data_dir) {
  ServiceConfig sc;
  sc.data_dir = data_dir;
  sc.index_dir = index_dir();
  sc.clock = fixtures_clock();
  auto svc = Service::open(sc);
  if (!svc) throw std::runtime_error(svc.status().to_string());
  return std::move(*svc);
}

std::string writer_id(int i) { return fmt::format("bk-w{:04d}", i); }

TEST(BackupRestore, ABackupTakenUnderWritesRestoresOneMomentWhole) {
  TempDir dir;
  const std::string source = dir.file("source"), backup = dir.file("backup"), restored = dir.file("restored");
  const std::string publisher_key = populate(source);
  // The reference the restored directory is compared with at the end: the same records as the
  // source before the writes (fixtures, keys, loop), copied rather than populated a second time
  // (populating is most of this test's time under ASan).
  const std::string reference = dir.file("reference");
  fs::copy(source, reference, fs::copy_options::recursive);

  int port = free_port();
  pid_t server = spawn({"--data-dir", source, "--index-dir", index_dir(), "serve", "--no-digest", "--listen",
                        "127.0.0.1:" + std::to_string(port)},
                       dir.file("serve.log"));
  ASSERT_GT(server, 0);
  ASSERT_TRUE(wait_healthy(port)) << read_file(dir.file("serve.log"));

  // A writer keeps adding scenarios, one acknowledged write after another, while the backup runs.
  std::atomic<int> acknowledged{0};
  std::atomic<bool> stop{false};
  std::string writer_error;
  std::thread writer([&] {
    HttpClient http(port);
    for (int i = 1; !stop; ++i) {
      auto r = http.put("/v1/scenarios/" + writer_id(i), publisher_key, scenario(writer_id(i), "变电站巡检机器人备份期间场景" + std::to_string(i)));
      if (r.status != 200 && r.status != 201) {
        writer_error = fmt::format("PUT {}: {} {} closed_early={} headers={}", writer_id(i), r.status, r.body, r.closed_early, r.headers.size());
        return;
      }
      acknowledged = i;
    }
  });
  auto wait_for = [&](int n) {
    for (int i = 0; i < 600 && acknowledged < n && writer_error.empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return acknowledged >= n;
  };
  ASSERT_TRUE(wait_for(3)) << writer_error;
  const int before = acknowledged;
  auto b = run_cli(dir, {"--data-dir", source, "backup", backup, "--json"});
  const int after = acknowledged;
  // Restoring over the served directory is refused even with --force, and leaves it serving.
  auto over = run_cli(dir, {"--data-dir", source, "--index-dir", index_dir(), "restore", backup, "--force"});
  EXPECT_EQ(over.exit_code, 1);
  EXPECT_NE(over.err.find(source + ": in use"), std::string::npos) << over.err;
  bool more = wait_for(acknowledged + 2);  // writes go on after the backup too
  stop = true;
  writer.join();
  EXPECT_EQ(stop_with_sigterm(server), 0) << read_file(dir.file("serve.log"));
  ASSERT_EQ(b.exit_code, 0) << b.err;
  ASSERT_TRUE(more) << writer_error << "\n" << read_file(dir.file("serve.log"));
  ASSERT_TRUE(writer_error.empty()) << writer_error;

  json manifest = json::parse(b.out);
  EXPECT_EQ(manifest, json::parse(read_file(backup + "/manifest.json")));
  const int snapshot = manifest["rows"]["scenarios"].get<int>() - 50;  // writer scenarios in the snapshot
  EXPECT_GE(snapshot, before);
  EXPECT_LE(snapshot, after + 1);  // + the one committed but not yet acknowledged when the backup returned

  auto r = run_cli(dir, {"--data-dir", restored, "--index-dir", index_dir(), "restore", backup, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json report = json::parse(r.out);
  EXPECT_EQ(report["restored"]["scenarios"], manifest["rows"]["scenarios"]);
  EXPECT_EQ(report["restored"]["enterprises"], manifest["rows"]["enterprises"]);
  EXPECT_EQ(report["restored"]["indexed_scenarios"], manifest["rows"]["scenarios"]);
  EXPECT_EQ(report["restored"]["indexed_enterprises"], manifest["rows"]["enterprises"]);
  EXPECT_EQ(report["restored"]["store_seq"], manifest["last_change_seq"]);

  // Records: the fixtures and exactly the writer's first `snapshot` scenarios, each as the source holds it.
  auto src_store = open_store(source), dst_store = open_store(restored);
  auto src_scenarios = all_scenarios(*src_store), dst_scenarios = all_scenarios(*dst_store);
  std::map<std::string, std::string> expected;
  for (const auto& [id, text] : src_scenarios)
    if (!id.starts_with("bk-w") || std::stoi(id.substr(4)) <= snapshot) expected[id] = text;
  EXPECT_EQ(dst_scenarios.size(), expected.size());
  EXPECT_TRUE(dst_scenarios == expected);
  EXPECT_TRUE(all_enterprises(*dst_store) == all_enterprises(*src_store));
  std::string src_loop = matches_and_keys(*src_store);
  EXPECT_NE(src_loop.find("validation"), std::string::npos);
  EXPECT_NE(src_loop.find("key 2"), std::string::npos);
  EXPECT_EQ(matches_and_keys(*dst_store), src_loop);
  EXPECT_EQ(static_cast<int64_t>(dst_scenarios.size()), manifest["rows"]["scenarios"].get<int64_t>());
  EXPECT_EQ(manifest["rows"]["matches"], 2);
  EXPECT_EQ(manifest["rows"]["match_events"], 6);  // 1 + 3 moves, 1 + 1 move
  EXPECT_EQ(manifest["rows"]["api_keys"], 2);
  dst_store.reset();
  src_store.reset();

  // Search and match: the restored directory ranks as the reference given the same records as of
  // the snapshot (the fixtures, the same loop, the writer's first `snapshot`) through the service.
  auto ref = open_service_on(reference);
  {
    auto src = open_store(source);
    for (int i = 1; i <= snapshot; ++i) {
      auto s = src->get_scenario(writer_id(i));
      ASSERT_TRUE(s) << writer_id(i);
      ASSERT_TRUE(ref->put_scenario(*s));
    }
  }
  auto res = open_service_on(restored);
  auto enterprises = read_jsonl(fixture("enterprises.jsonl"));
  std::vector<std::string> scenario_ids = {"hz-2026-03-001", "hz-2026-03-002", writer_id(1)};
  std::vector<std::string> enterprise_ids = {enterprises[0]["id"], enterprises[1]["id"], enterprises[5]["id"]};
  std::string expected_rankings = rankings(*ref, scenario_ids, enterprise_ids);
  EXPECT_NE(expected_rankings.find(writer_id(1) + " "), std::string::npos);  // found by the search too
  EXPECT_EQ(rankings(*res, scenario_ids, enterprise_ids), expected_rankings);
}

TEST(BackupRestore, RefusesANonEmptyDirectoryAndADamagedBackupSayingWhereAndWhy) {
  TempDir dir;
  const std::string source = dir.file("source"), backup = dir.file("backup");
  populate(source, 5);  // a few records: this test is about the refusals
  auto usage = run_cli(dir, {"--data-dir", source, "restore"});
  EXPECT_EQ(usage.exit_code, 2) << usage.err;
  auto missing = run_cli(dir, {"--data-dir", dir.file("nowhere"), "backup", dir.file("b0")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find(dir.file("nowhere")), std::string::npos) << missing.err;
  EXPECT_FALSE(fs::exists(dir.file("nowhere")));
  ASSERT_EQ(run_cli(dir, {"--data-dir", source, "backup", backup}).exit_code, 0);
  auto again = run_cli(dir, {"--data-dir", source, "backup", backup});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find(backup + ": not empty"), std::string::npos) << again.err;

  auto restore = [&](const std::string& target, const std::string& from, bool force = false) {
    std::vector<std::string> args = {"--data-dir", target, "--index-dir", index_dir(), "restore", from};
    if (force) args.push_back("--force");
    return run_cli(dir, args);
  };
  // A data directory in use (not empty) is refused, naming it; --force replaces its store and index.
  const std::string busy = dir.file("busy");
  fs::create_directories(busy);
  write_file(busy + "/notes.txt", "keep me");
  auto refused = restore(busy, backup);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find(busy + ": data directory not empty"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(busy + "/jiebang.sqlite3"));
  auto forced = restore(busy, backup, true);
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(read_file(busy + "/notes.txt"), "keep me");

  // Damaged copies of the backup: truncated, one byte changed, no manifest, a manifest with a bad type.
  auto damaged = [&](const std::string& name, const std::function<void(const std::string&)>& damage) {
    std::string copy = dir.file(name);
    fs::copy(backup, copy);
    damage(copy);
    return copy;
  };
  auto truncated = damaged("truncated", [](const std::string& d) {
    fs::resize_file(d + "/jiebang.sqlite3", fs::file_size(d + "/jiebang.sqlite3") / 2);
  });
  auto flipped = damaged("flipped", [](const std::string& d) {
    std::string bytes = read_file(d + "/jiebang.sqlite3");
    bytes[bytes.size() - 100] ^= 0x5a;
    write_file(d + "/jiebang.sqlite3", bytes);
  });
  auto unfinished = damaged("unfinished", [](const std::string& d) { fs::remove(d + "/manifest.json"); });
  auto mistyped = damaged("mistyped", [](const std::string& d) {
    json m = json::parse(read_file(d + "/manifest.json"));
    m["last_change_seq"] = "many";
    write_file(d + "/manifest.json", m.dump());
  });
  struct Case {
    std::string backup, where, why;
  };
  for (const Case& c : {Case{truncated, truncated + "/jiebang.sqlite3", "truncated"},
                        Case{flipped, flipped + "/jiebang.sqlite3", "SHA-256"},
                        Case{unfinished, unfinished + "/manifest.json: missing", "not a jiebang backup"},
                        Case{mistyped, mistyped + "/manifest.json", "last_change_seq"}}) {
    const std::string target = dir.file("target-" + fs::path(c.backup).filename().string());
    auto r = restore(target, c.backup);
    EXPECT_EQ(r.exit_code, 1) << c.backup;
    EXPECT_NE(r.err.find(c.where), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.why), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(target + "/jiebang.sqlite3")) << c.backup;  // nothing restored
  }
}

}  // namespace
}  // namespace jiebang
