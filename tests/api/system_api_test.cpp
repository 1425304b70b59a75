// Black-box tests of the server as a whole: health, metrics, the OpenAPI document against the route
// table, routing misses, keys made and revoked by the CLI, request limits, clients that misbehave,
// and `jiebang serve` as a process.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <iostream>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "api_test_util.h"
#include "jiebang/api/router.h"
#include "jiebang/index/search_index.h"
#include "jiebang/web/pages.h"
#include "jiebang/store/store.h"

namespace jiebang::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

/// One sample line of the Prometheus text format: name, optional {label="value",…}, a space, a number.
bool is_prometheus_sample(const std::string& line) {
  auto name_char = [](char c, bool first) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
           (!first && std::isdigit(static_cast<unsigned char>(c)));
  };
  size_t i = 0;
  if (line.empty() || !name_char(line[0], true)) return false;
  while (i < line.size() && name_char(line[i], i == 0)) ++i;
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      size_t label = i;
      while (i < line.size() && name_char(line[i], i == label) && line[i] != ':') ++i;
      if (i == label || line.compare(i, 2, "=\"") != 0) return false;
      i += 2;
      while (i < line.size() && line[i] != '"') i += line[i] == '\\' ? 2 : 1;
      if (i >= line.size()) return false;
      ++i;
      if (i < line.size() && line[i] == ',') ++i;
    }
    if (i >= line.size()) return false;
    ++i;
  }
  if (i >= line.size() || line[i] != ' ') return false;
  std::string value = line.substr(i + 1);
  char* end = nullptr;
  std::strtod(value.c_str(), &end);
  return !value.empty() && end == value.c_str() + value.size();
}

class SystemApi : public SharedServerTest<SystemApi> {
 protected:
  static std::vector<std::string> cli_globals() {
    return {"--data-dir", env().dir.file("data"), "--index-dir", index_dir(), "--create"};
  }

};


TEST_F(SystemApi, HealthzNeedsNoKeyAndReportsStoreAndIndex) {
  auto r = http().get("/healthz");
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.json();
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["store"]["scenarios"], 50);
  EXPECT_EQ(j["store"]["enterprises"], 165);
  EXPECT_EQ(j["index"]["lag"], 0);
  EXPECT_EQ(j["index"]["applied_seq"], j["store"]["seq"]);
  EXPECT_EQ(j["index"]["writable"], true);
}

TEST_F(SystemApi, MetricsAreForTheOperatorInPrometheusTextFormat) {
  ASSERT_EQ(http().get("/healthz").status, 200);
  ASSERT_EQ(http().get("/v1/scenarios?q=x", env().enterprise_key).status, 200);
  EXPECT_EQ(http().get("/metrics").status, 401);
  EXPECT_EQ(http().get("/metrics", env().publisher_key).status, 403);
  auto r = http().get("/metrics", env().operator_key);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = r.body;
  EXPECT_NE(text.find("# TYPE jiebang_http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("jiebang_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"}"), std::string::npos);
  EXPECT_NE(text.find("jiebang_http_requests_total{route=\"/v1/scenarios\",method=\"GET\",status=\"200\"}"),
            std::string::npos);
  EXPECT_NE(text.find("jiebang_http_requests_total{route=\"/metrics\",method=\"GET\",status=\"403\"}"), std::string::npos);
  EXPECT_NE(text.find("# TYPE jiebang_http_request_duration_seconds histogram"), std::string::npos);
  EXPECT_NE(text.find("jiebang_http_request_duration_seconds_bucket{route=\"/v1/scenarios\",le=\"+Inf\"}"),
            std::string::npos);
  EXPECT_NE(text.find("\njiebang_index_lag 0\n"), std::string::npos);
  // Every line is a comment or a sample: name{labels} value.
  size_t start = 0, lines = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    ASSERT_NE(end, std::string::npos) << "the text must end with a newline";
    std::string line = text.substr(start, end - start);
    if (!line.starts_with("# HELP ") && !line.starts_with("# TYPE ")) {
      EXPECT_TRUE(is_prometheus_sample(line)) << line;
    }
    ++lines;
    start = end + 1;
  }
  EXPECT_GT(lines, 10u);
}

TEST_F(SystemApi, OpenApiDocumentDescribesExactlyTheRouteTable) {
  auto r = http().get("/openapi.json");
  ASSERT_EQ(r.status, 200);
  json doc = r.json();
  EXPECT_EQ(doc["openapi"], "3.0.3");
  std::set<std::pair<std::string, std::string>> documented, served;
  for (const auto& [path, item] : doc["paths"].items())
    for (const auto& [method, op] : item.items()) {
      if (method == "parameters") continue;
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert({path, upper});
      EXPECT_TRUE(op.contains("responses")) << path << " " << method;
    }
  for (const auto& route : api::route_table()) served.insert({std::string(route.pattern), std::string(route.method)});
  EXPECT_EQ(documented, served);
  // The public routes are the ones the document marks as needing no key.
  for (const auto& route : api::route_table()) {
    std::string method(route.method);
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const json& op = doc["paths"][std::string(route.pattern)][method];
    bool public_in_doc = op.contains("security") && op["security"].empty();
    EXPECT_EQ(public_in_doc, route.access == api::Access::kPublic) << route.pattern;
  }
}

TEST_F(SystemApi, UnknownRoutesAre404AndWrongMethods405) {
  auto missing = http().get("/v2/nothing", env().operator_key);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("content-type"), "application/problem+json");
  auto wrong = http().request("DELETE", "/v1/scenarios/hz-2026-03-001", env().operator_key);
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.header("allow"), "GET, HEAD, PUT, PATCH, OPTIONS");
  EXPECT_EQ(http().get("/v1/scenarios/%C3%28", env().operator_key).status, 400);
  EXPECT_EQ(http().get("/v1/scenarios?q=%FF", env().operator_key).status, 400);
}

