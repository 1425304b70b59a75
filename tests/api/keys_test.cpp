// API keys in the Service and the store (migration v3): created once, stored hashed, scoped,
// revoked, and refused when malformed.
#include <gtest/gtest.h>

#include <vector>

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
  EXPECT_EQ(after.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(after.status().message().find("revoked"), std::string::npos);
  std::string unknown = made->secret;
  unknown.back() = unknown.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(svc->authenticate(unknown).status().code(), ErrorCode::kPermissionDenied);
  for (const std::string& bad : std::vector<std::string>{"", "jb_", "jb_short", "Bearer x", std::string(46, 'x'),
                                                           "jb_" + std::string(43, '!')})
    EXPECT_EQ(svc->authenticate(bad).status().code(), ErrorCode::kPermissionDenied) << bad;
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

}  // namespace
}  // namespace jiebang::testing
