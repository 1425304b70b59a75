// The web API's front door (see http_guard.h): Boost.Beast reads and frames each request, the
// upstream cpprestsdk listener on loopback gets only well-formed ones.
#include "http_guard.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <limits>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "jiebang/api/problem.h"
#include "jiebang/core/log.h"

namespace jiebang::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

/// Time a refused client is given to finish sending (its bytes are read and dropped) before the
/// socket closes: closing with unread bytes would reset the connection and could destroy the
/// answer before the client reads it.
constexpr auto kLinger = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 64u << 20;  ///< at most this much is read and dropped while lingering
/// The longest request target written to the log; unit: bytes (a longer one is cut, marked "…").
constexpr size_t kLoggedTargetBytes = 256;
/// A problem body larger than this is answered without the request id added (problems are small).
constexpr size_t kMaxStampedProblemBytes = 64 * 1024;

/// Puts the request id in the answer: the X-Request-Id header, and a `request_id` member in an
/// RFC 9457 problem body (application/problem+json), so a user can quote it and an operator can
/// find the log line. A body that is not a JSON object is left as it is.
template <class Fields>
void stamp_request_id(http::response<http::string_body, Fields>& out, const std::string& id) {
  out.set("X-Request-Id", id);
  auto type = out[http::field::content_type];
  if (!type.starts_with("application/problem+json") || out.body().size() > kMaxStampedProblemBytes) return;
  auto body = nlohmann::json::parse(out.body(), nullptr, false);
  if (!body.is_object()) return;
  body["request_id"] = id;
  out.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// Turns the upstream's numbered repeat fields (kRepeatedFieldPrefix) back into field lines of
/// their own, each after the lines of its name already there, in their number's order.
template <class Fields>
void split_repeated_fields(http::response<http::string_body, Fields>& out) {
  std::vector<std::pair<unsigned long, std::pair<std::string, std::string>>> repeats;
  const std::string_view prefix = kRepeatedFieldPrefix;
  for (auto it = out.begin(); it != out.end();) {
    std::string_view name(it->name_string().data(), it->name_string().size());
    if (name.size() <= prefix.size() || !iequals(name.substr(0, prefix.size()), prefix)) {
      ++it;
      continue;
    }
    std::string_view value(it->value().data(), it->value().size());
    size_t colon = value.find(": ");
    unsigned long number = 0;
    for (char c : name.substr(prefix.size())) number = number * 10 + static_cast<unsigned long>(c >= '0' && c <= '9' ? c - '0' : 0);
    if (colon != std::string_view::npos && colon > 0)
      repeats.push_back({number, {std::string(value.substr(0, colon)), std::string(value.substr(colon + 2))}});
    it = out.erase(it);
  }
  std::stable_sort(repeats.begin(), repeats.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [number, field] : repeats) out.insert(field.first, field.second);
}

/// Joins a request's Cookie field lines into one, with "; " (RFC 6265 §5.4; RFC 9113 §8.2.3 does
/// the same): cpprestsdk would join them with ", ", which is not a cookie separator, and the
/// session cookie in the second line was lost.
template <class Fields>
void join_cookie_fields(http::request<http::string_body, Fields>& req) {
  if (req.count(http::field::cookie) < 2) return;
  std::string joined;
  for (const auto& field : req) {
    if (field.name() != http::field::cookie) continue;
    if (!joined.empty()) joined += "; ";
    joined.append(field.value().data(), field.value().size());
  }
  req.set(http::field::cookie, joined);
}

struct Shared {
  GuardLimits limits;
  size_t max_connections = 0;  ///< limits.max_connections, or connection_cap() of RLIMIT_NOFILE
  /// Client connections open now (Session objects alive).
  mutable std::atomic<size_t> connections{0};
  HttpGuard::Record record;
  HttpGuard::Precheck precheck;
  tcp::endpoint upstream;
  /// Requests forwarded whose answer has not been written back yet (HttpGuard::drain).
  mutable std::atomic<int> in_flight{0};
  /// Reads and writes per client in flight (GuardLimits::max_reads_per_client,
  /// max_writes_per_client), keyed "r <client>" and "w <client>"; an entry goes at zero.
  mutable std::mutex clients_mu;
  mutable std::unordered_map<std::string, size_t> client_slots;

  /// Takes one of the slots `slot` ("r <client>" or "w <client>") has, at most `bound` (0 = no
  /// bound); false when it has `bound` already.
  bool acquire_slot(const std::string& slot, size_t bound) const {
    std::lock_guard lock(clients_mu);
    size_t& n = client_slots[slot];
    if (bound > 0 && n >= bound) {
      if (n == 0) client_slots.erase(slot);
      return false;
    }
    ++n;
    return true;
  }
  void release_slot(const std::string& slot) const {
    std::lock_guard lock(clients_mu);
    auto it = client_slots.find(slot);
    if (it != client_slots.end() && --it->second == 0) client_slots.erase(it);
  }
};

/// A peer's address as the client has it: an IPv4 client of a dual-stack listener ("::") appears
/// as an IPv4-mapped IPv6 address (::ffff:127.0.0.1), which is_loopback() does not recognise.
asio::ip::address plain_address(const tcp::endpoint& peer) {
  asio::ip::address a = peer.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return a;
}

/// One admitted client connection, counted in Shared::connections (and its address's slot) for as
/// long as it lives.
class ConnectionTicket {
 public:
  ConnectionTicket(std::shared_ptr<const Shared> shared, std::string slot)
      : shared_(std::move(shared)), slot_(std::move(slot)) {}
  ~ConnectionTicket() {
    shared_->connections.fetch_sub(1);
    if (!slot_.empty()) shared_->release_slot(slot_);
  }
  ConnectionTicket(const ConnectionTicket&) = delete;
  ConnectionTicket& operator=(const ConnectionTicket&) = delete;

  /// A ticket for a connection from `peer`, or the reason it is refused (over the guard's
  /// connection cap, or over its address's).
  static std::variant<std::unique_ptr<ConnectionTicket>, std::string> take(const std::shared_ptr<const Shared>& shared,
                                                                          const tcp::endpoint& peer) {
    if (shared->connections.fetch_add(1) >= shared->max_connections) {
      shared->connections.fetch_sub(1);
      return fmt::format("the server holds {} connections, the most it takes at once; retry shortly",
                         shared->max_connections);
    }
    std::string slot;
    size_t per_address = shared->limits.max_connections_per_address;
    if (asio::ip::address address = plain_address(peer); per_address > 0 && !address.is_loopback()) {
      slot = "c " + address_group(address.to_string());
      if (!shared->acquire_slot(slot, per_address)) {
        shared->connections.fetch_sub(1);
        return fmt::format("this address has {} connections open, the most one address may hold "
                           "(max_connections_per_address); close one and retry",
                           per_address);
      }
    }
    return std::make_unique<ConnectionTicket>(shared, std::move(slot));
  }

 private:
  std::shared_ptr<const Shared> shared_;
  std::string slot_;
};

/// Tells a refused connection why (a 503 problem, `Connection: close`) and closes it. The answer
/// is written without waiting: it is small and goes into the fresh socket's send buffer; if it
/// does not fit, the client sees the connection closed.
void refuse_connection(tcp::socket& socket, const std::string& detail) {
  HttpResponse r = make_problem(503, detail).response();
  std::string bytes = fmt::format(
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nRetry-After: 1\r\n"
      "Connection: close\r\nContent-Length: {}\r\n\r\n{}",
      r.body.size(), r.body);
  beast::error_code ignored;
  socket.non_blocking(true, ignored);
  asio::write(socket, asio::buffer(bytes), ignored);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

/// The address a request counts under for the per-client read bound: the peer's, or, when the
/// peer is on loopback (a reverse proxy on this host, which appends the address it saw), the last
/// address in X-Forwarded-For.
std::string client_address(const std::string& peer, bool peer_is_loopback, std::string_view forwarded_for) {
  if (!peer_is_loopback || forwarded_for.empty()) return "addr " + peer;
  size_t comma = forwarded_for.rfind(',');
  std::string_view last = comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
  while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
  while (!last.empty() && (last.back() == ' ' || last.back() == '\t')) last.remove_suffix(1);
  if (last.empty() || last.size() > 64) return "addr " + peer;
  return "fwd " + address_group(last);
}

/// `target` with every byte a URI may not hold (RFC 3986 §2: anything but unreserved characters,
/// sub-delims, ':', '@', '/', '?' and '%') percent-encoded, as browsers do before sending. Beast
/// takes such bytes in a request-target, but cpprestsdk's URI parser refused them
/// with a text/plain 400 of its own ("provided uri is invalid"), not a problem document; encoded,
/// they decode to the same text in the API.
std::string uri_safe_target(std::string_view target) {
  auto allowed = [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("-._~!$&'()*+,;=:@/?%").find(static_cast<char>(c)) != std::string_view::npos;
  };
  std::string out;
  out.reserve(target.size());
  for (char ch : target) {
    auto c = static_cast<unsigned char>(ch);
    if (allowed(c)) out += ch;
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

/// The most a connection's read buffer holds, in bytes. Beast parses a request's head, a chunk's
/// size line with its extensions, and the trailer only once they are whole in the buffer, so this
/// bounds each of them (the header limit alone did not bound a chunk extension or the trailer:
/// 300 MB of extension was buffered, and a trailer field over 65,533 bytes made Beast throw
/// std::length_error out of the I/O thread, which ended the process). At least the header limit,
/// and under Beast's largest field value so that no field can reach that throw.
std::size_t read_buffer_limit(const GuardLimits& limits) {
  constexpr std::size_t kBelowBeastsFieldMax = 60 * 1024;
  return std::min(std::max<std::size_t>(limits.max_header_bytes + 8 * 1024, 16 * 1024), kBelowBeastsFieldMax);
}

/// One client connection: read a request, answer it or forward it, repeat while keep-alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<const Shared> shared, std::unique_ptr<ConnectionTicket> ticket)
      : ticket_(std::move(ticket)),
        client_(std::move(socket)),
        upstream_(client_.get_executor()),
        shared_(std::move(shared)),
        deadline_(client_.get_executor()) {
    beast::error_code ec;
    auto peer = client_.socket().remote_endpoint(ec);
    if (!ec) {
      peer_ = plain_address(peer).to_string();
      peer_group_ = address_group(plain_address(peer).to_string());
      peer_loopback_ = plain_address(peer).is_loopback();
    }
    buffer_.max_size(read_buffer_limit(shared_->limits));
  }
  ~Session() { release_slot(); }

  void run() { read_head(); }

 private:
  std::unique_ptr<ConnectionTicket> ticket_;  ///< released last, as the session goes
  beast::tcp_stream client_;
  beast::flat_buffer buffer_;
  beast::tcp_stream upstream_;
  beast::flat_buffer upstream_buffer_;
  std::shared_ptr<const Shared> shared_;
  /// The request deadline (GuardLimits::request_timeout). Not the stream's own expiry: that
  /// closes the socket, and a late request is owed a 503.
  asio::steady_timer deadline_;
  bool late_ = false;
  uint64_t request_number_ = 0;  ///< which request a deadline belongs to (a late timer must not hit the next)
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  std::optional<http::response_parser<http::string_body>> response_parser_;
  http::response<http::string_body> response_;
  std::string method_;
  std::string route_ = "unmatched";  ///< the precheck's label for this request
  uint64_t body_limit_ = 0;          ///< this request's body limit (the precheck's, else the guard's)
  Clock::time_point start_{};
  bool retried_ = false;
  bool counted_ = false;  ///< this request is in Shared::in_flight
  size_t lingered_ = 0;
  std::vector<char> drop_;
  std::string peer_ = "-";  ///< the client's address, for the log
  std::string peer_group_ = "-";  ///< address_group of the client's address: what the per-client bounds count
  bool peer_loopback_ = false;
  /// The field lines of a chunked request's head, as read (its trailer's are dropped: on_body).
  std::vector<std::pair<std::string, std::string>> head_fields_;
  std::string slot_;        ///< the per-client slot ("r <client>", "w <client>") this request holds; "" for none
  std::string request_id_;  ///< this request's id (request_id_for); empty before a head is read
  std::string target_;      ///< this request's target, cut to kLoggedTargetBytes, for the log

  /// The request id, made now for a request refused before its head was read.
  const std::string& request_id() {
    if (request_id_.empty()) request_id_ = request_id_for("");
    return request_id_;
  }

  /// The request's log line: one per answered request, warn for a server-side failure (5xx).
  void log_request(int status, size_t bytes) {
    double ms = start_ == Clock::time_point{} ? 0 : std::chrono::duration<double, std::milli>(Clock::now() - start_).count();
    std::string status_text = std::to_string(status), ms_text = fmt::format("{:.1f}", ms), bytes_text = std::to_string(bytes);
    log_event(status >= 500 ? LogLevel::kWarn : LogLevel::kInfo, "request",
              {{"request_id", request_id()},
               {"client", peer_},
               {"method", method_.empty() ? std::string_view("-") : std::string_view(method_)},
               {"target", target_.empty() ? std::string_view("-") : std::string_view(target_)},
               {"route", route_},
               {"status", status_text},
               {"bytes", bytes_text},
               {"ms", ms_text}});
  }

  const GuardLimits& limits() const { return shared_->limits; }

  void done_in_flight() {
    if (counted_) shared_->in_flight.fetch_sub(1);
    counted_ = false;
    release_slot();
  }

  void release_slot() {
    if (slot_.empty()) return;
    shared_->release_slot(slot_);
    slot_.clear();
  }

  void read_head() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(limits().max_header_bytes));
    // No limit while the head is read: the precheck decides first (a request without valid
    // credentials is 401 whatever its length), then this request's limit is set below.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    body_limit_ = limits().max_body_bytes;
    start_ = {};
    method_.clear();
    request_id_.clear();
    target_.clear();
    client_.expires_after(limits().idle_timeout);
    http::async_read_header(client_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) { self->on_head(ec); });
  }

  void on_head(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted) return close_now();
    // An idle keep-alive connection, or headers that never finished: the stream closed it.
    if (ec == beast::error::timeout) return close_now();
    // A Content-Length over the limit: the parser stops at the headers (Beast checks it there).
    if (ec == http::error::body_limit) return refuse_too_large();
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
      return refuse(431, fmt::format("the request line and headers are over {} bytes", limits().max_header_bytes), false);
    if (ec) return refuse(400, fmt::format("malformed request: {}", ec.message()), false);
    start_ = Clock::now();
    auto& head = parser_->get();
    if (std::string safe = uri_safe_target(std::string_view(head.target().data(), head.target().size()));
        safe.size() != head.target().size())  // only ever longer when a byte was encoded
      head.target(safe);
    size_t head_lines = static_cast<size_t>(std::distance(head.begin(), head.end()));
    head_fields_.clear();
    if (head_lines <= limits().max_header_fields && parser_->chunked())  // a trailer may follow: keep the head's
      for (const auto& f : head) head_fields_.emplace_back(std::string(f.name_string()), std::string(f.value()));
    if (size_t lines = head_lines; lines > limits().max_header_fields)
      return refuse(431, fmt::format("the request has {} header field lines; at most {} are accepted", lines,
                                     limits().max_header_fields), false);
    method_ = std::string(head.method_string());
    auto sent_id = head["X-Request-Id"];
    request_id_ = request_id_for(std::string_view(sent_id.data(), sent_id.size()));
    target_ = std::string(head.target().substr(0, kLoggedTargetBytes));
    if (head.target().size() > kLoggedTargetBytes) target_ += "…";
    if (auto te = head.find(http::field::transfer_encoding); te != head.end() && !beast::iequals(te->value(), "chunked"))
      return refuse(501, fmt::format("Transfer-Encoding \"{}\" is not supported (only chunked)",
                                     std::string(te->value())), false);
    route_ = "unmatched";
    if (shared_->precheck) {
      HttpRequest request;
      request.method = method_;
      request.target = std::string(head.target());
      for (const auto& field : head) request.headers.add(std::string(field.name_string()), std::string(field.value()));
      HttpGuard::Verdict verdict = shared_->precheck(request);
      route_ = std::move(verdict.route);
      // Answered from the head: the connection is kept when no body is left unread.
      if (verdict.answer) return answer(std::move(*verdict.answer), false, parser_->is_done() && head.keep_alive());
      if (verdict.max_body_bytes) body_limit_ = *verdict.max_body_bytes;
      size_t bound = verdict.write ? limits().max_writes_per_client : verdict.read ? limits().max_reads_per_client : 0;
      if (bound > 0) {
        auto forwarded = head["X-Forwarded-For"];
        std::string client = !verdict.client.empty()
                                 ? verdict.client
                                 : client_address(peer_group_, peer_loopback_, std::string_view(forwarded.data(), forwarded.size()));
        std::string slot = (verdict.write ? "w " : "r ") + client;
        if (!shared_->acquire_slot(slot, bound)) {
          const char* what = verdict.write ? "writes" : "reads";
          HttpResponse busy =
              make_problem(429, fmt::format("this client ({}) has {} {} in flight or waiting, the most allowed "
                                            "at once (max_{}_per_client); retry after one is answered",
                                            client.starts_with("key-") ? "API key " + client.substr(4) : "address",
                                            bound, what, what))
                  .response();
          return answer(std::move(busy), true, parser_->is_done() && head.keep_alive());
        }
        slot_ = std::move(slot);
      }
    }
    parser_->body_limit(body_limit_);  // a chunked body is cut off when it passes it
    if (auto length = parser_->content_length(); length && *length > body_limit_) return refuse_too_large();
    client_.expires_never();
    late_ = false;
    deadline_.expires_at(start_ + limits().request_timeout);
    deadline_.async_wait([self = shared_from_this(), number = ++request_number_](beast::error_code e) {
      if (e || number != self->request_number_ || !self->parser_ || self->parser_->is_done())
        return;  // cancelled, or the body was complete in time
      self->late_ = true;
      beast::error_code ignored;
      self->client_.socket().cancel(ignored);  // the pending read ends with operation_aborted
    });
    if (beast::iequals(head[http::field::expect], "100-continue") && !parser_->is_done()) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      http::async_write(client_, *cont, [self = shared_from_this(), cont](beast::error_code e, size_t) {
        if (e) {
          self->deadline_.cancel();
          return self->close_now();
        }
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(client_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->on_body(ec); });
  }

  void on_body(beast::error_code ec) {
    deadline_.cancel();
    if (late_) return refuse(503, "the request took longer than the deadline to arrive", true);
    if (ec == http::error::body_limit) return refuse_too_large();  // a chunked body past the limit
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted) return close_now();
    // A chunk's size line with its extensions, or the trailer, longer than the read buffer holds.
    if (ec == http::error::buffer_overflow)
      return refuse(431, fmt::format("a chunk's extensions or the trailer are over {} bytes",
                                     read_buffer_limit(limits())), false);
    if (ec) return refuse(400, fmt::format("the request body could not be read: {}", ec.message()), false);
    client_.expires_never();
    request_ = parser_->release();
    // A chunked body's trailer fields join the head's (Beast's parser): counted against the same
    // bound (7,000 one-letter trailer lines cost the front seconds of CPU to forward), then
    // dropped — RFC 9110 §6.5.1 lets a recipient discard them, and the head was checked without
    // them (a trailer could add a second Authorization or Content-Type after the check).
    // (Beast files a trailer field beside the head's fields of the same name, not after them: the
    // head's are put back as they were read.)
    if (size_t fields = static_cast<size_t>(std::distance(request_.begin(), request_.end()));
        !head_fields_.empty() && fields > head_fields_.size()) {
      if (fields > limits().max_header_fields)
        return refuse(431, fmt::format("the request's head and trailer have {} field lines; at most {} are accepted",
                                       fields, limits().max_header_fields), false);
      while (request_.begin() != request_.end()) request_.erase(request_.begin());
      for (const auto& [name, value] : head_fields_) request_.insert(name, value);
    }
    request_.erase(http::field::transfer_encoding);
    request_.erase(http::field::expect);
    request_.content_length(request_.body().size());
    join_cookie_fields(request_);
    request_.set("X-Request-Id", request_id_);  // the service logs with it
    retried_ = false;
    shared_->in_flight.fetch_add(1);
    counted_ = true;
    forward();
  }

  void forward() {
    if (!upstream_.socket().is_open()) {
      upstream_buffer_.clear();
      upstream_.async_connect(shared_->upstream, [self = shared_from_this()](beast::error_code ec) {
        if (ec) return self->refuse(502, "the API service is not reachable", true);
        self->write_upstream();
      });
      return;
    }
    write_upstream();
  }

  void write_upstream() {
    http::async_write(upstream_, request_, [self = shared_from_this()](beast::error_code ec, size_t) {
      // A failed write may still have an answer behind it: the upstream can answer early (a
      // refused request) and close before reading the whole body. Read it before giving up.
      self->read_upstream(ec);
    });
  }

  void read_upstream(beast::error_code write_error) {
    response_parser_.emplace();
    // Our own responses: no limit. (Not boost::none: Boost 1.74's parser compares a known
    // Content-Length with the optional limit, and any length is "over" an empty one.)
    response_parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    http::async_read(upstream_, upstream_buffer_, *response_parser_,
                     [self = shared_from_this(), write_error](beast::error_code e, size_t) {
                       if (e) return self->upstream_failed(write_error ? write_error : e);
                       self->on_response();
                     });
  }

  /// A kept-alive upstream connection may have been closed by the upstream meanwhile: reconnect
  /// and send once more (nothing was answered, so nothing was done twice), then give up (502).
  void upstream_failed(beast::error_code ec) {
    beast::error_code ignored;
    upstream_.socket().close(ignored);
    if (!retried_ && !(response_parser_ && response_parser_->got_some())) {
      retried_ = true;
      return forward();
    }
    refuse(502, fmt::format("the API service did not answer: {}", ec.message()), true);
  }

  void on_response() {
    response_ = response_parser_->release();
    split_repeated_fields(response_);
    if (!response_.keep_alive()) {
      beast::error_code ignored;
      upstream_.socket().close(ignored);
    }
    bool close = !response_.keep_alive() || !request_.keep_alive();
    if (request_.method() == http::verb::head) {
      response_.body().clear();  // cpprestsdk sends one; a HEAD answer has none (RFC 9110 §9.3.2)
    } else {
      response_.prepare_payload();
    }
    response_.keep_alive(!close);
    stamp_request_id(response_, request_id());
    if (request_.method() != http::verb::head) response_.prepare_payload();
    log_request(response_.result_int(), response_.body().size());
    client_.expires_after(limits().request_timeout);  // a client that does not read its answer
    http::async_write(client_, response_, [self = shared_from_this(), close](beast::error_code ec, size_t) {
      self->done_in_flight();
      if (ec) return self->close_now();
      if (close) return self->shutdown_and_linger();
      self->read_head();
    });
  }

  void refuse_too_large() {
    refuse(413, fmt::format("the body is over {} bytes, the most accepted here", body_limit_), false);
  }

  /// Answers `status` with a problem document and closes the connection (lingering).
  void refuse(int status, const std::string& detail, bool retry_after) {
    answer(make_problem(status, detail).response(), retry_after);
  }

  /// Sends `r` itself (not forwarded) and closes the connection (lingering).
  /// With `keep` (a request that has no body left to read, answered from its head), the
  /// connection stays open for the next request instead.
  void answer(HttpResponse r, bool retry_after, bool keep = false) {
    const int status = r.status;
    auto out = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status), 11);
    for (const auto& [name, value] : r.headers.fields()) out->insert(name, value);  // a repeated field stays repeated
    if (retry_after) out->set(http::field::retry_after, "1");
    out->set("X-Content-Type-Options", "nosniff");
    out->keep_alive(keep);
    out->body() = std::move(r.body);
    stamp_request_id(*out, request_id());
    out->prepare_payload();
    if (method_ == "HEAD") out->body().clear();  // the length of the GET answer, no body (RFC 9110 §9.3.2)
    log_request(status, out->body().size());
    done_in_flight();
    double seconds = start_ == Clock::time_point{} ? 0 : std::chrono::duration<double>(Clock::now() - start_).count();
    if (shared_->record) shared_->record(status, method_.empty() ? "-" : method_, route_, seconds);
    client_.expires_after(kLinger);
    http::async_write(client_, *out, [self = shared_from_this(), out, keep](beast::error_code ec, size_t) {
      if (ec) return self->close_now();
      if (keep) return self->read_head();
      self->shutdown_and_linger();
    });
  }

  /// Half-closes, then reads and drops what the client still sends (up to kLinger / kLingerBytes)
  /// so that the answer is not lost to a connection reset.
  void shutdown_and_linger() {
    beast::error_code ignored;
    client_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    client_.expires_after(kLinger);
    drop_.resize(64 * 1024);
    linger();
  }

  void linger() {
    client_.async_read_some(asio::buffer(drop_), [self = shared_from_this()](beast::error_code ec, size_t n) {
      self->lingered_ += n;
      if (ec || self->lingered_ > kLingerBytes) return self->close_now();
      self->linger();
    });
  }

  void close_now() {
    done_in_flight();
    beast::error_code ignored;
    client_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    client_.socket().close(ignored);
    upstream_.socket().close(ignored);
  }
};

}  // namespace

