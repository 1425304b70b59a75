// Domain error codes and the result type every module returns (no HTTP numbers in the core).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace jiebang {

/// What kind of failure a Status carries. Modelled on RocksDB's Status::Code; the API module
/// maps these to HTTP statuses in one place.
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,   ///< the caller's input is wrong (a field, a line, a value)
  kNotFound,          ///< the named record does not exist
  kConflict,          ///< the write clashes with the stored state (e.g. id owned by another publisher)
  kUnauthenticated,   ///< who the caller is is not known: no, a malformed, unknown, revoked or expired credential
  kPermissionDenied,  ///< the caller is known and may not do this (not its record, not its role)
  kUnavailable,       ///< a resource is busy or unreachable (locked database, full disk)
  kInternal,          ///< a bug or an unexpected library failure
};

/// Short English name of a code ("invalid_argument", …), stable for logs and JSON.
std::string_view error_code_name(ErrorCode code);

/// Success, or an error code with a message that says what was wrong and where. An error about
/// one named field of the caller's input (a record's key, a query parameter, a header) carries
/// that field's name as a member, set where the error is raised: the API puts it in the
/// problem's "field" and the web pages show the message under that field. Nothing parses it back
/// out of the message.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  /// An error about input field `field` (e.g. "region", "stage", "Idempotency-Key"): message()
  /// is "<field>: <reason>" (the form every such message has always had), field() is `field`.
  Status(ErrorCode code, std::string field, std::string_view reason)
      : code_(code), message_(field + ": " + std::string(reason)), field_(std::move(field)) {}

  static Status ok() { return {}; }
  static Status invalid_argument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
  static Status not_found(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Status conflict(std::string m) { return {ErrorCode::kConflict, std::move(m)}; }
  static Status unauthenticated(std::string m) { return {ErrorCode::kUnauthenticated, std::move(m)}; }
  static Status permission_denied(std::string m) { return {ErrorCode::kPermissionDenied, std::move(m)}; }
  static Status unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Status internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
  /// kInvalidArgument about input field `field`; see the three-argument constructor.
  static Status invalid_field(std::string field, std::string_view reason) {
    return {ErrorCode::kInvalidArgument, std::move(field), reason};
  }

  bool is_ok() const { return code_ == ErrorCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  /// The input field the error is about; "" when it is about no single field (or is ok).
  const std::string& field() const { return field_; }
  /// "invalid_argument: <message>"
  std::string to_string() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  std::string field_;
};

/// A value or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}     // NOLINT(google-explicit-constructor)

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return is_ok(); }
  /// The value; only valid when is_ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  /// The error; Status::ok() when there is a value.
  Status status() const { return is_ok() ? Status::ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace jiebang
