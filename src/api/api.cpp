// The web API without its transport: request limits, routing, Bearer keys, and the single catch
// boundary that turns every failure into a problem response.
#include "jiebang/api/api.h"

#include <cstdio>

#include <fmt/format.h>

#include "context.h"
#include "jiebang/api/router.h"

namespace jiebang::api {
namespace {

/// The 401 answer (RFC 6750 §3: a WWW-Authenticate challenge naming the error).
HttpResponse unauthenticated(const std::string& detail, const char* error) {
  HttpResponse r = make_problem(401, detail).response();
  r.headers.set("WWW-Authenticate",
                error ? fmt::format("Bearer realm=\"jiebang\", error=\"{}\"", error) : "Bearer realm=\"jiebang\"");
  return r;
}

}  // namespace

Result<std::pair<std::string, int>> parse_listen(const std::string& listen) {
  std::string host;
  std::string port_text;
  if (listen.starts_with("[")) {
    size_t close = listen.find("]:");
    if (close == std::string::npos)
      return Status::invalid_argument(fmt::format("listen: \"{}\" is not [ipv6]:port", listen));
    host = listen.substr(1, close - 1);
    port_text = listen.substr(close + 2);
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0)
      return Status::invalid_argument(fmt::format("listen: \"{}\" is not host:port", listen));
    host = listen.substr(0, colon);
    port_text = listen.substr(colon + 1);
  }
  bool digits = !port_text.empty() && port_text.size() <= 5 && port_text.find_first_not_of("0123456789") == std::string::npos;
  int port = digits ? std::stoi(port_text) : -1;
  if (port < 0 || port > 65535)
    return Status::invalid_argument(fmt::format("listen: port \"{}\" is not a number from 1 to 65535", port_text));
  if (port == 0)
    return Status::invalid_argument("listen: port 0 is not supported (cpprestsdk does not report the port it picks)");
  if (host.empty() || host.find_first_of(" /?#@") != std::string::npos)
    return Status::invalid_argument(fmt::format("listen: \"{}\" is not a host name or address", host));
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

  /// The caller from the Authorization header, or the 401 to send.
  std::optional<HttpResponse> authenticate(const HttpRequest& req, Principal& out) const {
    auto header = req.headers.get("Authorization");
    if (!header) return unauthenticated("no API key: send the header \"Authorization: Bearer <key>\"", nullptr);
    std::string_view h = *header;
    size_t space = h.find(' ');
    if (space == std::string_view::npos || !iequals(h.substr(0, space), "Bearer"))
      return unauthenticated("the Authorization header must be \"Bearer <key>\"", "invalid_request");
    std::string_view token = h.substr(space + 1);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    auto key = service.authenticate(std::string(token));
    if (!key) {
      if (key.status().code() == ErrorCode::kPermissionDenied)
        return unauthenticated("invalid or revoked API key", "invalid_token");
      throw_status(key.status());
    }
    out = Principal{key->role, key->scope, key->id};
    return std::nullopt;
  }

  std::shared_ptr<PageHandler> pages;

  HttpResponse dispatch(const HttpRequest& req, std::string& route_label, const Caller* as) {
    std::string_view target = req.target;
    size_t q = target.find('?');
    std::string_view path = target.substr(0, q);
    std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    query = query.substr(0, query.find('#'));
    if (path.empty() || path.front() != '/')
      throw_problem(make_problem(400, fmt::format("request-target \"{}\" is not an absolute path", path.substr(0, 200))));
    if (!as && pages && pages->owns(path)) return pages->handle(req, *self);
    std::vector<std::string> segments;
    size_t start = 1;
    while (start <= path.size()) {
      size_t end = path.find('/', start);
      if (end == std::string_view::npos) end = path.size();
      auto seg = percent_decode(path.substr(start, end - start), false);
      if (!seg) throw_problem(make_problem(400, "the path is not percent-encoded UTF-8"));
      segments.push_back(std::move(*seg));
      start = end + 1;
    }
    RouteMatch m = match_route(route_table(), req.method, segments);
    if (!m.route) {
      if (m.allowed.empty())
        throw_problem(make_problem(404, fmt::format("no route for {} {}", req.method, path.substr(0, 200))));
      std::string allow;
      for (auto a : m.allowed) allow += (allow.empty() ? "" : ", ") + std::string(a);
      HttpResponse r = make_problem(405, fmt::format("{} is not allowed here; allowed: {}", req.method, allow)).response();
      r.headers.set("Allow", allow);
      return r;
    }
    route_label = std::string(m.route->pattern);
    RequestContext ctx{service, config, metrics, req, &columns, queue_depth, std::move(m.params), {}, std::nullopt};
    ctx.query = parse_query(query);
    if (as) {
      if (m.route->access == Access::kOperator && as->role != Role::kOperator)
        throw_problem(make_problem(403, fmt::format("{} {} needs an operator key", req.method, m.route->pattern)));
      ctx.principal = Principal{as->role, as->scope, as->key_id};
    } else if (m.route->access != Access::kPublic) {
      Principal p;
      if (auto denied = authenticate(req, p)) return std::move(*denied);
      if (m.route->access == Access::kOperator && !p.is_operator())
        throw_problem(make_problem(403, fmt::format("{} {} needs an operator key", req.method, m.route->pattern)));
      ctx.principal = std::move(p);
    }
    return m.route->handler(ctx);
  }
};

