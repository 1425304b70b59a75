// The web API without its transport: request limits, routing, Bearer keys, and the single catch
// boundary that turns every failure into a problem response.
#include "jiebang/api/api.h"

#include <cstdio>
#include <mutex>

#include <fmt/format.h>
#include <openssl/rand.h>

#include "context.h"
#include "idempotency.h"
#include "jiebang/api/router.h"
#include "jiebang/core/log.h"

namespace jiebang::api {
namespace {

/// The 401 answer (RFC 6750 §3: a WWW-Authenticate challenge naming the error).
HttpResponse unauthenticated(const std::string& detail, const char* error) {
  HttpResponse r = make_problem(401, detail).response();
  r.headers.set("WWW-Authenticate",
                error ? fmt::format("Bearer realm=\"jiebang\", error=\"{}\"", error) : "Bearer realm=\"jiebang\"");
  return r;
}

/// The Bearer key of RFC 6750 §2.1 ("Authorization: Bearer <key>"): nullopt without an
/// Authorization header.
std::optional<Result<Caller>> bearer_key(const HttpRequest& req, const Service& service) {
  HeadCredentials creds = credentials_from_head(req.headers);
  if (!creds.bearer) return std::nullopt;
  if (creds.bearer->empty())
    return Result<Caller>(Status::invalid_argument("the Authorization header must be \"Bearer <key>\""));
  auto key = service.authenticate(*creds.bearer);
  if (!key) {
    if (key.status().code() == ErrorCode::kUnauthenticated)
      return Result<Caller>(Status::unauthenticated("invalid or revoked API key"));
    return Result<Caller>(key.status());
  }
  return Result<Caller>(Caller{key->role, key->scope, key->id});
}

/// The caller a page session speaks for. Errors: kUnauthenticated (unknown, expired, ended, its
/// key revoked), storage errors.
Result<Caller> session_caller(const std::string& token, const Service& service) {
  auto s = service.session(token);
  if (!s) return s.status();
  return Caller{s->key.role, s->key.scope, s->key.id};
}

/// The pages' session cookie (kSessionCookie) as a credential of the JSON API, for reads only
/// (GET, HEAD): a cookie is sent by the browser on its own, so a write authorised by it alone
/// could be forged by another page of the same site; writes need a Bearer key, or a page form
/// with its CSRF token (the pages call the API in-process, Api::handle_as).
std::optional<Result<Caller>> session_cookie(const HttpRequest& req, const Service& service) {
  if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
  HeadCredentials creds = credentials_from_head(req.headers);
  if (!creds.session) return std::nullopt;
  return session_caller(*creds.session, service);
}

}  // namespace

Result<std::pair<std::string, int>> parse_listen(const std::string& listen) {
  std::string host;
  std::string port_text;
  if (listen.starts_with("[")) {
    size_t close = listen.find("]:");
    if (close == std::string::npos)
      return Status::invalid_field("listen", fmt::format("\"{}\" is not [ipv6]:port", listen));
    host = listen.substr(1, close - 1);
    port_text = listen.substr(close + 2);
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0)
      return Status::invalid_field("listen", fmt::format("\"{}\" is not host:port", listen));
    host = listen.substr(0, colon);
    port_text = listen.substr(colon + 1);
  }
  bool digits = !port_text.empty() && port_text.size() <= 5 && port_text.find_first_not_of("0123456789") == std::string::npos;
  int port = digits ? std::stoi(port_text) : -1;
  if (port < 0 || port > 65535)
    return Status::invalid_field("listen", fmt::format("port \"{}\" is not a number from 1 to 65535", port_text));
  if (port == 0)
    return Status::invalid_field("listen", "port 0 is not supported (cpprestsdk does not report the port it picks)");
  if (host.empty() || host.find_first_of(" /?#@") != std::string::npos)
    return Status::invalid_field("listen", fmt::format("\"{}\" is not a host name or address", host));
  return std::make_pair(host, port);
}

