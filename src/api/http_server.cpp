// The one adapter between cpprestsdk's http_listener and the transport-neutral Api: limits that
// cpprestsdk lacks (body size, deadline), asynchronous body reading, the single service thread.
#include "jiebang/api/server.h"
#include "jiebang/core/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <cpprest/http_listener.h>
#include <fmt/format.h>
#include <pplx/threadpool.h>

#include "http_guard.h"
#include "jiebang/api/problem.h"
#include "serial_executor.h"

namespace jiebang::api {
namespace {

namespace http = web::http;
using Clock = std::chrono::steady_clock;

constexpr size_t kReadChunk = 64 * 1024;  // bytes taken from the body buffer per read

/// True when the request announces a body (a Content-Length above 0, or chunked transfer coding).
bool has_body(const HttpRequest& head) {
  if (auto te = head.headers.get("Transfer-Encoding"); te && te->find("chunked") != std::string_view::npos) return true;
  auto cl = head.headers.get("Content-Length");
  return cl && !cl->empty() && cl->find_first_not_of('0') != std::string_view::npos;
}

/// Makes cpprestsdk stop reading a body, so that the response goes out. Its listener copies every
/// body into an unbounded buffer and writes the response only when the body is complete (or has
/// failed). Closing the buffer's write end with an error makes the listener's next write into it
/// fail; the listener then ends the read itself (completing the body with that error, no further
/// socket read) and sends the response. The caller answers with `Connection: close`.
///
/// The body must not be marked complete from here (http_msg_base::_complete): that releases the
/// response while the listener's read of the next piece is still in flight, the response's
/// `Connection: close` closes the socket on one thread while the read continues on another, and
/// Boost.Asio's reactor dereferences the closed socket's state (a SEGV, about 1 in 40 oversized
/// uploads under ASan: tests/api/system_api_test.cpp, OversizedUploadsNeverCrashTheServer).
void cut_body(const http::http_request& req) {
  auto refused = std::make_exception_ptr(std::length_error("request body refused"));
  try {
    req.body().streambuf().close(std::ios_base::out, refused).then([](pplx::task<void> t) {
      try {
        t.get();
      } catch (...) {  // nothing to do: the connection closes after the response
      }
    });
  } catch (const std::exception&) {  // the body had already completed
  }
}

/// A request whose body is being read.
struct PendingRequest {
  http::http_request native;
  HttpRequest request;
  HeadCheck head;  ///< what the head decided: lane, body limit
  Clock::time_point start;
  std::vector<unsigned char> chunk = std::vector<unsigned char>(kReadChunk);
};

}  // namespace

struct ApiServer::Impl : std::enable_shared_from_this<ApiServer::Impl> {
  Impl(Service& service, const ApiConfig& config)
      : api(service, config),
        executor(config.max_queued_requests),
        readers(config.read_threads > 0 ? config.read_threads
                                        : std::max<size_t>(2, std::thread::hardware_concurrency()),
                config.max_queued_requests),
        ops(1, config.max_queued_requests) {}

  Api api;
  /// The writes (and a search that asks the index to catch up), one at a time, on the service
  /// the server was started with.
  SerialExecutor executor;
  /// The reads, on read-only services of their own (reader_services[worker]).
  WorkerPool readers;
  struct Reader {
    std::unique_ptr<Service> service;
    uint64_t seen = 0;  ///< the write generation its index handles were last reopened at
  };
  std::vector<Reader> reader_services;
  /// The operational reads (/healthz, /metrics: Lane::kOps), on a read-only service of their own,
  /// so that they answer while searches fill the readers' queue.
  WorkerPool ops;
  Reader ops_service;
  /// Bumped after every write: a reader whose `seen` differs reopens its index before the next
  /// request, so a read after a write's answer sees the write.
  std::atomic<uint64_t> write_generation{0};
  std::string url;
  std::unique_ptr<http::experimental::listener::http_listener> listener;
  /// The front door clients talk to; the listener above takes requests from it only, on loopback.
  std::unique_ptr<HttpGuard> guard;
  std::once_flag stop_once;

  bool past_deadline(Clock::time_point start) const {
    return Clock::now() - start > std::chrono::milliseconds(api.config().request_timeout_ms);
  }

