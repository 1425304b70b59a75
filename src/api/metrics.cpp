// Prometheus text exposition of request counts and latency histograms.
#include "jiebang/api/metrics.h"

#include <fmt/format.h>

namespace jiebang::api {

namespace {

/// The methods RFC 9110 §9 defines, and PATCH (RFC 5789).
constexpr std::string_view kKnownMethods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE",
                                              "PATCH"};

}  // namespace

std::string_view method_label(std::string_view method) {
  for (auto m : kKnownMethods)
    if (m == method) return m;
  return "other";
}

std::string prometheus_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void Metrics::record(const std::string& route, const std::string& method, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{route, std::string(method_label(method)), status}];
  Histogram& h = latency_[route];
  size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  if (i < kBuckets.size()) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  out += "# HELP jiebang_http_requests_total HTTP requests answered, by route pattern, method and status.\n";
  out += "# TYPE jiebang_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [route, method, status] = key;
    out += fmt::format("jiebang_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                       prometheus_label(route), prometheus_label(method), status, n);
  }
  out += "# HELP jiebang_http_request_duration_seconds Time from request headers to response, by route pattern.\n";
  out += "# TYPE jiebang_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    std::string label = prometheus_label(route);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.buckets[i];
      out += fmt::format("jiebang_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", label,
                         kBuckets[i], cumulative);
    }
    out += fmt::format("jiebang_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", label, h.count);
    out += fmt::format("jiebang_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", label, h.sum);
    out += fmt::format("jiebang_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", label, h.count);
  }
  return out;
}

}  // namespace jiebang::api
