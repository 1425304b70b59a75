// API keys in the Service and the store (migration v3): created once, stored hashed, scoped,
// revoked, and refused when malformed.
#include <gtest/gtest.h>

#include <vector>

#include "jiebang/api/api.h"
#include "jiebang/api/http.h"
#include "jiebang/service/service.h"
#include "test_util.h"

namespace jiebang::testing {
namespace {

std::unique_ptr<Service> open_service(const TempDir& dir) {
  ServiceConfig c;
  c.data_dir = dir.file("data");
  c.index_dir = index_dir();
  c.clock = fixtures_clock();
  auto s = Service::open(c);
  if (!s) throw std::runtime_error(s.status().to_string());
  return std::move(*s);
}

TEST(ApiKeys, CreatedKeyAuthenticatesWithItsRoleAndScope) {
  TempDir dir;
  auto svc = open_service(dir);
  auto made = svc->create_key(Role::kPublisher, "杭州市数据资源管理局");
  ASSERT_TRUE(made) << made.status().to_string();
  EXPECT_TRUE(made->secret.starts_with("jb_"));
  EXPECT_EQ(made->secret.size(), 46u);
  EXPECT_EQ(made->key.created_at, "2026-11-29T04:00:00Z");  // from the injected clock
  auto who = svc->authenticate(made->secret);
  ASSERT_TRUE(who) << who.status().to_string();
  EXPECT_EQ(who->role, Role::kPublisher);
  EXPECT_EQ(who->scope, "杭州市数据资源管理局");
  EXPECT_EQ(who->id, made->key.id);
  auto other = svc->create_key(Role::kPublisher, "杭州市数据资源管理局");
  ASSERT_TRUE(other);
  EXPECT_NE(other->secret, made->secret);
  // Only the hash is kept: the key text is nowhere in the store file.
  svc.reset();
  EXPECT_EQ(read_file(dir.file("data/jiebang.sqlite3")).find(made->secret), std::string::npos);
}

TEST(ApiKeys, RevokedUnknownAndMalformedKeysAreRefused) {
  TempDir dir;
  auto svc = open_service(dir);
  auto made = svc->create_key(Role::kOperator, "");
  ASSERT_TRUE(made);
  auto revoked = svc->revoke_key(made->key.id);
  ASSERT_TRUE(revoked);
  EXPECT_FALSE(revoked->revoked_at.empty());
  auto after = svc->authenticate(made->secret);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_NE(after.status().message().find("revoked"), std::string::npos);
  std::string unknown = made->secret;
  unknown.back() = unknown.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(svc->authenticate(unknown).status().code(), ErrorCode::kUnauthenticated);
  for (const std::string& bad : std::vector<std::string>{"", "jb_", "jb_short", "Bearer x", std::string(46, 'x'),
                                                           "jb_" + std::string(43, '!')})
    EXPECT_EQ(svc->authenticate(bad).status().code(), ErrorCode::kUnauthenticated) << bad;
  EXPECT_EQ(svc->revoke_key(9999).status().code(), ErrorCode::kNotFound);
  auto list = svc->list_keys();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_FALSE((*list)[0].revoked_at.empty());
}

TEST(ApiKeys, ScopeMustFitTheRole) {
  TempDir dir;
  auto svc = open_service(dir);
  EXPECT_EQ(svc->create_key(Role::kPublisher, "").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(svc->create_key(Role::kEnterprise, "").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(svc->create_key(Role::kOperator, "someone").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(svc->create_key(Role::kPublisher, "bad\nname").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(svc->create_key(Role::kPublisher, std::string(201, 'a')).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(svc->create_key(Role::kEnterprise, "91330108MA2M95UY1P"));  // need not be stored yet
}

// Who the caller is (kUnauthenticated: a session malformed, unknown, ended, expired or whose key
// was revoked) is a code apart from what it may do (kPermissionDenied).
TEST(ApiKeys, SessionProblemsAreUnauthenticated) {
  TempDir dir;
  auto svc = open_service(dir);
  auto made = svc->create_key(Role::kOperator, "");
  ASSERT_TRUE(made);
  EXPECT_EQ(svc->open_session("jb_nonsense", std::chrono::hours(1)).status().code(), ErrorCode::kUnauthenticated);
  auto session = svc->open_session(made->secret, std::chrono::seconds(0));  // expires at once
  ASSERT_TRUE(session) << session.status().to_string();
  auto expired = svc->session(session->token);
  EXPECT_EQ(expired.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_NE(expired.status().message().find("expired"), std::string::npos) << expired.status().message();
  auto live = svc->open_session(made->secret, std::chrono::hours(1));
  ASSERT_TRUE(live);
  EXPECT_TRUE(svc->session(live->token));
  std::string unknown = live->token;
  unknown.back() = unknown.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(svc->session(unknown).status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(svc->session("js_short").status().code(), ErrorCode::kUnauthenticated);
  ASSERT_TRUE(svc->revoke_key(made->key.id));
  EXPECT_EQ(svc->session(live->token).status().code(), ErrorCode::kUnauthenticated);  // the key's sessions end with it
}

// The API answers "who are you" with 401 and a WWW-Authenticate challenge, and "not yours" with
// 403, also for a credential check that knows the caller but bars it (before, every
// kPermissionDenied of a credential check was a 401).
TEST(ApiKeys, UnauthenticatedIs401AndPermissionDeniedIs403) {
  TempDir dir;
  auto svc = open_service(dir);
  auto made = svc->create_key(Role::kOperator, "");
  ASSERT_TRUE(made);
  api::Api api(*svc, api::ApiConfig{});
  api.add_credential_check([](const api::HttpRequest& head, const Service&) -> std::optional<Result<api::Caller>> {
    auto who = head.headers.get("X-Test-Client");
    if (!who) return std::nullopt;
    if (*who == "barred") return Result<api::Caller>(Status::permission_denied("client \"barred\" is barred"));
    return Result<api::Caller>(Status::unauthenticated("unknown client certificate"));
  });
  auto get = [&](const std::string& header, const std::string& value) {
    api::HttpRequest r;
    r.method = "GET";
    r.target = "/v1/matches";
    if (!header.empty()) r.headers.set(header, value);
    return api.handle(r);
  };
  auto ok = get("Authorization", "Bearer " + made->secret);
  EXPECT_EQ(ok.status, 200) << ok.body;
  auto none = get("", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_TRUE(none.headers.get("WWW-Authenticate")) << none.body;
  auto unknown_client = get("X-Test-Client", "stranger");
  EXPECT_EQ(unknown_client.status, 401) << unknown_client.body;
  EXPECT_NE(unknown_client.headers.get("WWW-Authenticate").value_or("").find("invalid_token"), std::string::npos);
  auto barred = get("X-Test-Client", "barred");
  EXPECT_EQ(barred.status, 403) << barred.body;
  EXPECT_NE(barred.body.find("urn:jiebang:problem:permission-denied"), std::string::npos) << barred.body;
  ASSERT_TRUE(svc->revoke_key(made->key.id));
  auto revoked = get("Authorization", "Bearer " + made->secret);
  EXPECT_EQ(revoked.status, 401) << revoked.body;
  EXPECT_NE(revoked.body.find("urn:jiebang:problem:unauthenticated"), std::string::npos) << revoked.body;
}

}  // namespace
}  // namespace jiebang::testing
