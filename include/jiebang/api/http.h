// Transport-neutral HTTP messages: what the API's routing, auth and handlers see (no cpprest here).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace jiebang::api {

/// Header fields in order, names compared case-insensitively (RFC 9110 §5.1).
class Headers {
 public:
  /// Appends a field (a repeated name is kept as another field).
  void add(std::string name, std::string value);
  /// Replaces every field of this name with one field.
  void set(std::string name, std::string value);
  /// The first field of this name; nullopt when absent.
  std::optional<std::string_view> get(std::string_view name) const;
  /// Every field, in the order added: (name as given, value).
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

/// True when `a` and `b` are equal ignoring ASCII case.
bool iequals(std::string_view a, std::string_view b);

/// A complete request as received.
struct HttpRequest {
  std::string method;  ///< "GET", "POST", … as sent (methods are case-sensitive, RFC 9110 §9.1)
  std::string target;  ///< request-target in origin form, still percent-encoded: "/v1/scenarios?q=%E6%99%BA"
  Headers headers;
  std::string body;    ///< the body bytes, at most ApiConfig::max_body_bytes
};

/// A response to send.
struct HttpResponse {
  int status = 200;
  Headers headers;    ///< includes Content-Type when there is a body
  std::string body;
  /// The route pattern that produced the response ("/v1/scenarios/{id}"), or "unmatched": the
  /// label under which metrics count it. Not sent.
  std::string route = "unmatched";

  /// `status` with `body` serialised as application/json (UTF-8).
  static HttpResponse json(int status, const nlohmann::json& body);
  /// `status` with a body of the given media type.
  static HttpResponse text(int status, std::string content_type, std::string body);
};

}  // namespace jiebang::api