  /// Sends `response` and counts it. Never waits: the write's completion is only observed (an
  /// unobserved failed pplx task would terminate the process).
  void reply(const http::http_request& native, HttpResponse response, const std::string& method,
             Clock::time_point start, bool close) {
    http::http_response out(static_cast<http::status_code>(response.status));
    std::string content_type = "application/octet-stream";
    // cpprestsdk's headers().add joins a name already present with ", ": a repeated field's
    // later lines travel under numbered names that the guard splits back (kRepeatedFieldPrefix).
    size_t repeats = 0;
    for (const auto& [name, value] : response.headers.fields()) {
      if (iequals(name, "Content-Type")) content_type = value;
      else if (out.headers().has(name)) out.headers().add(fmt::format("{}{}", kRepeatedFieldPrefix, ++repeats), name + ": " + value);
      else out.headers().add(name, value);
    }
    out.headers().add("X-Content-Type-Options", "nosniff");
    if (close) out.headers().add("Connection", "close");
    out.set_body(std::move(response.body), content_type);
    api.metrics().record(response.route, method, response.status,
                         std::chrono::duration<double>(Clock::now() - start).count());
    try {
      native.reply(out).then([](pplx::task<void> t) {
        try {
          t.get();
        } catch (...) {  // the client went away; nothing more to tell it
        }
      });
    } catch (const std::exception&) {  // already answered: the listener closed the connection on shutdown
    }
  }

  void reply_problem(const std::shared_ptr<PendingRequest>& p, int status, const std::string& detail, bool close) {
    HttpResponse r = make_problem(status, detail).response();
    if (status == 503) r.headers.set("Retry-After", "1");
    reply(p->native, std::move(r), p->request.method, p->start, close);
  }

  /// Opens cpprestsdk's listener on a free loopback port that only the guard talks to; returns
  /// the port. The port is picked by binding to 0 and closing, so another process may take it
  /// before the listener opens: a few tries. Errors: kUnavailable with the last failure.
  Result<int> open_listener() {
    std::string last_error;
    for (int attempt = 0; attempt < 5; ++attempt) {
      auto port = HttpGuard::free_port("127.0.0.1");
      if (!port) return port.status();
      try {
        auto l = std::make_unique<http::experimental::listener::http_listener>(
            web::uri(fmt::format("http://127.0.0.1:{}", *port)));
        std::weak_ptr<Impl> weak = weak_from_this();
        l->support([weak](http::http_request req) {
          if (auto self = weak.lock()) self->on_request(std::move(req));
          else req.reply(http::status_codes::ServiceUnavailable).then([](pplx::task<void> t) {
              try {
                t.get();
              } catch (...) {
              }
            });
        });
        // Waiting is fine here: start() runs on the caller's thread, not in a handler.
        l->open().wait();
        listener = std::move(l);
        return *port;
      } catch (const std::exception& e) {
        last_error = e.what();
      }
    }
    return Status::unavailable(fmt::format("cannot start the API listener on loopback: {}", last_error));
  }

  void on_request(http::http_request native) {
    auto start = Clock::now();
    // A body that ends in an error (client gone, body cut off) fails this task; observe it.
    native.content_ready().then([](pplx::task<http::http_request> t) {
      try {
        t.get();
      } catch (...) {
      }
    });
    auto p = std::make_shared<PendingRequest>();
    p->native = native;
    p->start = start;
    p->request.method = native.method();
    p->request.target = native.request_uri().to_string();
    for (const auto& [name, value] : native.headers()) p->request.headers.add(name, value);
    // The guard has asked the same before forwarding; asked again (it is cheap) for a local
    // process that connects to this loopback port directly, bypassing the guard.
    p->head = api.precheck(p->request);
    if (p->head.answer) {
      bool body = has_body(p->request);
      if (body) cut_body(native);
      HttpResponse early = std::move(*p->head.answer);
      early.route = p->head.route;
      reply(native, std::move(early), p->request.method, start, body);
      return;
    }
    if (auto cl = p->request.headers.get("Content-Length"))
      p->request.body.reserve(std::stoull(std::string(*cl)));  // precheck: digits, within the limit
    read_body(std::move(p));
  }