struct HttpGuard::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  /// After a failed accept (out of file descriptors: EMFILE), the next try waits: the listening
  /// socket stays readable, and trying again at once spins every I/O thread.
  asio::steady_timer backoff{io};
  std::shared_ptr<const Shared> shared;
  std::vector<std::thread> threads;
  std::atomic<bool> stopped{false};

  void accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (ec) {
        backoff.expires_after(std::chrono::milliseconds(50));
        backoff.async_wait([this](beast::error_code e) {
          if (!e) accept();
        });
        return;
      }
      beast::error_code ignored;
      auto peer = socket.remote_endpoint(ignored);
      auto ticket = ConnectionTicket::take(shared, peer);
      if (auto* refused = std::get_if<std::string>(&ticket)) {
        refuse_connection(socket, *refused);
        shared->record(503, "", "connections", 0);
        log_event(LogLevel::kDebug, "connection_refused", {{"client", peer.address().to_string()}, {"reason", *refused}});
        return accept();
      }
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(std::move(socket), shared,
                                std::move(std::get<std::unique_ptr<ConnectionTicket>>(ticket)))
          ->run();
      accept();
    });
  }
};

HttpGuard::HttpGuard(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpGuard::~HttpGuard() { stop(); }

Result<std::unique_ptr<HttpGuard>> HttpGuard::start(const std::string& host, int port, const std::string& upstream_host,
                                                    int upstream_port, const GuardLimits& limits, Record record,
                                                    Precheck precheck) {
  auto impl = std::make_unique<Impl>();
  beast::error_code ec;
  // A host name ("localhost") is resolved once, here; its first address is used.
  tcp::resolver resolver(impl->io);
  auto found = resolver.resolve(host, std::to_string(port), tcp::resolver::numeric_service, ec);
  if (ec || found.empty())
    return Status::unavailable(fmt::format("cannot listen on {}:{}: {}", host, port, ec ? ec.message() : "no address"));
  tcp::endpoint endpoint = found.begin()->endpoint();
  auto upstream = asio::ip::make_address(upstream_host, ec);
  if (ec) return Status::unavailable(fmt::format("bad upstream address {}: {}", upstream_host, ec.message()));
  auto shared = std::make_shared<Shared>();
  shared->limits = limits;
  shared->max_connections = limits.max_connections;
  if (shared->max_connections == 0) {
    rlimit nofile{};
    shared->max_connections =
        connection_cap(getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY ? nofile.rlim_cur
                                                                                                 : uint64_t{1} << 20);
  }
  shared->record = std::move(record);
  shared->precheck = std::move(precheck);
  shared->upstream = tcp::endpoint(upstream, static_cast<unsigned short>(upstream_port));
  impl->shared = std::move(shared);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::unavailable(fmt::format("cannot listen on {}:{}: {}", host, port, ec.message()));
  impl->accept();
  size_t n = std::max<size_t>(1, limits.threads);
  // A handler that throws would end the process from an I/O thread: the connection it served is
  // dropped (its session released as the exception unwinds) and the thread runs on.
  for (size_t i = 0; i < n; ++i)
    impl->threads.emplace_back([io = &impl->io] {
      for (;;) {
        try {
          io->run();
          return;
        } catch (const std::exception& e) {
          log_event(LogLevel::kError, "guard_handler_failed", {{"error", e.what()}});
        }
      }
    });
  return std::unique_ptr<HttpGuard>(new HttpGuard(std::move(impl)));
}

void HttpGuard::stop_accepting() {
  if (!impl_ || impl_->stopped) return;
  std::promise<void> closed;
  asio::post(impl_->io, [impl = impl_.get(), &closed] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    impl->backoff.cancel();
    closed.set_value();
  });
  closed.get_future().wait();
}

