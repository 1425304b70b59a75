// Status and Result tests: codes, names, messages.
#include <gtest/gtest.h>

#include <string>

#include "jiebang/core/status.h"

namespace jiebang {
namespace {

TEST(Status, DefaultIsOk) {
  Status st;
  EXPECT_TRUE(st.is_ok());
  EXPECT_TRUE(static_cast<bool>(st));
  EXPECT_EQ(st.code(), ErrorCode::kOk);
  EXPECT_EQ(st.to_string(), "ok");
}

TEST(Status, ErrorCarriesCodeNameAndMessage) {
  Status st = Status::invalid_argument("line 3: title: is required");
  EXPECT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(st.to_string(), "invalid_argument: line 3: title: is required");
  EXPECT_EQ(Status::conflict("x").to_string(), "conflict: x");
  EXPECT_EQ(Status::not_found("x").code(), ErrorCode::kNotFound);
  EXPECT_EQ(Status::unavailable("x").code(), ErrorCode::kUnavailable);
  EXPECT_EQ(Status::internal("x").code(), ErrorCode::kInternal);
}

TEST(Status, AFieldErrorCarriesItsFieldAsAMember) {
  Status st = Status::invalid_field("region", "\"99\" is not a GB/T 2260 code");
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(st.field(), "region");
  EXPECT_EQ(st.message(), "region: \"99\" is not a GB/T 2260 code");
  Status conflict(ErrorCode::kConflict, "id", "scenario \"s1\" belongs to another publisher");
  EXPECT_EQ(conflict.field(), "id");
  EXPECT_EQ(conflict.to_string(), "conflict: id: scenario \"s1\" belongs to another publisher");
  // A message that merely starts "word: " names no field; neither does ok.
  EXPECT_EQ(Status::invalid_argument("line 3: title: is required").field(), "");
  EXPECT_EQ(Status::ok().field(), "");
  // Result<T> keeps it.
  Result<int> r = Status::invalid_field("limit", "too big");
  EXPECT_EQ(r.status().field(), "limit");
}

TEST(ErrorCodeName, EveryCodeHasAStableName) {
  EXPECT_EQ(error_code_name(ErrorCode::kOk), "ok");
  EXPECT_EQ(error_code_name(ErrorCode::kInvalidArgument), "invalid_argument");
  EXPECT_EQ(error_code_name(ErrorCode::kNotFound), "not_found");
  EXPECT_EQ(error_code_name(ErrorCode::kConflict), "conflict");
  EXPECT_EQ(error_code_name(ErrorCode::kUnauthenticated), "unauthenticated");
  EXPECT_EQ(error_code_name(ErrorCode::kPermissionDenied), "permission_denied");
  EXPECT_EQ(error_code_name(ErrorCode::kUnavailable), "unavailable");
  EXPECT_EQ(error_code_name(ErrorCode::kInternal), "internal");
}

TEST(Result, HoldsValueOrStatus) {
  Result<int> ok(42);
  ASSERT_TRUE(ok.is_ok());
  EXPECT_EQ(*ok, 42);
  EXPECT_TRUE(ok.status().is_ok());
  Result<int> err(Status::not_found("no scenario with id \"x\""));
  EXPECT_FALSE(err.is_ok());
  EXPECT_EQ(err.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(err.status().message(), "no scenario with id \"x\"");
}

}  // namespace
}  // namespace jiebang
