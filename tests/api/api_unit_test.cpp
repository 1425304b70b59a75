// The API's plain C++ parts without a server: status mapping, problem details, routing, listen
// addresses, metrics text, signed cursors.
#include <gtest/gtest.h>

#include <filesystem>

#include "context.h"  // src/api: the cursor functions
#include "idempotency.h"  // src/api
#include "test_util.h"

#include "jiebang/api/api.h"
#include "jiebang/api/metrics.h"
#include "jiebang/api/problem.h"
#include "jiebang/api/router.h"

namespace jiebang::api {
namespace {

TEST(HttpStatus, MapsEveryErrorCode) {
  EXPECT_EQ(http_status(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(http_status(ErrorCode::kNotFound), 404);
  EXPECT_EQ(http_status(ErrorCode::kConflict), 409);
  EXPECT_EQ(http_status(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(http_status(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(problem_from_status(Status::unauthenticated("the session expired")).to_json()["type"],
            "urn:jiebang:problem:unauthenticated");
  EXPECT_EQ(problem_from_status(Status::permission_denied("not yours")).to_json()["type"],
            "urn:jiebang:problem:permission-denied");
  EXPECT_EQ(http_status(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(http_status(ErrorCode::kInternal), 500);
}

TEST(Problem, FromStatusNamesTheFieldTheErrorWasRaisedFor) {
  Problem p = problem_from_status(Status::invalid_field("region", "\"99\" is not a GB/T 2260 code"));
  EXPECT_EQ(p.status, 400);
  EXPECT_EQ(p.field, "region");
  EXPECT_EQ(p.detail, "region: \"99\" is not a GB/T 2260 code");  // the detail keeps its form
  auto j = p.to_json();
  EXPECT_EQ(j["type"], "urn:jiebang:problem:invalid-argument");
  EXPECT_EQ(j["title"], "Bad Request");
  EXPECT_EQ(j["field"], "region");
  EXPECT_EQ(problem_from_status(Status::not_found("no match \"m1\"")).field, "");
  // Any code can name its field (a conflict on "id", a missing "scenario_id").
  EXPECT_EQ(problem_from_status(Status(ErrorCode::kNotFound, "scenario_id", "no scenario \"s1\"")).to_json()["field"],
            "scenario_id");
}

TEST(Problem, AMessageThatMerelyLooksLikeFieldColonTextNamesNoField) {
  // A file name or a setting leading a message is not an input field of the request: before the
  // field was a member of Status, the API read "manifest.json" and "base" here as fields.
  for (const char* message : {"manifest.json: not valid JSON (damaged?)", "base: no words", "store.file: gone"}) {
    Problem p = problem_from_status(Status::invalid_argument(message));
    EXPECT_EQ(p.field, "") << message;
    EXPECT_FALSE(p.to_json().contains("field")) << message;
    EXPECT_EQ(p.detail, message);
  }
}

TEST(Problem, InternalErrorsDoNotLeakTheirMessage) {
  Problem p = problem_from_status(Status::internal("cannot open /secret/path"));
  EXPECT_EQ(p.status, 500);
  EXPECT_EQ(p.detail.find("/secret"), std::string::npos);
}

TEST(Problem, ValidationListsEveryField) {
  Problem p = validation_problem({{"title", "required"}, {"required_trl", "must be 1-9"}});
  auto j = p.to_json();
  EXPECT_EQ(j["status"], 400);
  EXPECT_EQ(j["field"], "title");
  ASSERT_EQ(j["errors"].size(), 2u);
  EXPECT_EQ(j["errors"][1]["field"], "required_trl");
  HttpResponse r = p.response();
  EXPECT_EQ(r.headers.get("content-type").value_or(""), "application/problem+json");
}

TEST(Router, LiteralSegmentWinsOverParameter) {
  const auto& routes = route_table();
  auto m = match_route(routes, "POST", {"v1", "scenarios", "import"});
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/v1/scenarios/import");
  // PUT on the literal path is not an upsert of a scenario called "import".
  auto put = match_route(routes, "PUT", {"v1", "scenarios", "import"});
  EXPECT_EQ(put.route, nullptr);
  ASSERT_EQ(put.allowed.size(), 1u);
  EXPECT_EQ(put.allowed[0], "POST");
}

TEST(Router, ParametersAndMisses) {
  const auto& routes = route_table();
  auto m = match_route(routes, "GET", {"v1", "scenarios", "杭州/1"});
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.at("id"), "杭州/1");
  auto miss = match_route(routes, "GET", {"v2", "nothing"});
  EXPECT_EQ(miss.route, nullptr);
  EXPECT_TRUE(miss.allowed.empty());
  auto wrong = match_route(routes, "DELETE", {"v1", "matches", "m000001"});
  EXPECT_EQ(wrong.route, nullptr);
  EXPECT_EQ(wrong.allowed.size(), 1u);
}

TEST(ParseListen, HostPortForms) {
  auto v4 = parse_listen("127.0.0.1:8080");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->first, "127.0.0.1");
  EXPECT_EQ(v4->second, 8080);
  auto v6 = parse_listen("[::1]:9000");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->first, "::1");
  EXPECT_FALSE(parse_listen("127.0.0.1"));
  EXPECT_FALSE(parse_listen("127.0.0.1:0"));
  EXPECT_FALSE(parse_listen("127.0.0.1:70000"));
  EXPECT_FALSE(parse_listen("127.0.0.1:http"));
}

TEST(Metrics, RendersCountersAndCumulativeHistogram) {
  Metrics m;
  m.record("/v1/scenarios", "GET", 200, 0.003);
  m.record("/v1/scenarios", "GET", 200, 0.2);
  m.record("/v1/scenarios", "GET", 400, 20.0);
  std::string text = m.render();
  EXPECT_NE(text.find("jiebang_http_requests_total{route=\"/v1/scenarios\",method=\"GET\",status=\"200\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("jiebang_http_request_duration_seconds_bucket{route=\"/v1/scenarios\",le=\"0.005\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("jiebang_http_request_duration_seconds_bucket{route=\"/v1/scenarios\",le=\"0.25\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("jiebang_http_request_duration_seconds_bucket{route=\"/v1/scenarios\",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("jiebang_http_request_duration_seconds_count{route=\"/v1/scenarios\"} 3\n"), std::string::npos);
  EXPECT_EQ(prometheus_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace jiebang::api

namespace jiebang::api {
namespace {

TEST(Metrics, MethodLabelsAreAClosedSet) {
  Metrics m;
  for (int i = 0; i < 100; ++i) m.record("unmatched", "X" + std::to_string(i), 501, 0.001);
  m.record("/healthz", "GET", 200, 0.001);
  std::string text = m.render();
  EXPECT_NE(text.find("method=\"other\",status=\"501\"} 100"), std::string::npos) << text;
  EXPECT_EQ(text.find("X17"), std::string::npos);
  EXPECT_EQ(method_label("PATCH"), "PATCH");
  EXPECT_EQ(method_label("get"), "other");  // methods are case-sensitive (RFC 9110 §9.1)
}

TEST(Router, AllowListsHeadWithGetAndOptionsLast) {
  EXPECT_EQ(allow_header({"GET", "PUT", "PATCH"}), "GET, HEAD, PUT, PATCH, OPTIONS");
  EXPECT_EQ(allow_header({"POST"}), "POST, OPTIONS");
  auto m = match_route(route_table(), "HEAD", {"v1", "scenarios", "x"});
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->method, "GET");
}

TEST(Cursor, SignedRoundTripAndEveryTamperingRefused) {
  const std::string key(32, 'k'), other(32, 'o');
  std::string c = encode_cursor(40, "0123456789abcdef", key);
  auto back = decode_cursor(c, key);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->first, 40u);
  EXPECT_EQ(back->second, "0123456789abcdef");
  EXPECT_FALSE(decode_cursor(c, other)) << "another data directory's key";
  EXPECT_FALSE(decode_cursor(c, "")) << "no key";
  for (size_t i = 0; i < c.size(); ++i) {  // every single-character change
    std::string t = c;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(decode_cursor(t, key)) << "changed at " << i << ": " << t;
  }
  // Another spelling of the same signature bytes (the last character's unused low bits set) is
  // an altered cursor too: found by fuzz/cursor_fuzz.cpp (corpus regression-sig-pad-bits).
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (std::string k : {key, std::string(32, '\x5a'), std::string("another key")}) {
    std::string signed_c = encode_cursor(7, "fedcba9876543210", k);
    ASSERT_TRUE(decode_cursor(signed_c, k));
    for (char x : alphabet) {
      std::string t = signed_c;
      t.back() = x;
      if (t != signed_c) {
        EXPECT_FALSE(decode_cursor(t, k)) << t;
      }
    }
  }
  EXPECT_FALSE(decode_cursor(c.substr(0, c.find('.')), key)) << "unsigned";
  EXPECT_FALSE(decode_cursor(c + "A", key));
  EXPECT_FALSE(decode_cursor(c.substr(0, c.size() - 1), key));
  // The old unsigned form (base64url of the JSON alone) is refused.
  EXPECT_FALSE(decode_cursor("eyJvIjo0MCwicSI6IjAxMjM0NTY3ODlhYmNkZWYifQ", key));
  // Offsets are range-checked: the largest is kept, never wrapped.
  auto high = decode_cursor(encode_cursor(uint64_t{1} << 40, "f", key), key);
  ASSERT_TRUE(high);
  EXPECT_EQ(high->first, kMaxCursorOffset);
}

TEST(Cursor, KeyIsCreatedOnceAndKeptPrivate) {
  testing::TempDir dir;
  std::string path = dir.file("cursor.key");
  auto first = load_or_create_secret(path);
  ASSERT_TRUE(first) << first.status().to_string();
  EXPECT_EQ(first->size(), 32u);
  auto again = load_or_create_secret(path);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  testing::write_file(path, "short");
  EXPECT_EQ(load_or_create_secret(path).status().code(), ErrorCode::kInvalidArgument);
}

// Breaking pass, session 14, finding 9: a key's kept answers had no quota (a 110 KB import of bad
// lines kept a 1.3 MB answer, each under a new Idempotency-Key). Now one caller's answers take at
// most max_bytes_per_caller: the oldest go first, one larger than the quota is not kept.
TEST(Idempotency, OneCallersKeptAnswersStayWithinItsQuotaTheOldestGoingFirst) {
  testing::TempDir dir;
  auto opened = IdempotencyStore::open(dir.file("idempotency.sqlite3"), std::chrono::hours(24), 1000);
  ASSERT_TRUE(opened) << opened.status().to_string();
  IdempotencyStore& store = **opened;
  int runs = 0;
  auto post = [&](const std::string& caller, const std::string& key, size_t body_bytes) {
    HttpRequest req;
    req.method = "POST";
    req.target = "/v1/scenarios";
    req.body = "{\"id\":\"" + key + "\"}";
    return store.run(caller, key, req, [&] {
      ++runs;
      HttpResponse r;
      r.status = 201;
      r.body = std::string(body_bytes, 'x');
      return r;
    });
  };
  for (const char* key : {"a", "b", "c"}) EXPECT_EQ(post("key-1", key, 400).status, 201);
  EXPECT_EQ(post("key-2", "a", 400).status, 201);  // another caller, its own quota
  EXPECT_EQ(runs, 4);
  // key-1 holds at most 1000 bytes: "a" went when "c" came; "b" and "c" are replayed.
  EXPECT_EQ(post("key-1", "c", 400).headers.get("Idempotent-Replayed").value_or(""), "true");
  EXPECT_EQ(post("key-1", "b", 400).headers.get("Idempotent-Replayed").value_or(""), "true");
  EXPECT_EQ(post("key-2", "a", 400).headers.get("Idempotent-Replayed").value_or(""), "true");
  EXPECT_EQ(runs, 4);
  post("key-1", "a", 400);
  EXPECT_EQ(runs, 5) << "the dropped answer's retry runs again";
  // An answer larger than the whole quota is not kept: its retry runs again, the others stay.
  post("key-1", "huge", 5000);
  post("key-1", "huge", 5000);
  EXPECT_EQ(runs, 7);
  EXPECT_EQ(post("key-1", "a", 400).headers.get("Idempotent-Replayed").value_or(""), "true");
}

}  // namespace
}  // namespace jiebang::api