struct Api::Impl {
  Impl(Service& s, ApiConfig c, Api* api) : self(api), service(s), config(std::move(c)) {}
  Api* self;
  Service& service;
  ApiConfig config;
  Metrics metrics;
  ColumnMap columns;
  std::function<size_t()> queue_depth = [] { return size_t{0}; };
  std::vector<CredentialCheck> credentials = {bearer_key, session_cookie};
  std::string cursor_key;  ///< <data_dir>/cursor.key (load_or_create_secret)
  /// Answers to POSTs with an Idempotency-Key (opened on first use; POSTs run on the write lane).
  std::mutex idempotency_mu;
  std::unique_ptr<IdempotencyStore> idempotency;
  /// A read-only service for the credentials of request heads (opened on first use), one lookup
  /// at a time: the heads are checked on the front's I/O threads.
  mutable std::mutex head_mu;
  mutable std::unique_ptr<Service> head_service;

  /// The caller from the request's credentials, or the 401 to send. Throws ProblemException for
  /// a failure that is not the caller's (the store is unreachable).
  std::optional<HttpResponse> authenticate(const HttpRequest& req, const Service& on, Caller& out) const {
    for (const auto& check : credentials) {
      auto found = check(req, on);
      if (!found) continue;
      if (*found) {
        out = **found;
        return std::nullopt;
      }
      const Status& st = found->status();
      if (st.code() == ErrorCode::kUnauthenticated) return unauthenticated(st.message(), "invalid_token");
      if (st.code() == ErrorCode::kInvalidArgument) return unauthenticated(st.message(), "invalid_request");
      throw_status(st);
    }
    return unauthenticated("no API key: send the header \"Authorization: Bearer <key>\"", nullptr);
  }

  std::shared_ptr<PageHandler> pages;

  size_t body_limit(Body body) const {
    switch (body) {
      case Body::kNone: return 0;
      case Body::kRecord: return std::min(config.max_json_body_bytes, config.max_body_bytes);
      case Body::kUpload: return config.max_body_bytes;
    }
    return 0;
  }

  /// Splits the request-target into its decoded path segments and its raw query. Throws
  /// ProblemException (400) for a target that is not an absolute path of percent-encoded UTF-8.
  static std::vector<std::string> path_segments(std::string_view target, std::string_view* query_out) {
    size_t q = target.find('?');
    std::string_view path = target.substr(0, q);
    std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    if (query_out) *query_out = query.substr(0, query.find('#'));
    if (path.empty() || path.front() != '/')
      throw_problem(make_problem(400, fmt::format("request-target \"{}\" is not an absolute path", path.substr(0, 200))));
    std::vector<std::string> segments;
    size_t start = 1;
    while (start <= path.size()) {
      size_t end = path.find('/', start);
      if (end == std::string_view::npos) end = path.size();
      auto seg = percent_decode_utf8(path.substr(start, end - start), false);
      if (!seg) throw_problem(make_problem(400, "the path is not percent-encoded UTF-8"));
      segments.push_back(std::move(*seg));
      start = end + 1;
    }
    return segments;
  }

