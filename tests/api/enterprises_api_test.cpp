// Black-box tests of /v1/enterprises over HTTP: who may read and write a profile, private fields,
// and scenarios ranked for an enterprise.
#include <gtest/gtest.h>

#include "api_test_util.h"

namespace jiebang::testing {
namespace {

using nlohmann::json;

class EnterprisesApi : public SharedServerTest<EnterprisesApi> {
 protected:
  static std::string path(const std::string& id) { return "/v1/enterprises/" + url_encode(id); }

  /// The enterprise's own profile with private fields set (PUT by the enterprise itself).
  static json own_profile() {
    json p = http().get(path(env().enterprise_id), env().operator_key).json();
    p["contact"] = {{"name", "张经理"}, {"phone", "0571-00000000"}};
    p["size"] = {{"employees", 120}, {"revenue_band", "5000万-1亿"}};
    return p;
  }

};


TEST_F(EnterprisesApi, EnterpriseKeepsItsOwnProfileWithPrivateFields) {
  auto put = http().put(path(env().enterprise_id), env().enterprise_key, own_profile());
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json()["contact"]["name"], "张经理");
  auto own = http().get(path(env().enterprise_id), env().enterprise_key);
  ASSERT_EQ(own.status, 200);
  EXPECT_TRUE(own.json().contains("contact"));
  EXPECT_TRUE(own.json().contains("size"));
  auto op = http().get(path(env().enterprise_id), env().operator_key);
  EXPECT_TRUE(op.json().contains("contact"));
}

TEST_F(EnterprisesApi, PrivateFieldsAreHiddenFromAPublisher) {
  ASSERT_EQ(http().put(path(env().enterprise_id), env().operator_key, own_profile()).status, 200);
  auto r = http().get(path(env().enterprise_id), env().publisher_key);
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.json();
  EXPECT_FALSE(j.contains("contact")) << j.dump();
  EXPECT_FALSE(j.contains("size")) << j.dump();
  EXPECT_TRUE(j.contains("name"));
}

TEST_F(EnterprisesApi, AnotherEnterprisesProfileIs403) {
  EXPECT_EQ(http().get(path(env().enterprise_id), env().other_enterprise_key).status, 403);
  auto put = http().put(path(env().enterprise_id), env().other_enterprise_key, own_profile());
  EXPECT_EQ(put.status, 403);
  EXPECT_EQ(put.header("content-type"), "application/problem+json");
  EXPECT_EQ(http().put(path(env().enterprise_id), env().publisher_key, own_profile()).status, 403);
  EXPECT_EQ(http().get(path(env().enterprise_id) + "/matches", env().other_enterprise_key).status, 403);
  EXPECT_EQ(http().get(path(env().enterprise_id) + "/matches", env().publisher_key).status, 403);
}

TEST_F(EnterprisesApi, PostCreatesAProfileOnceAndOnlyForItself) {
  json profile = {{"id", "api-ent-new-1"}, {"name", "杭州某某智能科技有限公司"}, {"description", "工业视觉检测"}};
  auto created = http().post("/v1/enterprises", env().operator_key, profile);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("location"), "/v1/enterprises/api-ent-new-1");
  EXPECT_EQ(http().post("/v1/enterprises", env().operator_key, profile).status, 409);
  profile["id"] = "api-ent-new-2";
  EXPECT_EQ(http().post("/v1/enterprises", env().enterprise_key, profile).status, 403);
  EXPECT_EQ(http().post("/v1/enterprises", env().publisher_key, profile).status, 403);
  auto invalid = http().post("/v1/enterprises", env().operator_key, json{{"id", "api-ent-new-3"}, {"trl", "high"}});
  ASSERT_EQ(invalid.status, 400);
  EXPECT_GE(invalid.json()["errors"].size(), 2u) << invalid.body;  // name missing, trl not an integer
}

TEST_F(EnterprisesApi, PutWithAnotherIdInTheBodyIs400) {
  json p = own_profile();
  p["id"] = "someone-else";
  auto r = http().put(path(env().enterprise_id), env().enterprise_key, p);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["field"], "id");
}

TEST_F(EnterprisesApi, ScenariosRankedForTheEnterpriseItselfAndTheOperator) {
  auto r = http().get(path(env().enterprise_id) + "/matches?limit=3", env().enterprise_key);
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.json();
  EXPECT_EQ(j["enterprise_id"], env().enterprise_id);
  ASSERT_FALSE(j["results"].empty());
  EXPECT_LE(j["results"].size(), 3u);
  EXPECT_TRUE(j["results"][0].contains("components"));
  EXPECT_EQ(http().get(path(env().enterprise_id) + "/matches", env().operator_key).status, 200);
  EXPECT_EQ(http().get(path("no-such-enterprise") + "/matches", env().operator_key).status, 404);
}

}  // namespace
}  // namespace jiebang::testing
