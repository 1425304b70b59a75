// Internal: Idempotency-Key on POST, as payment APIs do — the first answer to a key is kept and a
// retry with the same key gets it again instead of doing the work twice.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "jiebang/api/http.h"
#include "jiebang/core/status.h"

namespace jiebang::api {

/// The answers given to POST requests that carried an `Idempotency-Key` header, kept in SQLite
/// (<data_dir>/idempotency.sqlite3, its own file: the store's schema is not touched) per caller
/// and key, with a SHA-256 fingerprint of the request (method, target, Content-Type, body) so
/// that a key reused for another request is refused. Kept for `ttl` (default 24 h) after the
/// first answer. Not thread-safe: the API's write lane (one thread) uses it.
///
/// Semantics (after the IETF httpapi draft "The Idempotency-Key HTTP Header Field"):
/// - a key is 1–255 visible ASCII characters (else 400);
/// - the same caller, key and request again → the stored answer, with `Idempotent-Replayed: true`;
/// - the same caller and key with another request → 422 (problem+json);
/// - answers of 5xx are not kept (the retry runs again), every other answer is;
/// - one caller's kept answers take at most `max_bytes_per_caller` (body and headers; default
///   32 MiB): keeping a new one first drops that caller's oldest until it fits, and an answer
///   larger than the whole quota is not kept (its retry runs again). So a key's answers cannot
///   fill the disk (a 110 KB import of bad lines keeps a 1.3 MB answer).
/// A crash between the work's commit and the answer's is the one gap: the retry then runs
/// again (and meets the work's own conflict rule, e.g. 409 for an existing id).
class IdempotencyStore {
 public:
  /// Opens (creating) the file. Errors: kUnavailable.
  static Result<std::unique_ptr<IdempotencyStore>> open(const std::string& path,
                                                        std::chrono::seconds ttl = std::chrono::hours(24),
                                                        int64_t max_bytes_per_caller = kDefaultBytesPerCaller);
  /// The default quota of kept answers per caller; unit: bytes.
  static constexpr int64_t kDefaultBytesPerCaller = int64_t{32} << 20;
  ~IdempotencyStore();
  IdempotencyStore(const IdempotencyStore&) = delete;
  IdempotencyStore& operator=(const IdempotencyStore&) = delete;

  /// Runs `work` unless (caller, key) has an answer: then returns that answer (or 422 when the
  /// fingerprint differs) without running it. Keeps work's answer unless it is a 5xx. A failure
  /// of the file itself is logged and the work runs unprotected (never worse than no key).
  HttpResponse run(const std::string& caller, const std::string& key, const HttpRequest& request,
                   const std::function<HttpResponse()>& work);

  /// True when `key` is a well-formed Idempotency-Key value (1–255 characters 0x21–0x7E).
  static bool well_formed(std::string_view key);

 private:
  struct Impl;
  explicit IdempotencyStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace jiebang::api