  HeadCheck route_head(const HttpRequest& head) const {
    HeadCheck out;
    size_t q = head.target.find('?');
    size_t query_bytes = q == std::string::npos ? 0 : head.target.size() - q - 1;
    if (query_bytes > config.max_query_bytes) {
      out.answer = make_problem(414, fmt::format("the query string is {} bytes; at most {} are accepted", query_bytes,
                                                 config.max_query_bytes))
                       .response();
      return out;
    }
    if (head.target.size() > config.max_target_bytes) {
      out.answer = make_problem(414, fmt::format("the request-target is {} bytes; at most {} are accepted",
                                                 head.target.size(), config.max_target_bytes))
                       .response();
      return out;
    }
    if (method_label(head.method) == "other") {
      out.answer = make_problem(501, "this server implements GET, HEAD, POST, PUT, PATCH and OPTIONS only").response();
      return out;
    }
    const auto& routes = route_table();
    if (head.method == "OPTIONS" && head.target == "*") {  // the server as a whole (RFC 9110 §9.3.7)
      HttpResponse r;
      r.status = 204;
      r.headers.set("Allow", "GET, HEAD, POST, PUT, PATCH, OPTIONS");
      out.answer = std::move(r);
      return out;
    }
    if (is_page(head.target)) {
      if (auto answer = page_head(head, out)) {
        out.answer = std::move(answer);
        return out;
      }
      return content_length_ok(head, out);
    }
    RouteMatch m;
    try {
      m = match_route(routes, head.method, path_segments(head.target, nullptr));
    } catch (const ProblemException& e) {
      out.answer = e.problem().response();
      return out;
    }
    if (m.route) out.route = std::string(m.route->pattern);
    if (!m.route) {
      if (m.allowed.empty()) {
        out.answer = make_problem(404, fmt::format("no route for {} {}", method_label(head.method),
                                                   head.target.substr(0, std::min<size_t>(q, 200))))
                         .response();
        return out;
      }
      std::string allow = allow_header(m.allowed);
      HttpResponse r;
      if (head.method == "OPTIONS") {
        r.status = 204;
      } else {
        r = make_problem(405, fmt::format("{} is not allowed here; allowed: {}", method_label(head.method), allow))
                .response();
      }
      r.headers.set("Allow", allow);
      out.answer = std::move(r);
      return out;
    }
    out.max_body_bytes = body_limit(m.route->body);
    out.lane = m.route->method == "GET" ? Lane::kRead : Lane::kWrite;
    if (out.route == "/healthz" || out.route == "/metrics") out.lane = Lane::kOps;
    // A search that asks for the index to catch up first writes the index: the writer runs it.
    // Only a true `consistent` (as RequestContext::flag reads it) does: any other value is a read
    // (its handler answers 400 to a value that is not a boolean), so `consistent=0` or `consistent=x`
    // cannot move reads into the one write lane.
    if (out.lane == Lane::kRead && q != std::string::npos && asks_consistent(std::string_view(head.target).substr(q + 1)))
      out.lane = Lane::kWrite;
    return content_length_ok(head, out);
  }

  /// True when the query string's `consistent` parameter is "true" or "1". A query that does not
  /// decode is not (the handler answers its 400 on the read lane).
  static bool asks_consistent(std::string_view query) {
    try {
      auto params = parse_query(query);
      auto it = params.find("consistent");
      return it != params.end() && (it->second == "true" || it->second == "1");
    } catch (const std::exception&) {
      return false;
    }
  }

  /// `out`, or the 400 of a Content-Length that is not a byte count.
  static HeadCheck content_length_ok(const HttpRequest& head, HeadCheck out) {
    if (auto cl = head.headers.get("Content-Length")) {
      bool digits = !cl->empty() && cl->size() <= 18 && cl->find_first_not_of("0123456789") == std::string_view::npos;
      if (!digits) {
        out.answer = make_problem(400, fmt::format("Content-Length \"{}\" is not a byte count", cl->substr(0, 40)),
                                  "Content-Length")
                         .response();
      }
    }
    return out;
  }

  /// What the head of a page request decides: GET and HEAD are reads, POST a write with the
  /// page's body limit, OPTIONS 204, any other method 405 (the pages take GET, HEAD and POST).
  std::optional<HttpResponse> page_head(const HttpRequest& head, HeadCheck& out) const {
    static constexpr const char* kPageAllow = "GET, HEAD, POST, OPTIONS";
    out.route = "page";
    if (head.method == "GET" || head.method == "HEAD") {
      out.lane = Lane::kRead;
      out.max_body_bytes = 0;
      return std::nullopt;
    }
    if (head.method == "POST") {
      out.lane = Lane::kWrite;
      out.max_body_bytes = pages->body_limit(head.method, raw_path(head.target), config);
      return std::nullopt;
    }
    HttpResponse r;
    if (head.method == "OPTIONS") {
      r.status = 204;
    } else {
      r = make_problem(405, fmt::format("{} is not allowed here; allowed: {}", method_label(head.method), kPageAllow))
              .response();
    }
    r.headers.set("Allow", kPageAllow);
    return r;
  }

  /// The 413 for a head whose Content-Length is over the route's limit, or nullopt.
  std::optional<HttpResponse> over_limit(const HttpRequest& head, const HeadCheck& check) const {
    auto cl = head.headers.get("Content-Length");
    if (!cl) return std::nullopt;
    uint64_t length = std::stoull(std::string(*cl));  // route_head: digits, at most 18
    if (length <= check.max_body_bytes) return std::nullopt;
    if (check.max_body_bytes == 0)
      return make_problem(413, fmt::format("{} {} takes no body", method_label(head.method), check.route)).response();
    return make_problem(413, fmt::format("the body is {} bytes; at most {} are accepted here", length,
                                         check.max_body_bytes))
        .response();
  }