TEST_F(SystemApi, KeysMadeAndRevokedByTheCliWhileServing) {
  std::vector<std::string> args = cli_globals();
  args.insert(args.end(), {"keys", "create", "--role", "operator", "--json"});
  auto made = run_cli(env().dir, args);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  json key = json::parse(made.out);
  std::string secret = key["key"];
  EXPECT_EQ(secret.size(), 46u);
  EXPECT_EQ(http().get("/metrics", secret).status, 200);
  // The store holds the hash, never the key.
  EXPECT_EQ(read_file(env().dir.file("data/jiebang.sqlite3")).find(secret), std::string::npos);

  args = cli_globals();
  args.insert(args.end(), {"keys", "revoke", std::to_string(key["id"].get<int64_t>())});
  auto revoked = run_cli(env().dir, args);
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  auto after = http().get("/metrics", secret);
  EXPECT_EQ(after.status, 401);
  EXPECT_NE(after.header("www-authenticate").find("invalid_token"), std::string::npos);

  args = cli_globals();
  args.insert(args.end(), {"keys", "list", "--json"});
  auto listed = run_cli(env().dir, args);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(listed.out.find(secret), std::string::npos);
  EXPECT_NE(listed.out.find("\"revoked_at\": \"20"), std::string::npos) << listed.out;
}

TEST_F(SystemApi, TwentyMebibyteBodyIs413WithoutReadingIt) {
  Socket s(env().port);
  size_t size = 20u << 20;
  std::string head = "POST /v1/scenarios HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + env().operator_key +
                     "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n";
  // The answer comes while the body is still being sent; the server stops reading and closes.
  HttpReply r = upload_while_reading(s, head, size);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_EQ(http().get("/healthz").status, 200);
}

TEST(SystemApiLimits, ChunkedBodyPastTheLimitIs413AndLongQueries414) {
  api::ApiConfig config;
  config.max_body_bytes = 100000;
  TestServer env(false, config);
  Socket s(env.port);
  std::string head = "POST /v1/scenarios/import HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                     env.operator_key + "\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n";
  ASSERT_TRUE(s.send_all(head));
  std::string chunk(8192, 'x');
  bool sent = true;
  for (int i = 0; i < 40 && sent; ++i)  // 320 KiB: well past the limit
    sent = s.send_all("2000\r\n" + chunk + "\r\n");
  if (sent) s.send_all("0\r\n\r\n");  // the body's end, as a client sends it (see cut_body)
  HttpReply r = parse_reply(s.read_all());
  EXPECT_EQ(r.status, 413);
  // Within the limit, a chunked body is read whole.
  std::string jsonl = scenario("chunked-1", "分块上传场景", "分块单位").dump() + "\n";
  char size_hex[16];
  std::snprintf(size_hex, sizeof size_hex, "%zx", jsonl.size());
  HttpReply ok = env.client().raw(head.substr(0, head.size() - 2) + "Connection: close\r\n\r\n" + size_hex + "\r\n" +
                                  jsonl + "\r\n0\r\n\r\n");
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json()["inserted"], 1);

  auto long_query = env.client().get("/v1/scenarios?q=" + std::string(5000, 'a'), env.operator_key);
  EXPECT_EQ(long_query.status, 414);
  EXPECT_EQ(long_query.header("content-type"), "application/problem+json");
}

// Regression: the 413 path marked the body complete from outside cpprestsdk's listener, which
// sent the response and closed the socket while the listener's read of the next piece was still
// running on another thread; about 1 upload in 40 crashed the server (SEGV in Boost.Asio's
// epoll_reactor::start_op). Both refusals — by Content-Length before reading, and a chunked body
// that grows past the limit while read — are repeated 1,000 times (~1 s): with the old code
// every one of 4 runs crashed, with 120 rounds only 1 of 4.
TEST(SystemApiLimits, OversizedUploadsNeverCrashTheServer) {
  api::ApiConfig config;
  config.max_body_bytes = 16 * 1024;
  TestServer env(false, config);
  const std::string auth = "Host: 127.0.0.1\r\nAuthorization: Bearer " + env.operator_key + "\r\n";
  constexpr int kRounds = 1000;
  int refused = 0;
  for (int i = 0; i < kRounds; ++i) {
    Socket s(env.port);
    bool chunked = i % 2 == 1;
    size_t size = 1u << 20;
    std::string head = "POST /v1/scenarios HTTP/1.1\r\n" + auth + "Content-Type: application/json\r\n" +
                       (chunked ? std::string("Transfer-Encoding: chunked\r\n")
                                : "Content-Length: " + std::to_string(size) + "\r\n") +
                       "\r\n";
    HttpReply r = upload_while_reading(s, head, size, chunked);
    EXPECT_EQ(r.status, 413) << "round " << i << (chunked ? " (chunked)" : " (Content-Length)");
    refused += r.status == 413;
  }
  EXPECT_EQ(refused, kRounds);
  EXPECT_EQ(env.client().get("/healthz").status, 200);
}

// Regressions from a breaking session against cpprestsdk's own request parsing, which the
// guard (src/api/http_guard.cpp) now does instead: each of these crashed the server, buffered
// past the body limit, lost requests or misread bodies.
namespace {
std::vector<int> statuses_in(const std::string& replies) {
  std::vector<int> out;
  for (size_t p = replies.find("HTTP/1.1 "); p != std::string::npos; p = replies.find("HTTP/1.1 ", p + 1))
    out.push_back(std::stoi(replies.substr(p + 9, 3)));
  return out;
}
}  // namespace

TEST(SystemApiFraming, MalformedChunkSizesAre400AndTheServerLives) {
  TestServer env(false);
  // "-1" made cpprestsdk copy SIZE_MAX bytes (std::bad_alloc in an I/O thread: the process
  // aborted); "zz" was read as 0 (the body ended early, the rest parsed as a next request).
  for (std::string size : {"-1", "-2", "zz", "ffffffffffffffffff"}) {
    Socket s(env.port);
    // A route that takes a body, with a key: the head passes, the chunks are read.
    ASSERT_TRUE(s.send_all("POST /v1/scenarios/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                           env.operator_key + "\r\nTransfer-Encoding: chunked\r\n\r\n" + size +
                           "\r\nab\r\n0\r\n\r\n"));
    HttpReply r = parse_reply(s.read_all());
    EXPECT_TRUE(r.status == 400 || r.status == 413) << "chunk size " << size << ": " << r.status;
    EXPECT_EQ(r.header("connection"), "close") << size;
    ASSERT_EQ(env.client().get("/healthz").status, 200) << "after chunk size " << size;
  }
}

