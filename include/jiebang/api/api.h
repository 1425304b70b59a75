// The web API without its transport: configuration, and the object that turns one complete
// request into one response (routing, keys, JSON, problem details) over the Service.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "jiebang/api/http.h"
#include "jiebang/api/metrics.h"
#include "jiebang/service/service.h"

namespace jiebang::api {

/// Limits and listening address of `jiebang serve`. Loaded in main (defaults < flags).
struct ApiConfig {
  std::string listen = "127.0.0.1:8080";  ///< host:port to listen on; "[::1]:8080" for IPv6
  /// unit: bytes. Default 8 MiB; larger bodies get 413. The limit of the upload routes (list
  /// imports); routes that take one JSON record have max_json_body_bytes, routes without a body 0.
  size_t max_body_bytes = 8 * 1024 * 1024;
  size_t max_json_body_bytes = 1024 * 1024;  ///< unit: bytes of a one-record JSON body. Default 1 MiB; more → 413
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
  /// Threads that serve reads (GET and HEAD: search, match, records), each with its own read-only
  /// store connection and index handles; writes run one at a time on a thread of their own.
  /// 0 = one per core, at least 2.
  size_t read_threads = 0;
  /// Reads (GET and HEAD) one client may have in flight or waiting at once; one more is answered
  /// 429 with Retry-After at once, from its head. A client is its API key (or the key behind its
  /// page session), else its address: the peer's, or, when the peer is a loopback address (a
  /// reverse proxy on this host), the last address of its X-Forwarded-For. So one tenant or one
  /// anonymous client cannot fill the read queue in front of the others. Default 8 (a browser
  /// opens at most 6 connections to a host).
  size_t max_reads_per_client = 8;
  /// Writes (POST, PUT, PATCH, and a search with `consistent=true`) one client may have in flight
  /// or waiting at once, counted as max_reads_per_client; one more is 429 with Retry-After from its
  /// head. Writes run one at a time, so this bounds how far one client can push the others'
  /// writes back. Default 4.
  size_t max_writes_per_client = 4;
  /// Client connections open at once; one more is answered 503 and closed at once, so the process
  /// keeps descriptors for its own files. 0 = derived from the soft descriptor limit
  /// (RLIMIT_NOFILE; three descriptors a connection, see api::connection_cap in the front).
  /// Default 0.
  size_t max_connections = 0;
  /// Connections one address may have open at once (loopback peers, e.g. a reverse proxy on this
  /// host, are not counted: the proxy bounds its clients); one more is 503. 0 = no bound. Default 64.
  size_t max_connections_per_address = 64;
  /// Records one import request (POST /v1/scenarios/import, the pages' import form) may hold; a
  /// list with more is refused whole, 413, before any record is written, so that no request
  /// holds the one write thread for long (about 0.2 ms a record: 10,000 records ≈ 2 s). Larger
  /// lists: several requests, or `jiebang import` on the server. Default 10,000.
  size_t max_import_records = 10000;
};

/// Where a complete request runs: reads on the pool of read-only services (any number at once),
/// writes on the one service that writes (one at a time, in arrival order), and the operational
/// reads (/healthz, /metrics) on a read-only service of their own, so that they never wait
/// behind searches.
enum class Lane { kRead, kWrite, kOps };

/// What a request's head alone decides, before any body byte is read.
struct HeadCheck {
  /// The answer to send at once instead of reading the body (404, 405, 413, 414, 401, 403, the
  /// 204 of OPTIONS, a page's 303 to sign in, …); nullopt to read the body and run the request.
  std::optional<HttpResponse> answer;
  size_t max_body_bytes = 0;  ///< this route's body limit; unit: bytes
  Lane lane = Lane::kWrite;
  std::string route = "unmatched";  ///< the route pattern ("page" for the pages), the metrics label
  /// Who the head's credentials name, for the per-client bound on reads
  /// (ApiConfig::max_reads_per_client): "key-<id>" for a request whose API key (or page session)
  /// check_head verified; "" when it carries none that was checked (the transport then uses the
  /// client's address).
  std::string client;
};

/// The caller a request's credentials name: the role and scope of an API key, presented as a
/// Bearer key or through a page session that speaks for it. The one caller type of the API,
/// the pages (Api::handle_as) and the credential checks.
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
/// Reads a request head's credentials (Authorization: Bearer, RFC 6750 §2.1; every Cookie
/// field, RFC 6265 §4.2.1, for kSessionCookie). Never throws; thread-safe.
HeadCredentials credentials_from_head(const Headers& headers);
/// The name of the pages' session cookie.
inline constexpr std::string_view kSessionCookie = "jb_session";

/// One way of presenting credentials (a Bearer key and the pages' session cookie are built in).
/// Given the request head and a service to look things up in: nullopt when the request carries
/// no credential of this kind; else the caller, or an error — kUnauthenticated (invalid, unknown,
/// revoked: 401 invalid_token), kInvalidArgument (malformed: 401 invalid_request), any other
/// code as a problem of its own. Called from several threads, each with its own service.
using CredentialCheck = std::function<std::optional<Result<Caller>>(const HttpRequest& head, const Service& service)>;

class Api;

/// The pages served beside the API (the web module implements it): asked first whether a path
/// is theirs, then given the whole request. The front asks body_limit and needs_session from
/// the head, before any body byte is read. Thread-safe in the way Api::handle is: each call
/// gets the service of its thread (a read-only one for GET and HEAD).
class PageHandler {
 public:
  virtual ~PageHandler() = default;
  /// True when `path` (still percent-encoded, without the query) is a page or page asset.
  virtual bool owns(std::string_view path) const = 0;
  /// The largest body a `method` request to the page `path` may carry; unit: bytes (0: none).
  virtual size_t body_limit(std::string_view method, std::string_view path, const ApiConfig& config) const = 0;
  /// True when a `method` request to `path` is refused without a live session (the front then
  /// answers 303 to the sign-in page from the head, without reading the body).
  virtual bool needs_session(std::string_view method, std::string_view path) const = 0;
  /// Answers a request for one of its paths, reading and writing through `service` (the
  /// calling thread's). May call api.handle_as(request, caller, service) for the JSON API's
  /// rules. Must not throw.
  virtual HttpResponse handle(const HttpRequest& request, Api& api, Service& service) = 0;
};

/// Parses "host:port" / "[v6]:port" into its parts. Errors: kInvalidArgument naming the value.
Result<std::pair<std::string, int>> parse_listen(const std::string& listen);

/// The web API's request handling (and the pages', when set), independent of any HTTP library.
/// The transport (ApiServer) asks check_head() before reading a body, then hands the whole
/// request to handle() with the service of the lane the head chose: a reader's read-only
/// service for GET and HEAD, the one writing service for the rest.
class Api {
 public:
  /// `service` must outlive the Api. Loads the CSV header table used by imports (optional).
  Api(Service& service, ApiConfig config);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  /// What the head decides without credentials: the request-target's length (414) and form
  /// (400), the method (501 for one that is not HTTP's; TRACE and CONNECT are never served:
  /// 405), the route (404; 405 with Allow; a page path: route "page", its body limit from the
  /// PageHandler), OPTIONS (204 with Allow, RFC 9110 §9.3.7: the
  /// route's methods, HEAD with GET, and OPTIONS), the Content-Length value (400 when not a
  /// number, 413 over the route's limit), and the lane. HEAD is GET without the body (§9.3.2).
  /// Thread-safe; never throws.
  HeadCheck route_head(const HttpRequest& head) const;
  /// route_head, then the credentials of a route that needs them (401 with a Bearer challenge,
  /// RFC 6750 §3), the operator-only routes (403), and the session of a page form that needs one
  /// (303 to /signin) — all before the body is read, so that an unauthenticated upload costs
  /// nothing but its head. Looks keys up on a read-only service of
  /// its own (one lookup at a time). Thread-safe; never throws.
  HeadCheck check_head(const HttpRequest& head) const;
  /// route_head, then the 413 of a Content-Length over the route's limit: everything the head
  /// decides but the credentials (the transport's loopback side asks it; the handler checks the
  /// credentials). Thread-safe; never throws.
  HeadCheck precheck(const HttpRequest& head) const;