  /// The read-only service the heads' credentials are looked up in. Call with head_mu held.
  Status open_head_service() const {
    if (head_service) return Status::ok();
    ServiceConfig sc = service.config();
    sc.read_only = true;
    auto opened = Service::open(sc);
    if (!opened) return opened.status();
    head_service = std::move(*opened);
    return Status::ok();
  }

  HeadCheck check_head(const HttpRequest& head) const {
    HeadCheck out = route_head(head);
    if (out.answer) return out;
    if (out.route == "page") {
      // A signed-in user counts under the key behind the session, as a keyed API request does,
      // not under the address: staff behind one office NAT do not share one address's bounds.
      std::optional<int64_t> session_key = session_key_id(head);
      if (session_key) out.client = fmt::format("key-{}", *session_key);
      if (pages->needs_session(head.method, raw_path(head.target)) && !session_key) {
        // As the pages answer a form sent without a session, but before its body is read.
        HttpResponse r;
        r.status = 303;
        r.headers.set("Location", "/signin");
        r.headers.set("Cache-Control", "no-store");
        out.answer = std::move(r);
        return out;
      }
      if (auto large = over_limit(head, out)) out.answer = std::move(*large);
      return out;
    }
    const Route* route = nullptr;
    for (const auto& r : route_table())
      if (r.pattern == out.route && (r.method == head.method || (head.method == "HEAD" && r.method == "GET"))) route = &r;
    if (route && route->access != Access::kPublic) {
      try {
        std::lock_guard lock(head_mu);
        if (Status st = open_head_service(); !st) throw_status(st);
        Caller caller;
        if (auto denied = authenticate(head, *head_service, caller)) {
          out.answer = std::move(*denied);
          return out;
        }
        out.client = fmt::format("key-{}", caller.key_id);
        if (route->access == Access::kOperator && caller.role != Role::kOperator) {
          out.answer = make_problem(403, fmt::format("{} {} needs an operator key", route->method, route->pattern))
                           .response();
          return out;
        }
        if (auto refused = role_refusal(*route, caller.role)) {
          out.answer = make_problem(403, *refused).response();
          return out;
        }
      } catch (const ProblemException& e) {
        out.answer = e.problem().response();
        return out;
      } catch (const std::exception& e) {
        log_event(LogLevel::kError, "credentials_check_failed", {{"route", out.route}, {"error", e.what()}});
        out.answer = make_problem(503, "the credentials could not be checked; retry shortly").response();
        return out;
      }
    }
    if (auto large = over_limit(head, out)) out.answer = std::move(*large);
    return out;
  }

  /// The path of a request-target (before '?'), still percent-encoded.
  static std::string_view raw_path(std::string_view target) { return target.substr(0, target.find('?')); }

  /// True when the pages serve this request-target (the API's own paths never are pages).
  bool is_page(std::string_view target) const {
    std::string_view path = raw_path(target);
    return pages && !path.starts_with("/v1/") && pages->owns(path);
  }

  /// The API key id behind the head's page-session cookie when the session is live (looked up on
  /// head_service), else nullopt. A failure to look it up counts as no session (the pages say so
  /// once the form is read).
  std::optional<int64_t> session_key_id(const HttpRequest& head) const {
    HeadCredentials creds = credentials_from_head(head.headers);
    if (!creds.session) return std::nullopt;
    std::lock_guard lock(head_mu);
    if (Status st = open_head_service(); !st) return std::nullopt;
    auto caller = session_caller(*creds.session, *head_service);
    if (!caller) return std::nullopt;
    return caller->key_id;
  }