// Regression (a breaking pass): a chunked POST to /signin, which needs no key, with a 100 KB trailer
// field ended the process (Beast throws std::length_error on a field value over 65,533 bytes, from
// an I/O thread), and chunk extensions or many trailer fields were buffered without bound (300 MB).
// Each is now refused at the read buffer's limit and the server answers on.
TEST(SystemApiFraming, LongTrailersAndChunkExtensionsAre431AndTheServerLives) {
  TestServer env(false);
  // /signin (the pages' sign-in form) reads its body without a key; this server has no pages, so a
  // route that takes a body with a key: the head passes and the chunks are read.
  const std::string head = "POST /v1/scenarios HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + env.operator_key +
                           "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string many_fields;
  for (int i = 0; i < 4000; ++i) many_fields += "X-F" + std::to_string(i) + ": v\r\n";
  const std::vector<std::pair<std::string, std::string>> bodies = {
      {"one 100 KB trailer field", "2\r\nab\r\n0\r\nX-Pad: " + std::string(100 * 1024, 'a') + "\r\n\r\n"},
      {"4,000 trailer fields", "2\r\nab\r\n0\r\n" + many_fields + "\r\n"},
      {"a 200 KB chunk extension", "2;x=" + std::string(200 * 1024, 'e') + "\r\nab\r\n0\r\n\r\n"},
  };
  for (const auto& [what, body] : bodies) {
    Socket s(env.port);
    s.send_all(head + body);  // the server may answer and close before it has read everything
    s.shutdown_write();
    HttpReply r = parse_reply(s.read_all());
    EXPECT_EQ(r.status, 431) << what;
    ASSERT_EQ(env.client().get("/healthz").status, 200) << "after " << what;
  }
}

