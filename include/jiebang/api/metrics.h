// Request counters and latency histograms of the web API, rendered in the Prometheus text
// exposition format (version 0.0.4).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace jiebang::api {

/// Counts requests by (route, method, status) and their latency by route. Thread-safe (one mutex;
/// recording is a few map operations per request).
class Metrics {
 public:
  /// Upper bounds of the latency buckets; unit: seconds.
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1,    2.5,   10};

  /// Records one answered request. `route` is the matched pattern or "unmatched" (a closed set:
  /// the route table's patterns); `method` is folded by method_label; `seconds`
  /// runs from the request's headers being read to its response being handed to the transport.
  void record(const std::string& route, const std::string& method, int status, double seconds);

  /// The samples gathered so far, as Prometheus text: jiebang_http_requests_total{route,method,status}
  /// (counter) and jiebang_http_request_duration_seconds{route} (histogram).
  std::string render() const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};  // non-cumulative here; cumulated when rendered
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
};

/// The closed set of method labels: the method itself when it is one of RFC 9110's (GET, HEAD,
/// POST, PUT, DELETE, CONNECT, OPTIONS, TRACE) or PATCH (RFC 5789), else "other". Also what the
/// API echoes of a method in its messages.
std::string_view method_label(std::string_view method);

/// Escapes a Prometheus label value (backslash, double quote, newline).
std::string prometheus_label(const std::string& value);

}  // namespace jiebang::api