Api::Api(Service& service, ApiConfig config) : impl_(std::make_unique<Impl>(service, std::move(config), this)) {
  auto columns = ColumnMap::load(service.config().index_dir + "/columns.tsv");
  if (columns) impl_->columns = std::move(*columns);
}

Api::~Api() = default;

const ApiConfig& Api::config() const { return impl_->config; }
Metrics& Api::metrics() { return impl_->metrics; }
void Api::set_queue_depth_source(std::function<size_t()> source) { impl_->queue_depth = std::move(source); }

std::optional<HttpResponse> Api::precheck(const HttpRequest& head) const {
  const ApiConfig& c = impl_->config;
  size_t q = head.target.find('?');
  size_t query_bytes = q == std::string::npos ? 0 : head.target.size() - q - 1;
  if (query_bytes > c.max_query_bytes)
    return make_problem(414, fmt::format("the query string is {} bytes; at most {} are accepted", query_bytes,
                                         c.max_query_bytes))
        .response();
  if (head.target.size() > c.max_target_bytes)
    return make_problem(414, fmt::format("the request-target is {} bytes; at most {} are accepted", head.target.size(),
                                         c.max_target_bytes))
        .response();
  if (auto cl = head.headers.get("Content-Length")) {
    bool digits = !cl->empty() && cl->size() <= 18 && cl->find_first_not_of("0123456789") == std::string_view::npos;
    if (!digits)
      return make_problem(400, fmt::format("Content-Length \"{}\" is not a byte count", cl->substr(0, 40)),
                          "Content-Length")
          .response();
    uint64_t length = std::stoull(std::string(*cl));
    if (length > c.max_body_bytes)
      return make_problem(413, fmt::format("the body is {} bytes; at most {} are accepted", length, c.max_body_bytes))
          .response();
  }
  return std::nullopt;
}

void Api::set_pages(std::shared_ptr<PageHandler> pages) { impl_->pages = std::move(pages); }
Service& Api::service() { return impl_->service; }

HttpResponse Api::handle(const HttpRequest& request) { return handle_checked(request, nullptr); }
HttpResponse Api::handle_as(const HttpRequest& request, const Caller& as) { return handle_checked(request, &as); }

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

HttpResponse Api::handle_checked(const HttpRequest& request, const Caller* as) {
  std::string route = "unmatched";
  HttpResponse response;
  try {
    response = impl_->dispatch(request, route, as);
  } catch (const ProblemException& e) {
    response = e.problem().response();
  } catch (const nlohmann::json::exception& e) {
    // A handler read a value of the wrong type that validation let through: the caller's input.
    response = make_problem(400, fmt::format("a value has the wrong type: {}", e.what())).response();
  } catch (const std::bad_alloc&) {
    response = make_problem(503, "out of memory while handling the request").response();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "jiebang serve: %s %s: unexpected error: %s\n", request.method.c_str(),
                 request.target.substr(0, 200).c_str(), e.what());
    response = make_problem(500, "internal error; the server log has the details").response();
  }
  if (response.route == "unmatched" || route != "unmatched") response.route = std::move(route);
  return response;
}

}  // namespace jiebang::api