  HttpResponse dispatch(const HttpRequest& req, Service& on, std::string& route_label, const Caller* as) {
    if (!as && is_page(req.target)) return pages->handle(req, *self, on);
    std::string_view query;
    std::vector<std::string> segments = path_segments(req.target, &query);
    RouteMatch m = match_route(route_table(), req.method, segments);
    if (!m.route) {
      if (m.allowed.empty())
        throw_problem(make_problem(404, fmt::format("no route for {} {}", method_label(req.method),
                                                    req.target.substr(0, std::min<size_t>(req.target.find('?'), 200)))));
      std::string allow = allow_header(m.allowed);
      HttpResponse r;
      if (req.method == "OPTIONS") {
        r.status = 204;
      } else {
        r = make_problem(405, fmt::format("{} is not allowed here; allowed: {}", method_label(req.method), allow))
                .response();
      }
      r.headers.set("Allow", allow);
      return r;
    }
    route_label = std::string(m.route->pattern);
    RequestContext ctx{on, config, metrics, req, &columns, queue_depth, std::move(m.params), parse_query(query),
                       std::nullopt, cursor_key, service.index_writable()};
    if (as) {
      if (m.route->access == Access::kOperator && as->role != Role::kOperator)
        throw_problem(make_problem(403, fmt::format("{} {} needs an operator key", m.route->method, m.route->pattern)));
      if (auto refused = role_refusal(*m.route, as->role)) throw_problem(make_problem(403, *refused));
      ctx.principal = Principal{as->role, as->scope, as->key_id};
    } else if (m.route->access != Access::kPublic) {
      Caller c;
      if (auto denied = authenticate(req, on, c)) return std::move(*denied);
      Principal p{c.role, c.scope, c.key_id};
      if (m.route->access == Access::kOperator && !p.is_operator())
        throw_problem(make_problem(403, fmt::format("{} {} needs an operator key", m.route->method, m.route->pattern)));
      if (auto refused = role_refusal(*m.route, p.role)) throw_problem(make_problem(403, *refused));
      ctx.principal = std::move(p);
    }
    if (auto key = req.headers.get("Idempotency-Key"); key && req.method == "POST" && ctx.principal) {
      if (!IdempotencyStore::well_formed(*key))
        throw_problem(make_problem(400, "Idempotency-Key: expected 1 to 255 visible ASCII characters",
                                   "Idempotency-Key"));
      std::lock_guard lock(idempotency_mu);
      if (!idempotency) {
        auto opened = IdempotencyStore::open(on.config().data_dir + "/idempotency.sqlite3");
        if (!opened) throw_status(opened.status());
        idempotency = std::move(*opened);
      }
      std::string caller = fmt::format("key-{}", ctx.principal->key_id);
      return idempotency->run(caller, std::string(*key), req, [&] {
        return guarded(req, [&] { return m.route->handler(ctx); });
      });
    }
    return m.route->handler(ctx);
  }

  /// Runs `work`, mapping every exception to a problem response: the one catch boundary.
  static HttpResponse guarded(const HttpRequest& request, const std::function<HttpResponse()>& work) {
    try {
      return work();
    } catch (const ProblemException& e) {
      return e.problem().response();
    } catch (const nlohmann::json::exception& e) {
      // A handler read a value of the wrong type that validation let through: the caller's input.
      // The library's text ("[json.exception.type_error.302] …") is for the log, not the caller.
      log_event(LogLevel::kWarn, "json_value_refused",
                {{"method", method_label(request.method)}, {"target", std::string_view(request.target).substr(0, 256)}, {"error", e.what()}});
      return make_problem(400, "a value in the request has the wrong type or is out of range").response();
    } catch (const std::bad_alloc&) {
      return make_problem(503, "out of memory while handling the request").response();
    } catch (const std::exception& e) {
      log_event(LogLevel::kError, "unexpected_error",
                {{"method", method_label(request.method)}, {"target", std::string_view(request.target).substr(0, 256)}, {"error", e.what()}});
      return make_problem(500, "internal error; the server log has the details").response();
    }
  }
};