bool HttpGuard::drain(std::chrono::milliseconds at_most) {
  if (!impl_) return true;
  auto until = Clock::now() + at_most;
  while (impl_->shared->in_flight.load() > 0) {
    if (Clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

void HttpGuard::stop() {
  if (!impl_ || impl_->stopped.exchange(true)) return;
  impl_->io.stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  // No handler runs any more: the acceptor and the sessions (owned by their pending handlers,
  // destroyed with the io_context) close without racing an I/O thread.
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
}

std::string address_group(std::string_view address) {
  beast::error_code ec;
  auto a = asio::ip::make_address(std::string(address), ec);
  if (ec) return std::string(address);
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  if (!a.is_v6()) return a.to_string();
  auto bytes = a.to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return asio::ip::address_v6(bytes).to_string() + "/64";
}

size_t connection_cap(uint64_t nofile) {
  uint64_t kept = std::min<uint64_t>(nofile / 2, 256);
  return static_cast<size_t>(std::max<uint64_t>(8, (nofile - kept) / 3));
}

Result<int> HttpGuard::free_port(const std::string& host) {
  asio::io_context io;
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return Status::unavailable(fmt::format("bad address {}: {}", host, ec.message()));
  tcp::acceptor a(io);
  tcp::endpoint endpoint(address, 0);
  a.open(endpoint.protocol(), ec);
  if (!ec) a.bind(endpoint, ec);
  if (ec) return Status::unavailable(fmt::format("no free port on {}: {}", host, ec.message()));
  return static_cast<int>(a.local_endpoint().port());
}

}  // namespace jiebang::api
