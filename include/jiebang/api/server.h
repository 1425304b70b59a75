// The HTTP transport of the web API: cpprestsdk's http_listener behind one adapter, so that it
// could be swapped (cpprestsdk is archived upstream), with a strict front (http_guard.h) that
// frames every request before cpprestsdk sees it. cpprest headers stay in the .cpp file.
#pragma once

#include <memory>
#include <string>

#include "jiebang/api/api.h"
#include "jiebang/core/status.h"
#include "jiebang/service/service.h"

namespace jiebang::api {

/// A running HTTP/1.1 server (plain HTTP: put a TLS-terminating reverse proxy in front).
///
/// Two layers. Clients talk to a guard (src/api/http_guard.h, Boost.Beast) that reads each
/// request strictly — RFC 9112 framing and chunked decoding, headers up to max_target_bytes +
/// 16 KiB (else 431), bodies up to max_body_bytes (else 413, from Content-Length before any body
/// byte, or as soon as a chunked body passes the limit), the whole request within
/// request_timeout_ms of its headers (else 503), malformed framing 400 — and forwards it with a
/// Content-Length over a loopback keep-alive connection to cpprestsdk's http_listener, whose own
/// request parsing is unsafe (a chunk size of "-1" aborted the process). Behind it, per request:
/// Api::precheck (414 …), the body read asynchronously, the complete request queued to the one
/// thread that runs the Service (Api::handle), which replies. No handler waits on a task
/// (.get()/.wait()): every step is a continuation, so the I/O pool never deadlocks.
class ApiServer {
 public:
  /// Starts listening on config.listen. `service` must outlive the server and must not be used
  /// by anyone else while it runs. Errors: kInvalidArgument (bad listen address, port 0: cpprestsdk
  /// does not report the port it would pick), kUnavailable (cannot bind: port in use, no permission).
  /// `pages`, when given, serves the paths it owns (Api::set_pages).
  static Result<std::unique_ptr<ApiServer>> start(Service& service, const ApiConfig& config,
                                                  std::shared_ptr<PageHandler> pages = nullptr);
  /// Stops (see stop()).
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  /// Stops taking connections and work (queued requests get 503), lets the running request
  /// finish, relays the answers still on their way (for up to 5 s), then closes the listener and
  /// every connection. Idempotent. Blocks: call it from main, not from a handler.
  void stop();
  /// "http://127.0.0.1:8080"
  const std::string& url() const;

 private:
  struct Impl;
  explicit ApiServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace jiebang::api
