// The web API without its transport: configuration, and the object that turns one complete
// request into one response (routing, keys, JSON, problem details) over the Service.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "jiebang/api/http.h"
#include "jiebang/api/metrics.h"
#include "jiebang/service/service.h"

namespace jiebang::api {

/// Limits and listening address of `jiebang serve`. Loaded in main (defaults < flags).
struct ApiConfig {
  std::string listen = "127.0.0.1:8080";  ///< host:port to listen on; "[::1]:8080" for IPv6
  size_t max_body_bytes = 8 * 1024 * 1024;  ///< unit: bytes. Default 8 MiB; larger bodies get 413
  size_t max_query_bytes = 4096;   ///< unit: bytes of the query string (after '?'). Default 4 KiB; longer → 414
  size_t max_target_bytes = 8192;  ///< unit: bytes of the whole request-target. Default 8 KiB; longer → 414
  size_t max_page_size = 100;      ///< largest `limit` a list or search accepts; unit: results. Default 100
  /// Time from a request's headers arriving to its work starting; a request that waited longer
  /// (a slow body, a long queue) is answered 503 without being run. unit: milliseconds. Default 30 s.
  int request_timeout_ms = 30000;
  size_t max_queued_requests = 1024;  ///< requests waiting for the service; more → 503. Default 1024
  /// Threads of the strict front (per server) and of cpprestsdk's I/O pool (the first server of
  /// a process only) — network only: the service runs on one thread of its own. Default 4.
  size_t io_threads = 4;
};

/// A caller already authenticated by other means than a Bearer key (a page's session): the role
/// and scope of the key the session speaks for.
struct Caller {
  Role role = Role::kOperator;
  std::string scope;   ///< organisation (publisher), enterprise id (enterprise), "" (operator)
  int64_t key_id = 0;  ///< the key
};

/// The credentials a request carries in its head, as the API and the pages read them: a Bearer
/// key (`Authorization: Bearer <key>`) and/or a page session (the `jb_session` cookie). Only
/// reads the headers: thread-safe, usable by the front before any body byte is read.
struct HeadCredentials {
  std::optional<std::string> bearer;   ///< the key text; set when an Authorization header is present ("" when not Bearer)
  std::optional<std::string> session;  ///< the session cookie's value, when present
};
HeadCredentials credentials_from_head(const Headers& headers);
/// The name of the pages' session cookie.
inline constexpr std::string_view kSessionCookie = "jb_session";

class Api;

/// The pages served beside the API (the web module implements it): asked first whether a path
/// is theirs, then given the whole request. Runs on the service thread, like every handler.
class PageHandler {
 public:
  virtual ~PageHandler() = default;
  /// True when `path` (still percent-encoded, without the query) is a page or page asset.
  virtual bool owns(std::string_view path) const = 0;
  /// Answers a request for one of its paths. May call api.handle_as for the JSON API's rules.
  /// Must not throw.
  virtual HttpResponse handle(const HttpRequest& request, Api& api) = 0;
};

/// Parses "host:port" / "[v6]:port" into its parts. Errors: kInvalidArgument naming the value.
Result<std::pair<std::string, int>> parse_listen(const std::string& listen);

/// The web API's request handling, independent of any HTTP library. The transport adapter
/// (ApiServer) reads a request, asks precheck() before reading the body, then hands the whole
/// request to handle() on the one thread that owns the Service.
class Api {
 public:
  /// `service` must outlive the Api. Loads the CSV header table used by imports (optional).
  Api(Service& service, ApiConfig config);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  /// Checks that need neither the body nor the Service: the request-target's length (414), the
  /// Content-Length value (400 when not a number, 413 over max_body_bytes). Returns the
  /// response to send at once, or nullopt to go on. Thread-safe.
  std::optional<HttpResponse> precheck(const HttpRequest& head) const;

  /// Handles a complete request: matches the route (404, 405 with Allow), authenticates the
  /// Bearer key (401), checks the role (403), runs the handler and maps every failure to a
  /// problem response (RFC 9457). Never throws. Not thread-safe: the Service is not (Xapian
  /// database handles must not be used from two threads at once), so all calls come from one thread.
  HttpResponse handle(const HttpRequest& request);
  /// As handle(), for a caller authenticated otherwise (a page's session): the route's access
  /// and the handler's scope rules apply to `as`; the Authorization header is not read. Page
  /// paths are not served here (only the API's routes). Same thread rule as handle().
  HttpResponse handle_as(const HttpRequest& request, const Caller& as);
  /// Serves `pages` for the paths it owns (handle() asks it before the route table). Call
  /// before serving.
  void set_pages(std::shared_ptr<PageHandler> pages);
  Service& service();

  const ApiConfig& config() const;
  /// Request counters and latencies; the transport records into it, GET /metrics renders it.
  Metrics& metrics();
  /// Requests waiting for the service thread, as the transport reports it (for GET /metrics).
  void set_queue_depth_source(std::function<size_t()> source);

 private:
  HttpResponse handle_checked(const HttpRequest& request, const Caller* as);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The OpenAPI 3.0 document of the API (GET /openapi.json): every route of route_table() with
/// its parameters, bodies and responses.
const nlohmann::json& openapi_document();

}  // namespace jiebang::api
