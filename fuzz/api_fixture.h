// The fuzz targets' shared API fixture: one Service over a fresh data directory with the fixture
// records, an Api on it, and the checks every API answer must pass.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "jiebang/api/api.h"
#include "jiebang/core/log.h"
#include "jiebang/service/service.h"

namespace jiebang::fuzz {

/// A Service (writable, clock fixed at 2026-11-29 04:00 UTC as the tests' fixtures clock) over a
/// data directory in /dev/shm (or $TMPDIR), with fixtures/scenarios.jsonl and enterprises.jsonl
/// imported and one match (the first scenario and enterprise, applied), and an Api over it.
/// Made once per process (LLVMFuzzerInitialize); the directory is removed at exit. Aborts when
/// it cannot be made (the target cannot run without it).
struct ApiFixture {
  std::string dir;
  std::unique_ptr<Service> service;
  std::unique_ptr<api::Api> api;
  std::string scenario_id, enterprise_id, match_id, publisher;

  static ApiFixture& get() {
    static ApiFixture* f = new ApiFixture();  // never destroyed: libFuzzer exits without unwinding
    return *f;
  }

 private:
  static void fail(const std::string& why) {
    std::fprintf(stderr, "fuzz fixture: %s\n", why.c_str());
    std::abort();
  }

  ApiFixture() {
    (void)set_log_level("error");  // the API's warnings (refused values) would flood the run's log
    std::string base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path().string();
    dir = base + "/jiebang-fuzz-" + std::to_string(::getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    static std::string to_remove;
    to_remove = dir;
    std::atexit([] { std::error_code ec; std::filesystem::remove_all(to_remove, ec); });
    ServiceConfig sc;
    sc.data_dir = dir;
    auto tp = std::chrono::sys_days{std::chrono::year{2026} / 11 / 29} + std::chrono::hours(4);
    sc.clock = [tp] { return std::chrono::time_point_cast<std::chrono::system_clock::duration>(tp); };
    auto svc = Service::open(sc);
    if (!svc) fail(svc.status().to_string());
    service = std::move(*svc);
    for (auto [kind, file] : {std::pair{RecordKind::kScenario, "scenarios.jsonl"}, std::pair{RecordKind::kEnterprise, "enterprises.jsonl"}}) {
      auto r = service->import_file(kind, std::string(JIEBANG_SOURCE_DIR) + "/fixtures/" + file);
      if (!r) fail(r.status().to_string());
    }
    scenario_id = "hz-2026-03-001";
    auto s = service->get_scenario(scenario_id);
    if (!s) fail(s.status().to_string());
    publisher = s->publisher;
    enterprise_id = "91330108MA2M95UY1P";
    Actor actor{Role::kEnterprise, enterprise_id};
    auto m = service->lifecycle().create(scenario_id, enterprise_id, actor, Stage::kApplied, "fuzz fixture");
    if (!m) fail(m.status().to_string());
    match_id = m->id;
    api = std::make_unique<api::Api>(*service, api::ApiConfig{});
  }
};

/// The caller for role number `n` (0 operator, 1 the fixture scenario's publisher, 2 the fixture
/// enterprise).
inline api::Caller caller_for(int n, const ApiFixture& f) {
  switch (n % 3) {
    case 1: return {Role::kPublisher, f.publisher, 2};
    case 2: return {Role::kEnterprise, f.enterprise_id, 3};
    default: return {Role::kOperator, "", 1};
  }
}

/// What every answer of the API must be: a real status, never 500 (an exception that escaped a
/// handler's rules), and every error a problem+json object (RFC 9457). Aborts otherwise, printing
/// the answer, so that libFuzzer keeps the input. With JIEBANG_FUZZ_VERBOSE set, prints every answer.
inline void check_answer(const api::HttpResponse& r, const api::HttpRequest& req) {
  static const bool verbose = std::getenv("JIEBANG_FUZZ_VERBOSE") != nullptr;  // to see what seeds reach
  if (verbose) std::fprintf(stderr, "%d %s %.200s: %.300s\n", r.status, req.method.c_str(), req.target.c_str(), r.body.c_str());
  bool ok = r.status >= 200 && r.status <= 599 && r.status != 500;
  if (ok && r.status >= 400) {
    auto ct = r.headers.get("Content-Type");
    ok = ct && ct->starts_with("application/problem+json");
    if (ok) {
      auto j = nlohmann::json::parse(r.body, nullptr, false);
      ok = j.is_object() && j.contains("status") && j["status"] == r.status;
    }
  }
  if (!ok) {
    std::fprintf(stderr, "bad answer %d to %s %.200s: %.2000s\n", r.status, req.method.c_str(), req.target.c_str(),
                 r.body.c_str());
    std::abort();
  }
}

}  // namespace jiebang::fuzz