  /// Opens the read-only service check_head looks credentials up in (else the first
  /// check_head opens it, on a client's time). Errors: as Service::open.
  Status open_credential_service();
  /// Adds a way of presenting credentials, tried after the built-in ones (a Bearer key, then the
  /// pages' session cookie on GET and HEAD) and those added before. Call before serving.
  void add_credential_check(CredentialCheck check);

  /// Handles a complete request on `service`: matches the route (404, 405 with Allow),
  /// authenticates (401), checks the role (403), runs the handler and maps every failure to a
  /// problem response (RFC 9457). Never throws. Thread-safe as long as each thread passes its
  /// own service (Xapian handles and SQLite connections are not shared); a read-only service
  /// serves Lane::kRead requests only.
  HttpResponse handle(const HttpRequest& request, Service& service);
  /// handle() on the service the Api was made with (the one that writes).
  HttpResponse handle(const HttpRequest& request);
  /// As handle(request, service), for a caller authenticated otherwise (a page's session): the
  /// route's access and the handler's scope rules apply to `as`; no credential header is read.
  /// Page paths are not served here (only the API's routes). Same thread rule as handle().
  HttpResponse handle_as(const HttpRequest& request, const Caller& as, Service& service);
  /// handle_as on the service the Api was made with (the one that writes).
  HttpResponse handle_as(const HttpRequest& request, const Caller& as);
  /// Serves `pages` for the paths it owns (handle() and the head checks ask it before the route
  /// table). Call before serving.
  void set_pages(std::shared_ptr<PageHandler> pages);
  /// The service the Api was made with (the one that writes).
  Service& service();

  const ApiConfig& config() const;
  /// Request counters and latencies; the transport records into it, GET /metrics renders it.
  Metrics& metrics();
  /// Requests waiting for the service thread, as the transport reports it (for GET /metrics).
  void set_queue_depth_source(std::function<size_t()> source);

 private:
  HttpResponse handle_checked(const HttpRequest& request, Service& service, const Caller* as);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The OpenAPI 3.0 document of the API (GET /openapi.json): every route of route_table() with
/// its parameters, bodies and responses.
const nlohmann::json& openapi_document();

}  // namespace jiebang::api