  /// Reads the body chunk by chunk, each read a continuation (never a wait), stopping at the limit.
  void read_body(std::shared_ptr<PendingRequest> p) {
    auto self = shared_from_this();
    auto buf = p->native.body().streambuf();
    buf.getn(p->chunk.data(), p->chunk.size()).then([self, p](pplx::task<size_t> t) {
      size_t n = 0;
      try {
        n = t.get();
      } catch (...) {
        self->reply_problem(p, 400, "the request body could not be read (connection closed or a malformed chunk)", true);
        return;
      }
      if (n == 0) {
        self->enqueue(p);
        return;
      }
      size_t limit = p->head.max_body_bytes;
      if (p->request.body.size() + n > limit) {
        cut_body(p->native);
        self->reply_problem(p, 413, fmt::format("the body is over {} bytes, the most accepted", limit), true);
        return;
      }
      p->request.body.append(reinterpret_cast<const char*>(p->chunk.data()), n);
      self->read_body(p);
    });
  }

  /// The 503 of a queued request that was not run: the server is stopping, or the request waited
  /// past its deadline.
  void refuse_unrun(const std::shared_ptr<PendingRequest>& p, JobFate fate) {
    if (fate == JobFate::kStopping) return reply_problem(p, 503, "the server is shutting down", true);
    reply_problem(p, 503, "the request waited longer than the deadline for the service", false);
  }

  /// Queues the complete request for the service thread.
  void enqueue(const std::shared_ptr<PendingRequest>& p) {
    p->chunk = {};
    if (past_deadline(p->start)) {
      reply_problem(p, 503, "the request took longer than the deadline to arrive", false);
      return;
    }
    auto self = shared_from_this();
    bool queued = false;
    // The work must start within the deadline of the request's arrival: a job still queued then is
    // answered 503 at that moment by the pool's timer (WorkerPool), not when a thread frees.
    auto deadline = p->start + std::chrono::milliseconds(api.config().request_timeout_ms);
    if (p->head.lane == Lane::kOps && ops_service.service) {
      queued = ops.post(
          [self, p](JobFate fate, size_t) {
            if (fate != JobFate::kRun) return self->refuse_unrun(p, fate);
            HttpResponse response = self->read(p->request, self->ops_service);
            self->reply(p->native, std::move(response), p->request.method, p->start, false);
          },
          deadline);
    } else if ((p->head.lane == Lane::kRead || p->head.lane == Lane::kOps) && !reader_services.empty()) {
      queued = readers.post(
          [self, p](JobFate fate, size_t worker) {
            if (fate != JobFate::kRun) return self->refuse_unrun(p, fate);
            HttpResponse response = self->read(p->request, self->reader_services[worker]);
            self->reply(p->native, std::move(response), p->request.method, p->start, false);
          },
          deadline);
    } else {
      queued = executor.post(
          [self, p](JobFate fate) {
            if (fate != JobFate::kRun) return self->refuse_unrun(p, fate);
            HttpResponse response = self->api.handle(p->request);
            self->write_generation.fetch_add(1);  // before the answer: a read after it sees the write
            self->reply(p->native, std::move(response), p->request.method, p->start, false);
          },
          deadline);
    }
    if (!queued) reply_problem(p, 503, "too many requests are waiting; retry shortly", false);
  }

  /// Runs a read on a reader's own service, its index handles moved to the latest commit first
  /// (Xapian's reopen: a look at each database's version file, a no-op when nothing was
  /// committed). A long write (an import) commits many times while it runs, so this is done
  /// before every read, not only after each write. A read that failed on the server's side
  /// (Xapian's DatabaseModifiedError or DocNotFoundError when the revision it read was
  /// overwritten by two later commits) is run again on the newest revision, twice at most.
  HttpResponse read(const HttpRequest& request, Reader& reader) {
    for (int attempt = 0;; ++attempt) {
      if (Status st = reader.service->refresh(); !st)
        log_event(LogLevel::kWarn, "index_reopen_failed", {{"error", st.to_string()}});
      reader.seen = write_generation.load();
      HttpResponse response = api.handle(request, *reader.service);
      if (response.status < 500 || response.status == 503 || attempt >= 2) return response;
    }
  }

