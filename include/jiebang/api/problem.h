// Errors on the wire: RFC 9457 problem details (application/problem+json), and the one mapping
// from the core's ErrorCode to HTTP status codes.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "jiebang/api/http.h"
#include "jiebang/core/records.h"
#include "jiebang/core/status.h"

namespace jiebang::api {

/// The HTTP status for a domain error code (RFC 9110 §15): kInvalidArgument 400, kNotFound 404,
/// kConflict 409, kUnauthenticated 401, kPermissionDenied 403, kUnavailable 503, kInternal 500 (and kOk 200).
/// The only place where domain codes become HTTP numbers.
int http_status(ErrorCode code);

/// A problem detail object (RFC 9457 §3). Serialised with "type", "title", "status", "detail",
/// "field" when there is an offending field, "errors" ([{field, message}]) when a validation
/// found several, and any extension members.
struct Problem {
  int status = 500;
  std::string type;    ///< a URI naming the problem type ("urn:jiebang:problem:not-found"); "" = from status
  std::string title;   ///< short, the same for every occurrence of the type; "" = from status
  std::string detail;  ///< what was wrong in this request, naming the value
  std::string field;   ///< the offending request field ("title", "budget.amount_min", "limit"), or ""
  std::vector<FieldError> errors;  ///< every invalid field of a validation, in order
  nlohmann::json extensions = nlohmann::json::object();  ///< extra members (e.g. "allowed_next")

  nlohmann::json to_json() const;
  /// The response: `status`, Content-Type application/problem+json, the JSON body.
  HttpResponse response() const;
};

/// A problem for an HTTP-level status (401, 404, 405, 408, 413, 414, 415, 503, …) with its
/// standard title and a type derived from it.
Problem make_problem(int status, std::string detail, std::string field = "");

/// The problem for a failed Status: status from http_status(), the message as detail, and the
/// Status's field() (set where the error was raised; never read back from the message). kInternal
/// messages are replaced by a generic detail (they may name files); the caller logs the original.
Problem problem_from_status(const Status& status);

/// A validation failure: 400, every field error listed, the first one as "field".
Problem validation_problem(const std::vector<FieldError>& errors);

}  // namespace jiebang::api
