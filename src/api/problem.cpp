// RFC 9457 problem details and the ErrorCode → HTTP status mapping.
#include "jiebang/api/problem.h"

#include <fmt/format.h>

namespace jiebang::api {
namespace {

struct StatusInfo {
  int status;
  const char* slug;   // the problem type's name
  const char* title;  // RFC 9110 §15 reason phrase
};

constexpr StatusInfo kStatuses[] = {
    {400, "invalid-argument", "Bad Request"},
    {401, "unauthenticated", "Unauthorized"},
    {403, "permission-denied", "Forbidden"},
    {404, "not-found", "Not Found"},
    {405, "method-not-allowed", "Method Not Allowed"},
    {408, "request-timeout", "Request Timeout"},
    {409, "conflict", "Conflict"},
    {413, "content-too-large", "Content Too Large"},
    {414, "uri-too-long", "URI Too Long"},
    {415, "unsupported-media-type", "Unsupported Media Type"},
    {422, "unprocessable-content", "Unprocessable Content"},
    {429, "too-many-requests", "Too Many Requests"},
    {431, "request-header-fields-too-large", "Request Header Fields Too Large"},
    {500, "internal", "Internal Server Error"},
    {501, "not-implemented", "Not Implemented"},
    {502, "bad-gateway", "Bad Gateway"},
    {503, "unavailable", "Service Unavailable"},
};

const StatusInfo* info(int status) {
  for (const auto& s : kStatuses)
    if (s.status == status) return &s;
  return nullptr;
}

}  // namespace

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return 200;
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

nlohmann::json Problem::to_json() const {
  const StatusInfo* si = info(status);
  nlohmann::json j = extensions.is_object() ? extensions : nlohmann::json::object();
  j["type"] = !type.empty() ? type : si ? fmt::format("urn:jiebang:problem:{}", si->slug) : "about:blank";
  j["title"] = !title.empty() ? title : si ? si->title : fmt::format("HTTP {}", status);
  j["status"] = status;
  j["detail"] = detail;
  if (!field.empty()) j["field"] = field;
  if (!errors.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& e : errors) list.push_back({{"field", e.key}, {"message", e.message}});
    j["errors"] = std::move(list);
  }
  return j;
}

HttpResponse Problem::response() const {
  HttpResponse r = HttpResponse::json(status, to_json());
  r.headers.set("Content-Type", "application/problem+json");
  return r;
}

Problem make_problem(int status, std::string detail, std::string field) {
  Problem p;
  p.status = status;
  p.detail = std::move(detail);
  p.field = std::move(field);
  return p;
}

Problem problem_from_status(const Status& st) {
  Problem p;
  p.status = http_status(st.code());
  if (st.code() == ErrorCode::kInternal) {
    p.detail = "internal error; the server log has the details";
    return p;
  }
  p.detail = st.message();
  p.field = st.field();
  return p;
}

Problem validation_problem(const std::vector<FieldError>& errors) {
  Problem p;
  p.status = 400;
  p.title = "Invalid record";
  p.type = "urn:jiebang:problem:validation";
  p.errors = errors;
  if (!errors.empty()) p.field = errors.front().key;
  p.detail = errors.size() == 1 ? fmt::format("{}: {}", errors[0].key, errors[0].message)
                                : fmt::format("{} fields are invalid: {}", errors.size(), format_field_errors(errors));
  return p;
}

}  // namespace jiebang::api
