// Black-box API test helpers: a tiny POSIX-socket HTTP/1.1 client, and a real server on a loopback
// port over a per-test temporary data directory, with keys for every role.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "jiebang/api/server.h"
#include "jiebang/service/service.h"
#include "test_util.h"

namespace jiebang::testing {

/// One HTTP response as received.
struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  ///< names lower-cased
  std::string body;
  bool closed_early = false;  ///< the connection ended before a complete response

  nlohmann::json json() const {
    auto j = nlohmann::json::parse(body, nullptr, false);
    return j;
  }
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

/// A connected loopback socket with a receive timeout (so that a hung server fails the test).
class Socket {
 public:
  explicit Socket(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    timeval tv{30, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    if (rc != 0 && errno == EINTR) {  // interrupted by a signal: the connection goes on; wait for it
      pollfd p{fd_, POLLOUT, 0};
      int err = 0;
      socklen_t len = sizeof err;
      while (::poll(&p, 1, 30000) < 0 && errno == EINTR) {
      }
      rc = ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0 ? 0 : -1;
    }
    if (rc != 0)
      throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + " failed");
  }
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  /// Sends everything; false when the peer closed (EPIPE/ECONNRESET), which some tests expect.
  bool send_all(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  /// Reads until the peer closes (or an error/timeout). A signal (e.g. SIGCHLD of a command the
  /// test ran meanwhile) does not end the read.
  std::string read_all() {
    std::string out;
    char buf[65536];
    for (;;) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

 private:
  int fd_ = -1;
};

/// Parses a complete response (Content-Length or chunked body, or up to the close).
inline HttpReply parse_reply(const std::string& data) {
  HttpReply r;
  size_t head_end = data.find("\r\n\r\n");
  if (head_end == std::string::npos || data.compare(0, 5, "HTTP/") != 0) {
    r.closed_early = true;
    return r;
  }
  r.status = std::stoi(data.substr(data.find(' ') + 1, 3));
  size_t pos = data.find("\r\n") + 2;
  while (pos < head_end) {
    size_t eol = data.find("\r\n", pos);
    std::string line = data.substr(pos, eol - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon), value = line.substr(colon + 1);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      value.erase(0, value.find_first_not_of(' '));
      r.headers[name] = value;
    }
    pos = eol + 2;
  }
  std::string rest = data.substr(head_end + 4);
  if (r.header("transfer-encoding").find("chunked") != std::string::npos) {
    size_t p = 0;
    for (;;) {
      size_t eol = rest.find("\r\n", p);
      if (eol == std::string::npos) {
        r.closed_early = true;
        break;
      }
      size_t len = std::stoul(rest.substr(p, eol - p), nullptr, 16);
      if (len == 0) break;
      r.body += rest.substr(eol + 2, len);
      p = eol + 2 + len + 2;
    }
  } else if (!r.header("content-length").empty()) {
    size_t len = std::stoul(r.header("content-length"));
    r.closed_early = rest.size() < len;
    r.body = rest.substr(0, len);
  } else {
    r.body = rest;
  }
  return r;
}

/// Sends `head`, then `body_bytes` bytes of body (spaces; with `chunked`, as 16 KiB chunks and
/// the final 0-chunk) from a second thread while reading the answer: a client that keeps sending
/// while the server answers early. The body stops at the first failed send (the server closed).
/// Returns the answer (status 0 when none came, or the head could not be sent).
inline HttpReply upload_while_reading(Socket& s, const std::string& head, size_t body_bytes, bool chunked = false) {
  if (!s.send_all(head)) return {};
  std::thread writer([&s, body_bytes, chunked] {
    const std::string block(1 << 14, ' ');
    for (size_t sent = 0; sent < body_bytes; sent += block.size())
      if (!s.send_all(chunked ? "4000\r\n" + block + "\r\n" : block)) return;
    if (chunked) s.send_all("0\r\n\r\n");
  });
  HttpReply r = parse_reply(s.read_all());
  writer.join();
  return r;
}

/// Percent-encodes a query value or path segment (RFC 3986 unreserved characters kept).
inline std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

/// A minimal HTTP/1.1 client: one connection per request, `Connection: close`.
class HttpClient {
 public:
  explicit HttpClient(int port) : port_(port) {}

  HttpReply request(const std::string& method, const std::string& target, const std::string& key = "",
                    const std::string& body = "", const std::string& content_type = "application/json",
                    const std::vector<std::string>& extra_headers = {}) const {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!key.empty()) req += "Authorization: Bearer " + key + "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      req += "Content-Type: " + content_type + "\r\n";
      req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    for (const auto& h : extra_headers) req += h + "\r\n";
    req += "\r\n" + body;
    return raw(req);
  }
  HttpReply get(const std::string& target, const std::string& key = "") const { return request("GET", target, key); }
  HttpReply post(const std::string& target, const std::string& key, const nlohmann::json& body) const {
    return request("POST", target, key, body.dump());
  }
  HttpReply put(const std::string& target, const std::string& key, const nlohmann::json& body) const {
    return request("PUT", target, key, body.dump());
  }
  /// Sends raw bytes and reads the response to the close.
  HttpReply raw(const std::string& bytes) const {
    Socket s(port_);
    s.send_all(bytes);
    return parse_reply(s.read_all());
  }
  int port() const { return port_; }

