// The process's leveled, structured log: one logfmt line per event on stderr (spdlog underneath),
// `2026-12-06T14:00:00.123Z info event=request request_id=… key=value …`.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "jiebang/core/status.h"

namespace jiebang {

/// The levels of the log, lowest first.
enum class LogLevel { kDebug, kInfo, kWarn, kError };

/// One field of a log line: key (a bare word, never from a client) and value (any bytes; quoted and
/// escaped as logfmt_value says).
using LogField = std::pair<std::string_view, std::string_view>;

/// Writes `event` with its fields at `level` when the level is enabled (default info; set_log_level
/// changes it — `jiebang serve` sets it from serve.log_level, i.e. --log-level, JIEBANG_SERVE_LOG_LEVEL
/// or the configuration file).
/// Never pass a secret (Authorization, Cookie, an API key, a session token) as a value.
/// Thread-safe; never throws (a failure to log is dropped: logging never fails a request).
void log_event(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});

/// True when lines of `level` are written (to skip building fields for nothing). Thread-safe.
bool log_enabled(LogLevel level);

/// Sets the level by name: debug, info, warn, error, off. Errors: kInvalidArgument naming the value
/// and the accepted names. Thread-safe.
Status set_log_level(std::string_view name);

/// A logfmt value (the key=value format of Heroku's logfmt / Go's log/slog TextHandler): as it is
/// when non-empty with no space, '"', '=', '\\' or control byte; else in double quotes with \" \\ \n
/// \t and \xNN escapes. So a path, request id or message from a client can never start a new line
/// or forge a field. Bytes ≥ 0x80 are kept as they are (UTF-8 text stays readable).
std::string logfmt_value(std::string_view value);

/// The longest request id accepted from a client; unit: characters.
inline constexpr size_t kMaxRequestIdChars = 64;

/// True when `id` may be echoed and logged as a request id: 1 to kMaxRequestIdChars characters of
/// [A-Za-z0-9._-].
bool sane_request_id(std::string_view id);

/// The request id for a request whose client sent `sent` (its X-Request-Id, empty when none):
/// `sent` itself when sane_request_id, else a new one of 16 random lowercase hex digits.
/// Thread-safe.
std::string request_id_for(std::string_view sent);

/// While alive, every line this thread logs carries `request_id=<id>` (unless the line names one
/// itself), so what a handler logs deep down can be found from the request's line. Scopes nest: the
/// previous id is restored on destruction. An id that is not sane_request_id is not used (the
/// scope then changes nothing). Not movable; lives on one thread.
class LogRequestScope {
 public:
  explicit LogRequestScope(std::string_view request_id);
  ~LogRequestScope();
  LogRequestScope(const LogRequestScope&) = delete;
  LogRequestScope& operator=(const LogRequestScope&) = delete;

 private:
  std::string previous_;
  bool set_ = false;
};

}  // namespace jiebang