  /// Opens the readers' services (read-only, each its own store connection and index handles).
  Status open_readers(const Service& service) {
    ServiceConfig sc = service.config();
    sc.read_only = true;
    for (size_t i = 0; i < readers.size(); ++i) {
      auto opened = Service::open(sc);
      if (!opened) return opened.status();
      reader_services.push_back(Reader{std::move(*opened), write_generation.load()});
    }
    auto opened = Service::open(sc);
    if (!opened) return opened.status();
    ops_service = Reader{std::move(*opened), write_generation.load()};
    return Status::ok();
  }
};

ApiServer::ApiServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

ApiServer::~ApiServer() { stop(); }

Result<std::unique_ptr<ApiServer>> ApiServer::start(Service& service, const ApiConfig& config,
                                                    std::shared_ptr<PageHandler> pages) {
  auto listen = parse_listen(config.listen);
  if (!listen) return listen.status();
  static std::once_flag pool_once;
  std::call_once(pool_once, [&] {
    try {
      crossplat::threadpool::initialize_with_threads(config.io_threads);
    } catch (const std::exception&) {  // already started by an earlier cpprest user: keep its size
    }
  });
  auto impl = std::make_shared<Impl>(service, config);
  const auto& [host, port] = *listen;
  impl->url = fmt::format("http://{}:{}", host.find(':') != std::string::npos ? "[" + host + "]" : host, port);
  if (pages) impl->api.set_pages(std::move(pages));
  impl->api.set_queue_depth_source(
      [exec = &impl->executor, pool = &impl->readers, ops = &impl->ops] {
        return exec->queued() + pool->queued() + ops->queued();
      });
  Status opened = impl->open_readers(service);
  if (opened) opened = impl->api.open_credential_service();
  if (Status st = opened; !st) {
    impl->executor.stop();
    impl->readers.stop();
    impl->ops.stop();
    return st;
  }
  auto upstream_port = impl->open_listener();
  if (!upstream_port) {
    impl->executor.stop();
    impl->readers.stop();
    impl->ops.stop();
    return upstream_port.status();
  }
  GuardLimits limits;
  limits.max_body_bytes = config.max_body_bytes;
  // The request-target may be up to max_target_bytes (longer ones get 414 from the API, not 431
  // here); headers take the rest.
  limits.max_header_bytes = config.max_target_bytes + 16 * 1024;
  limits.request_timeout = std::chrono::milliseconds(config.request_timeout_ms);
  limits.idle_timeout = std::chrono::milliseconds(std::max(config.request_timeout_ms, 1000));
  limits.threads = config.io_threads;
  limits.max_reads_per_client = config.max_reads_per_client;
  limits.max_writes_per_client = config.max_writes_per_client;
  limits.max_connections = config.max_connections;
  limits.max_connections_per_address = config.max_connections_per_address;
  Api* api = &impl->api;
  auto guard = HttpGuard::start(
      host, port, "127.0.0.1", *upstream_port, limits,
      [api](int status, const std::string& method, const std::string& route, double seconds) {
        api->metrics().record(route, method, status, seconds);
      },
      [api](const HttpRequest& head) {
        HeadCheck check = api->check_head(head);
        bool write = check.lane == Lane::kWrite;
        return HttpGuard::Verdict{std::move(check.answer), check.max_body_bytes, std::move(check.route),
                                  std::move(check.client), !write, write};
      });
  if (!guard) {
    impl->executor.stop();
    impl->readers.stop();
    impl->ops.stop();
    impl->listener->close().wait();
    return guard.status();  // "cannot listen on host:port: …"
  }
  impl->guard = std::move(*guard);
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(impl)));
}

void ApiServer::stop() {
  if (!impl_) return;
  std::call_once(impl_->stop_once, [this] {
    // No new connections; the running request finishes and queued ones are answered 503 by the
    // executor; the guard relays those answers (for up to 5 s) before its connections close.
    impl_->guard->stop_accepting();
    impl_->executor.stop();
    impl_->readers.stop();
    impl_->ops.stop();
    impl_->guard->drain(std::chrono::seconds(5));
    impl_->guard->stop();
    try {
      impl_->listener->close().wait();
    } catch (const std::exception& e) {
      log_event(LogLevel::kWarn, "listener_close_failed", {{"error", e.what()}});
    }
  });
}

const std::string& ApiServer::url() const { return impl_->url; }

}  // namespace jiebang::api