 private:
  int port_;
};

/// A loopback port that was free a moment ago (bind to port 0, read it, close).
inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

/// Starts `jiebang <args>` with stderr to `log`; returns the child's pid. `max_fds` > 0 lowers
/// the child's open-file limit (RLIMIT_NOFILE) first. Everything is prepared before fork(): the
/// child of this multi-threaded process calls only async-signal-safe functions (open, dup2,
/// close_range, setrlimit, execv) — a malloc or stdio lock held by another thread at the fork
/// would hang it — and it keeps only stdin, stdout and stderr (the log) open.
/// The arguments of a `jiebang` command on `dir`'s data directory (made when missing) and the
/// source tree's index definition, followed by `more` (the command and its own arguments).
inline std::vector<std::string> data_dir_args(const TempDir& dir, std::vector<std::string> more) {
  std::vector<std::string> args = {"--data-dir", dir.file("data"), "--index-dir", index_dir(), "--create"};
  args.insert(args.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  return args;
}

inline pid_t spawn_jiebang(const std::vector<std::string>& args, const std::string& log, rlim_t max_fds = 0) {
  std::vector<std::string> copy = args;
  std::string binary = JIEBANG_BINARY;
  std::vector<char*> argv;
  argv.push_back(binary.data());
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  rlimit limit{max_fds, max_fds};
  pid_t pid = fork();
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || ::dup2(fd, STDERR_FILENO) < 0) _exit(126);
    // The test's own sockets and files are not the server's: without this a server under a low
    // RLIMIT_NOFILE cannot even load its shared libraries (EMFILE).
    ::close_range(3, ~0U, 0);
    if (max_fds > 0) setrlimit(RLIMIT_NOFILE, &limit);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

inline bool wait_healthy(int port) {
  HttpClient http(port);
  for (int i = 0; i < 300; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    try {
      if (http.get("/healthz").status == 200) return true;
    } catch (const std::exception&) {  // not listening yet
    }
  }
  return false;
}

inline int stop_with_sigterm(pid_t pid) {
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// The publisher of the fixture scenarios hz-2026-03-*.
inline const std::string kFixturePublisher = "国网杭州供电公司";

/// A real server (Service + ApiServer on 127.0.0.1) over a fresh data directory, optionally with
/// the fixtures imported, and one key per role.
struct TestServer {
  TempDir dir;
  std::unique_ptr<Service> service;
  std::unique_ptr<api::ApiServer> server;
  int port = 0;
  std::string operator_key, publisher_key, other_publisher_key, enterprise_key, other_enterprise_key;
  std::string enterprise_id, other_enterprise_id;  // the enterprise keys' ids (fixture enterprises)

  /// `prepare` runs on the service after the keys are made and before the server starts (the
  /// service is the server's alone once it runs).
  /// `pages`, when given, are served beside the API (as `jiebang serve` does).
  explicit TestServer(bool with_fixtures = true, api::ApiConfig config = {},
                      const std::function<void(Service&)>& prepare = {},
                      std::shared_ptr<api::PageHandler> pages = nullptr) {
    ServiceConfig sc;
    sc.data_dir = dir.file("data");
    sc.index_dir = index_dir();
    sc.clock = fixtures_clock();
    auto svc = Service::open(sc);
    if (!svc) throw std::runtime_error(svc.status().to_string());
    service = std::move(*svc);
    if (with_fixtures) {
      check_import(service->import_file(RecordKind::kScenario, fixture("scenarios.jsonl")));
      check_import(service->import_file(RecordKind::kEnterprise, fixture("enterprises.jsonl")));
    }
    auto enterprises = read_jsonl(fixture("enterprises.jsonl"));
    enterprise_id = enterprises.at(0)["id"].get<std::string>();
    other_enterprise_id = enterprises.at(1)["id"].get<std::string>();
    operator_key = make_key(Role::kOperator, "");
    publisher_key = make_key(Role::kPublisher, kFixturePublisher);
    other_publisher_key = make_key(Role::kPublisher, "杭州市某其他单位");
    enterprise_key = make_key(Role::kEnterprise, enterprise_id);
    other_enterprise_key = make_key(Role::kEnterprise, other_enterprise_id);
    if (prepare) prepare(*service);
    for (int attempt = 0; attempt < 10 && !server; ++attempt) {
      port = free_port();
      config.listen = "127.0.0.1:" + std::to_string(port);
      auto s = api::ApiServer::start(*service, config, pages);
      if (s) server = std::move(*s);
    }
    if (!server) throw std::runtime_error("could not start the API server on a free loopback port");
  }
  ~TestServer() {
    if (server) server->stop();
  }

  HttpClient client() const { return HttpClient(port); }

 private:
  static void check_import(const Result<ImportReport>& r) {
    if (!r) throw std::runtime_error(r.status().to_string());
  }
  std::string make_key(Role role, const std::string& scope) {
    auto k = service->create_key(role, scope);
    if (!k) throw std::runtime_error(k.status().to_string());
    return k->secret;
  }
};

/// A test suite whose tests share one TestServer with the fixtures, started before the first test
/// and stopped after the last. `Suite` (the derived class: one server per suite) may define
/// `static void prepare(Service&)`, run before the server starts.
template <typename Suite>
class SharedServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { env_ = new TestServer(true, {}, &Suite::prepare); }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }
  static void prepare(Service&) {}
  static TestServer& env() { return *env_; }
  static HttpClient http() { return env_->client(); }

 private:
  inline static TestServer* env_ = nullptr;
};

/// A scenario object for tests (valid, open, deadline after the fixtures' date).
inline nlohmann::json scenario(const std::string& id, const std::string& title, const std::string& publisher = "") {
  nlohmann::json s = {{"id", id},
                      {"title", title},
                      {"description", title + "：需求描述，面向试点场景开展技术验证。"},
                      {"region", "330106"},
                      {"industries", {"I65"}},
                      {"deadline", "2027-03-31"},
                      {"status", "open"}};
  if (!publisher.empty()) s["publisher"] = publisher;
  return s;
}

}  // namespace jiebang::testing
