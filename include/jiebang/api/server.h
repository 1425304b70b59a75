// The HTTP transport of the web API: cpprestsdk's http_listener behind one adapter, so that it
// could be swapped (cpprestsdk is archived upstream). cpprest headers stay in the .cpp file.
#pragma once

#include <memory>
#include <string>

#include "jiebang/api/api.h"
#include "jiebang/core/status.h"
#include "jiebang/service/service.h"

namespace jiebang::api {

/// A running HTTP/1.1 server (plain HTTP: put a TLS-terminating reverse proxy in front).
///
/// Per request: headers are checked first (Api::precheck: 413 from Content-Length and 414 before
/// any body is read); the body is read asynchronously up to max_body_bytes (a chunked body that
/// goes past it is cut off and answered 413, the connection closed); the complete request is
/// queued to the one thread that runs the Service (Api::handle), which replies. No handler waits on
/// a task (.get()/.wait()): every step is a continuation, so the I/O pool never deadlocks.
class ApiServer {
 public:
  /// Starts listening on config.listen. `service` must outlive the server and must not be used
  /// by anyone else while it runs. Errors: kInvalidArgument (bad listen address, port 0: cpprestsdk
  /// does not report the port it would pick), kUnavailable (cannot bind: port in use, no permission).
  static Result<std::unique_ptr<ApiServer>> start(Service& service, const ApiConfig& config);
  /// Stops (see stop()).
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  /// Stops taking work (later and queued requests get 503), lets the running request finish,
  /// then closes the listener and its connections. Idempotent. Blocks: call it from main, not
  /// from a handler.
  void stop();
  /// "http://127.0.0.1:8080"
  const std::string& url() const;

 private:
  struct Impl;
  explicit ApiServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace jiebang::api
