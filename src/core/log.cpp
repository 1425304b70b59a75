// The process log on spdlog (see jiebang/core/log.h).
#include "jiebang/core/log.h"

#include <cstdlib>
#include <memory>
#include <optional>
#include <random>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace jiebang {
namespace {

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarn: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::optional<spdlog::level::level_enum> parse_level(std::string_view name) {
  if (name == "debug") return spdlog::level::debug;
  if (name == "info") return spdlog::level::info;
  if (name == "warn") return spdlog::level::warn;
  if (name == "error") return spdlog::level::err;
  if (name == "off") return spdlog::level::off;
  return std::nullopt;
}

spdlog::logger& logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto l = std::make_shared<spdlog::logger>("jiebang", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    // UTC timestamps with milliseconds, the level, then the logfmt fields.
    l->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    l->set_level(spdlog::level::info);
    // stderr is unbuffered, but a line per request must not wait: flush each.
    l->flush_on(spdlog::level::debug);
    return l;
  }();
  return *instance;
}

/// The request id of the request this thread is handling (LogRequestScope), else empty.
thread_local std::string current_request_id;

}  // namespace

std::string logfmt_value(std::string_view value) {
  bool plain = !value.empty();
  for (unsigned char c : value)
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) plain = false;
  if (plain) return std::string(value);
  std::string out = "\"";
  for (unsigned char c : value) {
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c < ' ' || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  return out + "\"";
}

void log_event(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  try {
    auto& l = logger();
    if (!l.should_log(to_spdlog(level))) return;
    std::string line = "event=" + logfmt_value(event);
    bool named = false;
    for (const auto& field : fields) named = named || field.first == "request_id";
    if (!named && !current_request_id.empty()) line += " request_id=" + current_request_id;
    for (const auto& [key, value] : fields) {
      line += ' ';
      line += key;
      line += '=';
      line += logfmt_value(value);
    }
    l.log(to_spdlog(level), line);
  } catch (...) {  // logging never fails a request
  }
}

bool log_enabled(LogLevel level) { return logger().should_log(to_spdlog(level)); }

Status set_log_level(std::string_view name) {
  auto level = parse_level(name);
  if (!level)
    return Status::invalid_argument(
        fmt::format("log level \"{}\" is not one of debug, info, warn, error, off", std::string(name.substr(0, 40))));
  logger().set_level(*level);
  return Status::ok();
}

bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdChars) return false;
  for (char c : id)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

std::string request_id_for(std::string_view sent) {
  if (sane_request_id(sent)) return std::string(sent);
  thread_local std::mt19937_64 random{std::random_device{}()};
  return fmt::format("{:016x}", random());
}

LogRequestScope::LogRequestScope(std::string_view request_id) {
  if (!sane_request_id(request_id)) return;
  previous_ = std::move(current_request_id);
  current_request_id = std::string(request_id);
  set_ = true;
}

LogRequestScope::~LogRequestScope() {
  if (set_) current_request_id = std::move(previous_);
}

}  // namespace jiebang
