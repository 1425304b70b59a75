// The web API's front door: a strict HTTP/1.1 request reader (Boost.Beast) between clients and
// cpprestsdk's listener, which only ever sees well-framed requests from it on loopback.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "jiebang/api/http.h"
#include "jiebang/core/status.h"

namespace jiebang::api {

/// The name prefix under which the upstream sends the second and later field lines of a repeated
/// response field ("X-Jiebang-Repeat-1: Set-Cookie: lang=en; Path=/"), which the guard turns back
/// into field lines of their own, in their number's order, after the first line of that name.
/// Why: cpprestsdk's header map keeps one value per name and joins a repeated field with ", ",
/// and Set-Cookie may not be joined (RFC 9110 §5.3, RFC 6265 §3): a browser read two cookies as
/// one broken cookie. Every repeated field is carried so (not only Set-Cookie), so the client gets
/// the field lines as the Api wrote them. Never sent to a client.
inline constexpr std::string_view kRepeatedFieldPrefix = "X-Jiebang-Repeat-";

/// What the guard enforces on every request before cpprestsdk sees it.
struct GuardLimits {
  size_t max_body_bytes = 8 * 1024 * 1024;  ///< unit: bytes of the (de-chunked) body; more → 413
  size_t max_header_bytes = 16 * 1024;      ///< unit: bytes of the request line and headers; more → 431
  /// Header field lines a request may have; more → 431. Within max_header_bytes thousands of
  /// one-letter fields fit, each parsed, checked and copied upstream; 100 is Apache httpd's
  /// LimitRequestFields default (browsers send about 15).
  size_t max_header_fields = 100;
  /// From a request's headers being read to its body being complete; later → 503 with
  /// Retry-After, the connection closed (also ends clients that stall mid-body).
  std::chrono::milliseconds request_timeout{30000};
  /// A keep-alive connection with no request for this long, or a request line and headers
  /// that take longer than this to arrive, is closed.
  std::chrono::milliseconds idle_timeout{30000};
  size_t threads = 4;  ///< I/O threads of the guard
  /// Requests marked `read` by the precheck that one client may have forwarded and not yet
  /// answered; one more is answered 429 with Retry-After from its head. 0 = no bound.
  size_t max_reads_per_client = 0;
  /// As max_reads_per_client, for the requests marked `write` (they run one at a time on the
  /// service's one write thread, so a client flooding writes delays every tenant's writes).
  /// 0 = no bound.
  size_t max_writes_per_client = 0;
  /// Client connections open at once; one more is answered 503 (`Connection: close`) and closed
  /// at once, so that the process never runs out of file descriptors (out of them, it could not
  /// open its own files either). 0 = derived from the descriptor limit (RLIMIT_NOFILE) by
  /// connection_cap().
  size_t max_connections = 0;
  /// Connections one address may have open at once; one more is answered 503 and closed. Not
  /// counted for loopback peers: a reverse proxy on this host bounds its own clients (nginx's
  /// limit_conn). 0 = no bound.
  size_t max_connections_per_address = 64;
};

/// The connections a guard may hold when GuardLimits::max_connections is 0, from the soft
/// descriptor limit `nofile`: each connection holds three descriptors (the client's socket and
/// both ends of its keep-alive link to the upstream listener in this process), and half the limit,
/// at most 256, is kept for the store, the index and the rest. At least 8.
size_t connection_cap(uint64_t nofile);

/// The group an address counts in for the per-address and per-client bounds: an IPv4 address
/// itself (an IPv4-mapped IPv6 address as its IPv4 form), an IPv6 address's /64
/// ("2001:db8:1:2::/64"): one IPv6 subscriber is usually given a whole /64 (RFC 6177) and can use
/// any address in it, so counting single IPv6 addresses bounded nobody. Text that is not an
/// address is returned as it is. Pure; thread-safe.
std::string address_group(std::string_view address);

/// An HTTP/1.1 front for an upstream server on loopback. Why: cpprestsdk's listener (archived
/// upstream) parses request framing unsafely — a chunk size of "-1" kills the process
/// (std::bad_alloc in an I/O thread), a large chunk size is buffered whole past any body limit,
/// chunk extensions corrupt bodies, pipelined requests are lost, and a refused body can only be
/// cut off racily. The guard reads each request with Boost.Beast's parser (RFC 9112 framing,
/// chunked decoding, header and body limits), answers framing errors itself (400, 413, 431, 501,
/// 502, 503 — as RFC 9457 problem details, `Connection: close`, with a lingering close so the
/// client reads the answer), and forwards every well-formed request with a Content-Length and no
/// Transfer-Encoding over a keep-alive connection to the upstream, relaying its response.
/// Requests on one connection are answered in order (pipelining works).
class HttpGuard {
 public:
  /// Called once per response the guard makes itself: (status, method, route label — the
  /// precheck's, or "unmatched" —, seconds since the request's headers were read, or 0). Must be
  /// thread-safe.
  using Record = std::function<void(int status, const std::string& method, const std::string& route, double seconds)>;
  /// What the precheck decides from a request's head.
  struct Verdict {
    /// A response to send at once instead of reading and forwarding the request (the
    /// upstream's own checks — credentials, 404, 414 … — so that a refused request's body is
    /// never read, let alone pushed upstream), or nullopt to go on.
    std::optional<HttpResponse> answer;
    /// This request's body limit in place of GuardLimits::max_body_bytes (a chunked body past
    /// it is 413 at that point); unit: bytes.
    std::optional<size_t> max_body_bytes;
    std::string route = "unmatched";  ///< a label for Record
    /// Who the request's credentials name ("key-7"), or "" for the client's address: the peer's,
    /// or the last X-Forwarded-For address when the peer is on loopback (a proxy on this host).
    std::string client;
    /// Counted against GuardLimits::max_reads_per_client (the reads: GET, HEAD).
    bool read = false;
    /// Counted against GuardLimits::max_writes_per_client (the writes, and a search that asks the
    /// index to catch up first). Not both `read` and `write`.
    bool write = false;
  };
  /// Asked with each request's method, target and headers before its body is read. Must be
  /// thread-safe. May be empty.
  using Precheck = std::function<Verdict(const HttpRequest& head)>;

  /// Listens on host:port and forwards to upstream_host:upstream_port. Errors: kUnavailable
  /// (cannot bind: port in use, no permission; bad address), naming the address.
  static Result<std::unique_ptr<HttpGuard>> start(const std::string& host, int port, const std::string& upstream_host,
                                                  int upstream_port, const GuardLimits& limits, Record record,
                                                  Precheck precheck = {});
  /// Closes the listening socket: no new connections (kept-alive ones may still send). Blocks
  /// until done. Idempotent.
  void stop_accepting();
  /// Waits until no forwarded request is waiting for its answer to be relayed, or `at_most`
  /// has passed. Returns true when none is left.
  bool drain(std::chrono::milliseconds at_most);
  /// Closes the listening socket and every connection, then joins the I/O threads. Idempotent.
  void stop();
  ~HttpGuard();
  HttpGuard(const HttpGuard&) = delete;
  HttpGuard& operator=(const HttpGuard&) = delete;

  /// A free TCP port on `host` at the time of asking (bind to port 0, read, close), for the
  /// upstream listener. Errors: kUnavailable.
  static Result<int> free_port(const std::string& host);

 private:
  struct Impl;
  explicit HttpGuard(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace jiebang::api