Api::Api(Service& service, ApiConfig config) : impl_(std::make_unique<Impl>(service, std::move(config), this)) {
  auto columns = ColumnMap::load(service.config().index_dir + "/columns.tsv");
  if (columns) impl_->columns = std::move(*columns);
  auto key = load_or_create_secret(service.config().data_dir + "/cursor.key");
  if (key) {
    impl_->cursor_key = std::move(*key);
  } else {
    // Cursors then last as long as this process (a restart makes older ones 400).
    log_event(LogLevel::kWarn, "cursor_key_unavailable",
              {{"error", key.status().to_string()}, {"effect", "cursors are signed with a key of this process only"}});
    unsigned char random[32];
    if (RAND_bytes(random, sizeof random) == 1) impl_->cursor_key.assign(reinterpret_cast<char*>(random), sizeof random);
    // else no key: every cursor is refused (decode_cursor), the first page still works.
  }
}

Api::~Api() = default;

const ApiConfig& Api::config() const { return impl_->config; }
Metrics& Api::metrics() { return impl_->metrics; }
void Api::set_queue_depth_source(std::function<size_t()> source) { impl_->queue_depth = std::move(source); }
void Api::add_credential_check(CredentialCheck check) { impl_->credentials.push_back(std::move(check)); }

Status Api::open_credential_service() {
  std::lock_guard lock(impl_->head_mu);
  return impl_->open_head_service();
}

void Api::set_pages(std::shared_ptr<PageHandler> pages) { impl_->pages = std::move(pages); }
Service& Api::service() { return impl_->service; }

HeadCredentials credentials_from_head(const Headers& headers) {
  HeadCredentials out;
  if (auto h = headers.get("Authorization")) {
    std::string_view v = *h;
    size_t space = v.find(' ');
    std::string token;
    if (space != std::string_view::npos && iequals(v.substr(0, space), "Bearer")) {
      std::string_view t = v.substr(space + 1);
      while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
      while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
      token = std::string(t);
    }
    out.bearer = std::move(token);
  }
  // Cookie: a=b; jb_session=…  (RFC 6265 §4.2.1); every Cookie field is read.
  for (const auto& [name, value] : headers.fields()) {
    if (!iequals(name, "Cookie")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      size_t eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == kSessionCookie) out.session = std::string(pair.substr(eq + 1));
    }
  }
  return out;
}

namespace {

/// The answer to a head whose check threw: 500, the reason logged (the one catch of the three
/// head checks below).
HeadCheck head_check_failed(const std::exception& e) {
  HeadCheck out;
  out.answer = make_problem(500, "internal error; the server log has the details").response();
  log_event(LogLevel::kError, "head_check_failed", {{"error", e.what()}});
  return out;
}

}  // namespace

HeadCheck Api::route_head(const HttpRequest& head) const {
  try {
    return impl_->route_head(head);
  } catch (const std::exception& e) {
    return head_check_failed(e);
  }
}

HeadCheck Api::precheck(const HttpRequest& head) const {
  try {
    HeadCheck out = impl_->route_head(head);
    if (!out.answer)
      if (auto large = impl_->over_limit(head, out)) out.answer = std::move(*large);
    return out;
  } catch (const std::exception& e) {
    return head_check_failed(e);
  }
}

HeadCheck Api::check_head(const HttpRequest& head) const {
  try {
    return impl_->check_head(head);
  } catch (const std::exception& e) {
    return head_check_failed(e);
  }
}

HttpResponse Api::handle(const HttpRequest& request) { return handle_checked(request, impl_->service, nullptr); }
HttpResponse Api::handle(const HttpRequest& request, Service& service) { return handle_checked(request, service, nullptr); }
HttpResponse Api::handle_as(const HttpRequest& request, const Caller& as) {
  return handle_checked(request, impl_->service, &as);
}
HttpResponse Api::handle_as(const HttpRequest& request, const Caller& as, Service& service) {
  return handle_checked(request, service, &as);
}

HttpResponse Api::handle_checked(const HttpRequest& request, Service& service, const Caller* as) {
  // The front (http_guard.cpp) gives every request an X-Request-Id; what is logged while it is
  // handled carries it.
  auto id = request.headers.get("X-Request-Id");
  LogRequestScope log_scope(id ? *id : std::string_view());
  std::string route = "unmatched";
  HttpResponse response = Impl::guarded(request, [&] { return impl_->dispatch(request, service, route, as); });
  // A page names its own route ("page /scenarios"); the API's routes are named here.
  if (response.route == "unmatched" || route != "unmatched") response.route = std::move(route);
  return response;
}

}  // namespace jiebang::api