// Regression (breaking pass, session 14, finding 8): a head of thousands of one-letter field lines
// fits the header byte limit and each line was parsed, copied and handed upstream. More than
// GuardLimits::max_header_fields (100) lines is 431; 100 are served.
TEST(SystemApiFraming, MoreThanAHundredHeaderFieldLinesAre431) {
  TestServer env(false);
  auto head_with = [](int fields) {
    std::string head = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";  // 2 lines
    for (int i = 2; i < fields; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
    return head + "\r\n";
  };
  for (auto [fields, status] : {std::pair{100, 200}, std::pair{101, 431}, std::pair{1000, 431}}) {
    Socket s(env.port);
    ASSERT_TRUE(s.send_all(head_with(fields)));
    s.shutdown_write();
    HttpReply r = parse_reply(s.read_all());
    EXPECT_EQ(r.status, status) << fields << " field lines: " << r.body.substr(0, 200);
    if (status == 431) EXPECT_NE(r.body.find(fmt::format("has {} header field lines", fields)), std::string::npos) << r.body;
  }
  EXPECT_EQ(env.client().get("/healthz").status, 200);
}

// Breaking pass, session 15, finding 1: a chunked body's trailer fields joined the head's after the
// head was counted and checked: 7,000 "X:" lines took the front 3.7 s of CPU to forward (no key
// needed), and a trailer could add a second Content-Type or Authorization. The trailer now counts
// against the same 100 lines, and its fields are dropped before forwarding.
TEST(SystemApiFraming, TrailerFieldsCountAgainstTheBoundAndAreDropped) {
  TestServer env(false);
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "X:\r\n";
  {
    Socket s(env.port);
    ASSERT_TRUE(s.send_all("GET /openapi.json HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                           "0\r\n" + many + "\r\n"));
    HttpReply r = parse_reply(s.read_all());
    EXPECT_EQ(r.status, 431) << r.body;
    EXPECT_NE(r.body.find("head and trailer have"), std::string::npos) << r.body;
  }
  {
    // A trailer's Content-Type would have made the JSON body text/plain (415): it is dropped.
    std::string body = scenario("trailer-1", "拖尾字段测试", "拖尾测试单位").dump();
    Socket s(env.port);
    ASSERT_TRUE(s.send_all("POST /v1/scenarios HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + env.operator_key +
                           "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
                           fmt::format("{:x}\r\n", body.size()) + body + "\r\n0\r\nContent-Type: text/plain\r\n\r\n"));
    HttpReply r = parse_reply(s.read_all());
    EXPECT_EQ(r.status, 201) << r.body;
  }
  EXPECT_EQ(env.client().get("/healthz").status, 200);
}

TEST(SystemApiFraming, LargeChunkSizesAndAnyCaseOfChunkedAre413AtOnce) {
  api::ApiConfig config;
  config.max_body_bytes = 20000;
  TestServer env(false, config);
  // A chunk announced larger than the limit used to be buffered whole (256 MiB here) before the
  // limit was looked at; "CHUNKED" in capitals was not recognised as a body at all.
  for (std::string te : {"chunked", "CHUNKED", "Chunked"}) {
    for (std::string size : {"10000000", "7fffffff"}) {
      Socket s(env.port);
      ASSERT_TRUE(s.send_all("POST /v1/scenarios HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + env.operator_key +
                             "\r\nContent-Type: application/json\r\nTransfer-Encoding: " + te + "\r\n\r\n" + size +
                             "\r\n" + std::string(4096, 'x')));
      s.shutdown_write();  // nothing more comes: the answer must not wait for the announced bytes
      HttpReply r = parse_reply(s.read_all());
      EXPECT_EQ(r.status, 413) << te << " " << size;
    }
  }
  EXPECT_EQ(env.client().get("/healthz").status, 200);
}

TEST(SystemApiFraming, AContentLengthOverTheLimitIs413WithoutWaitingForTheBody) {
  api::ApiConfig config;
  config.max_body_bytes = 20000;
  TestServer env(false, config);
  Socket s(env.port);
  ASSERT_TRUE(s.send_all("POST /v1/scenarios HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + env.operator_key +
                         "\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n"));
  // No body is sent and the connection stays open: the 413 must come from the headers alone.
  auto started = std::chrono::steady_clock::now();
  HttpReply r = parse_reply(s.read_all());
  EXPECT_EQ(r.status, 413);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(SystemApiFraming, PipelinedRequestsAreAnsweredInOrderAndChunkExtensionsRead) {
  TestServer env(true);
  Socket s(env.port);
  std::string body = scenario("pipe-1", "流水线场景", "流水线单位").dump();
  char size_hex[16];
  std::snprintf(size_hex, sizeof size_hex, "%zx", body.size());
  // Four requests in one write: cpprestsdk answered the first and dropped the rest. The third
  // has a chunk extension (";note=1", RFC 9112 §7.1.1), which cpprestsdk copied into the body.
  ASSERT_TRUE(s.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                         "GET /v1/no-such-route HTTP/1.1\r\nHost: x\r\n\r\n"
                         "POST /v1/scenarios HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + env.operator_key +
                         "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + size_hex +
                         ";note=1\r\n" + body + "\r\n0\r\n\r\n"
                         "GET /v1/scenarios/pipe-1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + env.operator_key +
                         "\r\nConnection: close\r\n\r\n"));
  std::string replies = s.read_all();
  std::vector<int> expected = {200, 404, 201, 200};
  EXPECT_EQ(statuses_in(replies), expected) << replies.substr(0, 2000);
  EXPECT_NE(replies.find("流水线场景"), std::string::npos);
}

TEST(SystemApiLimits, ABodyThatArrivesAfterTheDeadlineIs503) {
  api::ApiConfig config;
  config.request_timeout_ms = 200;
  TestServer env(false, config);
  std::string body = scenario("late-1", "迟到的场景", "某单位").dump();
  Socket s(env.port);
  ASSERT_TRUE(s.send_all("POST /v1/scenarios HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer " +
                         env.operator_key + "\r\nContent-Type: application/json\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 10)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_TRUE(s.send_all(body.substr(10)));
  HttpReply r = parse_reply(s.read_all());
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.header("retry-after"), "1");
  EXPECT_EQ(env.client().get("/v1/scenarios/late-1", env.operator_key).status, 404);  // not written
}

TEST_F(SystemApi, ClientsThatGoAwayMidBodyDoNotHurtTheServer) {
  for (int i = 0; i < 5; ++i) {
    Socket s(env().port);
    s.send_all("POST /v1/scenarios HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + env().operator_key +
               "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"id\":");
  }
  for (int i = 0; i < 5; ++i) {
    Socket s(env().port);
    s.send_all("POST /v1/scenarios HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(http().get("/healthz").status, 200);
  EXPECT_EQ(http().get("/v1/scenarios/hz-2026-03-001", env().operator_key).status, 200);
}

TEST(ApiServerStart, ABusyPortIsUnavailableAndPortZeroIsRefused) {
  TempDir dir;
  ServiceConfig sc;
  sc.data_dir = dir.file("data");
  sc.index_dir = index_dir();
  auto svc = Service::open(sc);
  ASSERT_TRUE(svc) << svc.status().to_string();
  // Hold a port with a listening socket: cpprestsdk's bind fails, and start() says so.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  api::ApiConfig config;
  config.listen = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  auto busy = api::ApiServer::start(**svc, config);
  ::close(fd);
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(busy.status().message().find(config.listen), std::string::npos);
  config.listen = "127.0.0.1:0";
  EXPECT_EQ(api::ApiServer::start(**svc, config).status().code(), ErrorCode::kInvalidArgument);
  config.listen = "localhost";
  EXPECT_EQ(api::ApiServer::start(**svc, config).status().code(), ErrorCode::kInvalidArgument);
}

TEST(ServeCommand, ServesUntilSigtermThenExitsCleanly) {
  TempDir dir;
  auto with = [&](std::vector<std::string> more) { return data_dir_args(dir, std::move(more)); };
  ASSERT_EQ(run_cli(dir, with({"import", "scenarios", fixture("scenarios.jsonl")})).exit_code, 0);
  auto key = run_cli(dir, with({"keys", "create", "--role", "publisher", "--org", kFixturePublisher}));
  ASSERT_EQ(key.exit_code, 0) << key.err;
  std::string secret = key.out.substr(0, key.out.find('\n'));
  EXPECT_TRUE(secret.starts_with("jb_"));
  EXPECT_EQ(run_cli(dir, with({"keys", "create", "--role", "publisher"})).exit_code, 2);  // --org missing

  int port = free_port();
  std::vector<std::string> args = with({"serve", "--listen", "127.0.0.1:" + std::to_string(port)});
  pid_t pid = spawn_jiebang(args, dir.file("serve.log"));
  ASSERT_GE(pid, 0);
  HttpClient http(port);
  int health = 0;
  for (int i = 0; i < 200 && health != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    try {
      health = http.get("/healthz").status;
    } catch (const std::exception&) {  // not listening yet
    }
  }
  EXPECT_EQ(health, 200) << read_file(dir.file("serve.log"));
  auto r = http.get("/v1/scenarios?q=" + url_encode("巡检"), secret);
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.json()["results"].empty());
  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status)) << read_file(dir.file("serve.log"));
  EXPECT_EQ(WEXITSTATUS(status), 0) << read_file(dir.file("serve.log"));
}

TEST(ServeCommand, RunsTheWeeklyDigestItselfAndSkipsAWeekDone) {
  TempDir dir;
  // The digest's options from the configuration file, as `jiebang digest` reads them.
  write_file(dir.file("jiebang.toml"), "[digest]\nmax_items = 2\nper_scenario_cap = 1\nthreads = 1\n");
  std::vector<std::string> globals = {"--config", dir.file("jiebang.toml"), "--data-dir", dir.file("data"),
                                      "--index-dir", index_dir(), "--create"};
  for (const char* kind : {"enterprises", "scenarios"}) {
    std::vector<std::string> args = globals;
    args.insert(args.end(), {"import", kind, fixture(std::string(kind) + ".jsonl")});
    ASSERT_EQ(run_cli(dir, args).exit_code, 0);
  }
  // Due every Monday at 00:00 Shanghai time: this week's digest is due now, so serve runs it at start.
  IsoWeek week = IsoWeek::in_shanghai(std::chrono::system_clock::now());
  auto serve_args = [&](int port) {
    std::vector<std::string> args = globals;
    args.insert(args.end(), {"serve", "--listen", "127.0.0.1:" + std::to_string(port), "--digest-at", "mon 00:00",
                             "--digest-out", dir.file("digests")});
    return args;
  };
  auto finished = [&]() -> std::optional<DigestRunRow> {
    auto store = Store::open(dir.file("data") + "/jiebang.sqlite3");
    if (!store) return std::nullopt;
    auto run = (*store)->get_digest_run(week.to_string());
    if (!run || run->finished_at.empty()) return std::nullopt;
    return *run;
  };
  int port = free_port();
  pid_t pid = spawn_jiebang(serve_args(port), dir.file("serve1.log"));
  ASSERT_TRUE(wait_healthy(port)) << read_file(dir.file("serve1.log"));
  // The run is stored as finished first, then its files are written: wait for both.
  const std::string summary_file = dir.file("digests") + "/" + week.to_string() + "/summary.json";
  std::optional<DigestRunRow> run;
  for (int i = 0; i < 1200 && !(run && fs::exists(summary_file)); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    run = finished();
  }
  ASSERT_TRUE(run) << read_file(dir.file("serve1.log"));
  EXPECT_GT(run->recipients, 100);
  EXPECT_EQ(run->attempts, 1);
  EXPECT_TRUE(fs::exists(summary_file)) << read_file(dir.file("serve1.log"));
  json settings = json::parse(read_file(summary_file), nullptr, false)["settings"];
  EXPECT_EQ(settings["max_items"], 2) << settings;
  EXPECT_EQ(settings["per_scenario_cap"], 1) << settings;
  EXPECT_EQ(settings["per_publisher_cap"], 3) << settings;
  // The API answers while it runs and afterwards.
  EXPECT_EQ(HttpClient(port).get("/healthz").status, 200);
  EXPECT_EQ(stop_with_sigterm(pid), 0) << read_file(dir.file("serve1.log"));
  EXPECT_NE(read_file(dir.file("serve1.log")).find("weekly digest " + week.to_string() + " starting"), std::string::npos);
  // Started again the same week: the digest is done, so it is not run again.
  port = free_port();
  pid = spawn_jiebang(serve_args(port), dir.file("serve2.log"));
  ASSERT_TRUE(wait_healthy(port)) << read_file(dir.file("serve2.log"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(stop_with_sigterm(pid), 0);
  std::string log2 = read_file(dir.file("serve2.log"));
  EXPECT_EQ(log2.find("starting"), std::string::npos) << log2;
  EXPECT_NE(log2.find("weekly digest at mon 00:00"), std::string::npos) << log2;
  auto again = finished();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 1);
  EXPECT_EQ(again->finished_at, run->finished_at);
}

/// CPU seconds (user + system) the process has used so far, from /proc/PID/stat.
double cpu_seconds(pid_t pid) {
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  size_t after_name = stat.rfind(')');
  std::istringstream fields(stat.substr(after_name + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Regression: out of file descriptors, the front's accept loop tried again at once; the listening
// socket stays readable, so every I/O thread spun (68 % of two cores for as long as the
// connections were held; /healthz timed out meanwhile). Now a failed accept waits 50 ms.
TEST(ServeCommand, OutOfFileDescriptorsTheServerWaitsInsteadOfSpinning) {
  TempDir dir;
  std::vector<std::string> args = {"--data-dir", dir.file("data"), "--index-dir", index_dir(), "--create"};
  int port = free_port();
  args.insert(args.end(), {"serve", "--listen", "127.0.0.1:" + std::to_string(port), "--no-digest"});
  pid_t pid = spawn_jiebang(args, dir.file("serve.log"), 96);
  ASSERT_TRUE(wait_healthy(port)) << read_file(dir.file("serve.log"));
  std::vector<std::unique_ptr<Socket>> held;
  for (int i = 0; i < 120; ++i) held.push_back(std::make_unique<Socket>(port));  // past the limit
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  double before = cpu_seconds(pid);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  double used = cpu_seconds(pid) - before;
  int status = 0;
  if (waitpid(pid, &status, WNOHANG) == pid) {
    std::string log = read_file(dir.file("serve.log"));
    // A sanitizer build only: UBSan's vptr check tests that a vtable is readable by writing it
    // to a pipe (IsAccessibleMemoryRange); out of file descriptors the pipe fails and a type-cache
    // miss is reported as an object of the wrong type, which aborts the server (seen about 1 run
    // in 7 under load). The server did not spin or fail; the check could not run.
    if (log.find("which does not point to an object of type") != std::string::npos)
      GTEST_SKIP() << "UBSan's vptr check needs file descriptors the test took away:\n" << log;
    FAIL() << "the server died while out of file descriptors:\n" << log;
  }
  EXPECT_LT(used, 0.3) << "CPU seconds used in 1.5 s while out of file descriptors";
  held.clear();
  EXPECT_TRUE(wait_healthy(port)) << "the server serves again once connections close";
  EXPECT_EQ(stop_with_sigterm(pid), 0) << read_file(dir.file("serve.log"));
}

// Regression: a request refused from its head (414 here) with a large body got 502: the upstream
// answered early and closed while the front was still writing the body to it. The front now asks
// the same precheck itself before reading a body.
TEST(SystemApiFraming, ARefusedQueryStringIs414EvenWithALargeBody) {
  TestServer env(false);
  for (int round = 0; round < 6; ++round) {
    Socket s(env.port);
    size_t size = 4u << 20;
    HttpReply r = upload_while_reading(s,
                                       "POST /v1/scenarios?q=" + std::string(5000, 'a') +
                                           " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + env.operator_key +
                                           "\r\nContent-Type: application/json\r\nContent-Length: " +
                                           std::to_string(size) + "\r\n\r\n",
                                       size);
    EXPECT_EQ(r.status, 414) << "round " << round << ": " << r.body;
  }
}

// Regression: stopping the server (SIGTERM) closed the front's connections at once, so the
// request being run lost its answer although its work was committed. Now the front stops
// accepting, the running request finishes, and its answer is relayed before the connections close.
/// A search query of `terms` distinct Han characters, percent-encoded.
std::string han_query(size_t terms) {
  std::string q;
  for (size_t i = 0; i < terms; ++i) {
    char32_t cp = 0x4E00 + static_cast<char32_t>(i * 37 % 20000);
    q += static_cast<char>(0xE0 | (cp >> 12));
    q += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    q += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return url_encode(q);
}

/// Clients sending reads in a loop until stopped, counting their answers.
struct Flood {
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, busy{0}, other{0};
  std::atomic<int> busy_with_retry_after{0};
  std::vector<std::thread> threads;
  mutable std::mutex mu;
  std::string last_busy_body;  ///< the body of the latest 429 (guarded by mu)
  Flood(int port, int clients, std::function<std::string()> request) {
    for (int i = 0; i < clients; ++i)
      threads.emplace_back([this, port, request] {
        HttpClient http(port);
        while (!stop) {
          HttpReply r;
          try {
            r = http.raw(request());
          } catch (const std::exception&) {
            continue;
          }
          if (r.status == 200) ++ok;
          else if (r.status == 429) {
            {
              std::lock_guard lock(mu);
              last_busy_body = r.body;
            }
            ++busy;
            if (r.header("retry-after") == "1" && r.header("content-type") == "application/problem+json")
              ++busy_with_retry_after;
          } else ++other;
        }
      });
  }
  ~Flood() {
    stop = true;
    for (auto& t : threads) t.join();
  }
  /// Waits (polling, up to `at_most`) until `n` of the flood's requests were answered 429.
  bool wait_for_busy(int n, std::chrono::seconds at_most) const {
    auto until = std::chrono::steady_clock::now() + at_most;
    while (busy < n) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::yield();
    }
    return true;
  }
};

/// The slowest of `rounds` answers of `request` (each must be `status`), in seconds.
double slowest(const HttpClient& http, int rounds, const std::function<HttpReply(const HttpClient&)>& request, int status) {
  double worst = 0;
  for (int i = 0; i < rounds; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    HttpReply r = request(http);
    worst = std::max(worst, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    EXPECT_EQ(r.status, status) << r.body.substr(0, 300);
  }
  return worst;
}

// Regression (breaking pass, finding 3): 100 connections searching with one key made another
// tenant's GET take 11.8 s, and 20 anonymous clients sending 4 KB queries 27.7 s; /healthz waited
// in the read queue behind them. Now a client (its key, else its address) has at most
// max_reads_per_client reads in flight or waiting (more are 429 with Retry-After), /healthz and
// /metrics have a lane of their own, and a search builds at most kMaxSearchTerms terms.
TEST(SystemApiFairness, OneTenantOrOneAnonymousClientFloodingReadsStallsNobodyElse) {
  api::ApiConfig config;
  config.read_threads = 2;
  config.max_reads_per_client = 4;
  TestServer env(true, config, {}, std::make_shared<web::Pages>());
  HttpClient http = env.client();
  std::string slow = "/v1/scenarios?limit=100&status=any&q=" + han_query(SearchIndex::kMaxSearchTerms);
  ASSERT_EQ(http.get(slow, env.publisher_key).status, 200);
  auto other_tenant = [&env](const HttpClient& h) { return h.get("/v1/scenarios/hz-2026-03-001", env.enterprise_key); };
  auto healthz = [](const HttpClient& h) { return h.get("/healthz"); };
  {
    // One tenant: 32 connections with one key, each a search of the most terms allowed.
    std::string request = "GET " + slow + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer " +
                          env.publisher_key + "\r\n\r\n";
    Flood flood(env.port, 32, [request] { return request; });
    ASSERT_TRUE(flood.wait_for_busy(50, std::chrono::seconds(60))) << "the flood was never refused: " << flood.ok << " answered";
    EXPECT_LT(slowest(http, 10, other_tenant, 200), 2.0);
    EXPECT_LT(slowest(http, 10, healthz, 200), 2.0);
    EXPECT_GT(flood.busy_with_retry_after, 0);
    EXPECT_GT(flood.ok, 0) << "the flooding tenant is still served, up to its bound";
    EXPECT_EQ(flood.other, 0);
  }
  {
    // One anonymous client (one address, no key): the public search page with long queries.
    std::string request = "GET /scenarios?q=" + han_query(SearchIndex::kMaxSearchTerms) +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    Flood flood(env.port, 32, [request] { return request; });
    ASSERT_TRUE(flood.wait_for_busy(50, std::chrono::seconds(60))) << "the flood was never refused: " << flood.ok << " answered";
    EXPECT_LT(slowest(http, 10, other_tenant, 200), 2.0);
    EXPECT_EQ(flood.other, 0);
  }
  {
    // Behind a reverse proxy on this host, each client's own address (X-Forwarded-For) counts.
    std::string request = "GET /scenarios?q=" + han_query(SearchIndex::kMaxSearchTerms) +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n";
    Flood flood(env.port, 32, [request] { return request; });
    ASSERT_TRUE(flood.wait_for_busy(50, std::chrono::seconds(60)));
    auto elsewhere = [](const HttpClient& h) {
      return h.request("GET", "/scenarios?q=" + url_encode("巡检"), "", "", "", {"X-Forwarded-For: 198.51.100.9"});
    };
    EXPECT_LT(slowest(http, 10, elsewhere, 200), 2.0);
  }
}

// Regression (breaking pass, session 14, finding 5): any `consistent=` in a query string (even
// `consistent=0`) sent a search to the one write lane, and nothing bounded one client's writes, so
// one key could queue hundreds of requests in front of every tenant's writes. Now only a true
// `consistent` is a write, and a client has at most max_writes_per_client writes in flight or
// waiting (more are 429 naming the bound); another tenant's write is still served.
TEST(SystemApiFairness, OnlyATrueConsistentIsAWriteAndOneClientsWritesAreBounded) {
  api::ApiConfig config;
  config.read_threads = 2;
  config.max_reads_per_client = 1000;  // any 429 below is the write bound's
  config.max_writes_per_client = 2;
  TestServer env(true, config);
  HttpClient http = env.client();
  auto search = [&env](const std::string& consistent) {
    return "GET /v1/scenarios?status=any&q=" + url_encode("巡检机器人") + "&consistent=" + consistent +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer " + env.publisher_key +
           "\r\n\r\n";
  };
  for (std::string value : {"0", "false"}) {
    Flood flood(env.port, 12, [&] { return search(value); });
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (flood.ok < 60 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_GE(flood.ok, 60) << "consistent=" << value;
    EXPECT_EQ(flood.busy, 0) << "consistent=" << value << " was counted as a write: " << flood.last_busy_body;
    EXPECT_EQ(flood.other, 0);
  }
  {
    Flood flood(env.port, 12, [&] { return search("true"); });
    ASSERT_TRUE(flood.wait_for_busy(20, std::chrono::seconds(60))) << "the flood of writes was never refused: " << flood.ok;
    {
      std::lock_guard lock(flood.mu);
      EXPECT_NE(flood.last_busy_body.find("has 2 writes in flight or waiting"), std::string::npos) << flood.last_busy_body;
    }
    EXPECT_GT(flood.busy_with_retry_after, 0);
    // The flooding client is still served, up to its bound (its first answers may come after the
    // first refusals: waited for).
    for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
         flood.ok == 0 && std::chrono::steady_clock::now() < until;)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_GT(flood.ok, 0) << "the flooding client is never served";
    // Another tenant writes meanwhile: its own profile, unchanged.
    std::string own = read_jsonl(fixture("enterprises.jsonl")).at(0).dump();
    auto put = http.request("PUT", "/v1/enterprises/" + env.enterprise_id, env.enterprise_key, own);
    EXPECT_EQ(put.status, 200) << put.body;
  }
}

// Regression (breaking pass, session 14, finding 7): a key was checked from the head, but its role
// only by the handler, after the body was read: an enterprise key could make the server read an
// 8 MB upload to the publishers' import before its 403. Each route now names the roles it serves,
// and a key of another role is 403 from the head with the body unread.
TEST(SystemApiFairness, AKeyOfARoleARouteDoesNotServeIs403BeforeTheBody) {
  TestServer env(false);
  struct Case {
    std::string method, target, key, refused;
  };
  const std::vector<Case> cases = {
      {"POST", "/v1/scenarios/import", env.enterprise_key, "enterprise keys cannot call POST /v1/scenarios/import"},
      {"POST", "/v1/scenarios", env.enterprise_key, "enterprise keys cannot call POST /v1/scenarios;"},
      {"PUT", "/v1/enterprises/" + env.enterprise_id, env.publisher_key,
       "publisher keys cannot call PUT /v1/enterprises/{id}; it is for enterprise and operator keys"},
  };
  for (const auto& c : cases) {
    Socket s(env.port);
    // The head announces 8 MB and not a byte of it is sent: the answer must come from the head.
    ASSERT_TRUE(s.send_all(c.method + " " + c.target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + c.key +
                           "\r\nContent-Type: application/json\r\nContent-Length: 8000000\r\n\r\n"));
    HttpReply r = parse_reply(s.read_all());
    EXPECT_EQ(r.status, 403) << c.method << " " << c.target << ": " << r.body;
    EXPECT_NE(r.body.find(c.refused), std::string::npos) << r.body;
  }
  // A GET route for publishers: an enterprise key is refused whether or not the scenario exists.
  HttpClient http = env.client();
  auto missing = http.get("/v1/scenarios/no-such-scenario/matches", env.enterprise_key);
  EXPECT_EQ(missing.status, 403) << missing.body;
  EXPECT_EQ(http.get("/v1/funnel", env.enterprise_key).status, 403);
  EXPECT_EQ(http.get("/v1/funnel", env.publisher_key).status, 200);
}

// Breaking pass, session 15, finding 5: a signed-in page user was counted under the address, so
// staff behind one office NAT shared one address's 8 reads and 4 writes. A live session now counts
// under the key behind it: one user's flood leaves another's reads from the same address alone.
TEST(SystemApiFairness, SignedInPageUsersAreCountedByTheirKeyNotTheirAddress) {
  api::ApiConfig config;
  config.read_threads = 2;
  config.max_reads_per_client = 2;
  TestServer env(true, config, {}, std::make_shared<web::Pages>());
  HttpClient http = env.client();
  auto sign_in = [&http](const std::string& key) {
    auto r = http.request("POST", "/signin", "", "key=" + url_encode(key), "application/x-www-form-urlencoded");
    std::smatch m;
    std::string cookie = r.header("set-cookie");
    EXPECT_TRUE(r.status == 303 && std::regex_search(cookie, m, std::regex("jb_session=([^;]+)"))) << r.status << cookie;
    return m.size() > 1 ? std::string(m[1]) : std::string();
  };
  std::string flooder = sign_in(env.publisher_key), other = sign_in(env.enterprise_key);
  ASSERT_FALSE(flooder.empty());
  ASSERT_FALSE(other.empty());
  std::string request = "GET /scenarios?q=" + han_query(SearchIndex::kMaxSearchTerms) +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: jb_session=" + flooder + "\r\n\r\n";
  Flood flood(env.port, 16, [request] { return request; });
  ASSERT_TRUE(flood.wait_for_busy(30, std::chrono::seconds(60))) << "the flood was never refused: " << flood.ok;
  {
    std::lock_guard lock(flood.mu);
    EXPECT_NE(flood.last_busy_body.find("API key"), std::string::npos) << "counted by address: " << flood.last_busy_body;
  }
  // The other user, same address, another key: served every time.
  for (int i = 0; i < 10; ++i) {
    auto r = http.request("GET", "/scenarios?q=" + url_encode("巡检"), "", "", "", {"Cookie: jb_session=" + other});
    EXPECT_EQ(r.status, 200) << r.body.substr(0, 300);
  }
}

TEST(SystemApiFairness, ASearchOfMoreTermsThanTheBoundIs400NamingTheBound) {
  TestServer env(true);
  HttpClient http = env.client();
  size_t bound = SearchIndex::kMaxSearchTerms;
  EXPECT_EQ(http.get("/v1/scenarios?q=" + han_query(bound), env.enterprise_key).status, 200);
  auto over = http.get("/v1/scenarios?q=" + han_query(bound + 1), env.enterprise_key);
  EXPECT_EQ(over.status, 400) << over.body;
  EXPECT_EQ(over.header("content-type"), "application/problem+json");
  EXPECT_EQ(over.json()["field"], "q") << over.body;
  EXPECT_NE(over.body.find(fmt::format("has {} terms", bound + 1)), std::string::npos) << over.body;
  EXPECT_NE(over.body.find(fmt::format("at most {}", bound)), std::string::npos) << over.body;
  // Latin words count one each: a query string near its 4 KiB bound is refused the same way, quickly.
  std::string words;
  for (int i = 0; words.size() < 3500; ++i) words += "w" + std::to_string(i) + "x-";
  auto t0 = std::chrono::steady_clock::now();
  auto long_words = http.get("/v1/scenarios?q=" + url_encode(words), env.enterprise_key);
  EXPECT_EQ(long_words.status, 400) << long_words.body;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 2.0);
}

// Regression (breaking pass, finding 4): a 1 MB CSV of 92k rows held the one write thread for
// 19 s. One import request holds at most max_import_records records; a larger list is 413 before
// any record is written.
TEST(SystemApiLimits, AnImportOfMoreRecordsThanTheBoundIs413AndWritesNothing) {
  api::ApiConfig config;
  config.max_import_records = 5;
  TestServer env(false, config);
  HttpClient http = env.client();
  auto list = [](const std::string& prefix, int n) {
    std::string body;
    for (int i = 0; i < n; ++i) body += scenario(prefix + std::to_string(i), "导入上限测试" + std::to_string(i), kFixturePublisher).dump() + "\n";
    return body;
  };
  auto over = http.request("POST", "/v1/scenarios/import", env.operator_key, list("imp-over-", 6), "application/x-ndjson");
  EXPECT_EQ(over.status, 413) << over.body;
  EXPECT_EQ(over.header("content-type"), "application/problem+json");
  EXPECT_NE(over.body.find("more than 5 records"), std::string::npos) << over.body;
  EXPECT_EQ(http.get("/v1/scenarios/imp-over-0", env.operator_key).status, 404);
  std::string csv = "id,title,description,publisher\n";
  for (int i = 0; i < 6; ++i) csv += "imp-csv-" + std::to_string(i) + ",标题,描述," + kFixturePublisher + "\n";
  EXPECT_EQ(http.request("POST", "/v1/scenarios/import", env.publisher_key, csv, "text/csv").status, 413);
  auto at = http.request("POST", "/v1/scenarios/import", env.operator_key, list("imp-at-", 5), "application/x-ndjson");
  ASSERT_EQ(at.status, 200) << at.body;
  EXPECT_EQ(at.json()["inserted"], 5);
}

TEST(SystemApiShutdown, StopRelaysTheAnswerOfTheRunningRequest) {
  TestServer env(false);
  std::string body;
  // Two store batches (ServiceConfig::import_batch = 1000): stop() comes after the first is
  // committed, while the second runs. Not more: the client's socket gives up after 30 s of
  // silence, and 6,000 records took longer than that on a loaded machine (status 0).
  constexpr long kRecords = 2000;
  for (int i = 0; i < kRecords; ++i)
    body += scenario("stop-" + std::to_string(i), "停机测试场景" + std::to_string(i), "停机测试单位").dump() + "\n";
  int status = 0;
  std::thread client([&] {
    auto r = env.client().request("POST", "/v1/scenarios/import", env.operator_key, body, "application/x-ndjson");
    status = r.status;
  });
  // Wait for the condition, not a fixed time: the import is running once its first batch
  // (ServiceConfig::import_batch = 1000 records) is committed. Regression: a 200 ms sleep stopped
  // the server while a loaded machine was still reading the body, so the request was only queued
  // (503 by design) and the test failed without a fault.
  const std::string db_path = env.dir.file("data") + "/jiebang.sqlite3";
  auto stored = [&]() -> long {
    sqlite3* db = nullptr;
    long n = -1;
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(db, 1000);
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(db, "SELECT count(*) FROM scenarios WHERE id LIKE 'stop-%'", -1, &st, nullptr) ==
              SQLITE_OK &&
          sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
      sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  long at_stop = 0;
  while ((at_stop = stored()) <= 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_GT(at_stop, 0) << "the import's first batch never appeared in the store";
  env.server->stop();
  client.join();
  // The import must still have been running when stop() began, or this test shows nothing.
  ASSERT_LT(at_stop, kRecords) << "the import finished before stop(): make it larger";
  EXPECT_EQ(stored(), kRecords) << "the running import was cut short";
  EXPECT_EQ(status, 200);
}

}  // namespace
}  // namespace jiebang::testing
