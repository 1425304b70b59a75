// Black-box tests of the weekly digest over HTTP: the run summary for the operator, a recipient's
// digest for that recipient or the operator, and refusals for everyone else.
#include <gtest/gtest.h>

#include "api_test_util.h"

namespace jiebang::testing {
namespace {

using nlohmann::json;

class DigestsApi : public SharedServerTest<DigestsApi> {
 public:
  /// The digest of 2026-W48 is run before the server starts (the service is then the server's).
  static void prepare(Service& svc) {
    auto r = svc.run_digest(*IsoWeek::parse("2026-W48"), {}, svc.config().data_dir + "/digests");
    if (!r) throw std::runtime_error(r.status().to_string());
    summary_ = *r;
  }

 protected:
  inline static DigestSummary summary_;
};

TEST_F(DigestsApi, OperatorReadsTheRunSummary) {
  auto r = http().get("/v1/digests/2026-W48", env().operator_key);
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.json();
  EXPECT_EQ(j["week"], "2026-W48");
  EXPECT_EQ(j["covers"]["from"], "2026-11-16");
  EXPECT_EQ(j["covers"]["to"], "2026-11-22");
  EXPECT_EQ(j["recipients"], summary_.recipients);
  EXPECT_EQ(j["items"], summary_.items);
  EXPECT_GT(j["items"].get<int64_t>(), 0);
  EXPECT_FALSE(j["finished_at"].get<std::string>().empty());
}

TEST_F(DigestsApi, SummaryIsForTheOperatorOnly) {
  EXPECT_EQ(http().get("/v1/digests/2026-W48").status, 401);
  EXPECT_EQ(http().get("/v1/digests/2026-W48", env().publisher_key).status, 403);
  EXPECT_EQ(http().get("/v1/digests/2026-W48", env().enterprise_key).status, 403);
}

TEST_F(DigestsApi, OperatorListsTheRunsAndARunsRecipients) {
  auto r = http().get("/v1/digests", env().operator_key);
  ASSERT_EQ(r.status, 200) << r.body;
  json runs = r.json()["runs"];
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["week"], "2026-W48");
  EXPECT_EQ(runs[0]["recipients"], summary_.recipients);
  EXPECT_EQ(runs[0]["items"], summary_.items);
  EXPECT_EQ(http().get("/v1/digests?limit=0", env().operator_key).status, 400);

  auto rec = http().get("/v1/digests/2026-W48/recipients", env().operator_key);
  ASSERT_EQ(rec.status, 200) << rec.body;
  json list = rec.json()["recipients"];
  ASSERT_EQ(static_cast<int64_t>(list.size()), summary_.recipients);
  bool saw_publisher = false;
  for (const auto& x : list) {
    EXPECT_TRUE(x["kind"] == "enterprise" || x["kind"] == "publisher") << x;
    if (x["kind"] == "publisher" && x["id"] == kFixturePublisher) saw_publisher = true;
  }
  EXPECT_TRUE(saw_publisher);
  EXPECT_EQ(http().get("/v1/digests/2026-W47/recipients", env().operator_key).status, 404);
}

TEST_F(DigestsApi, RunsAndRecipientListsAreForTheOperatorOnly) {
  for (const char* path : {"/v1/digests", "/v1/digests/2026-W48/recipients"}) {
    EXPECT_EQ(http().get(path).status, 401) << path;
    EXPECT_EQ(http().get(path, env().publisher_key).status, 403) << path;
    EXPECT_EQ(http().get(path, env().enterprise_key).status, 403) << path;
  }
}

TEST_F(DigestsApi, BadOrUnknownWeeksAreClearErrors) {
  auto bad = http().get("/v1/digests/2026-48", env().operator_key);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json()["field"], "week");
  EXPECT_EQ(http().get("/v1/digests/2026-W53", env().operator_key).status, 404);  // a real week, never run
  EXPECT_EQ(http().get("/v1/digests/2027-W53", env().operator_key).status, 400);  // 2027 has 52 weeks
}

TEST_F(DigestsApi, EnterpriseReadsItsOwnDigestOnly) {
  const std::string& id = env().enterprise_id;
  auto own = http().get("/v1/digests/2026-W48/recipients/" + url_encode(id), env().enterprise_key);
  ASSERT_EQ(own.status, 200) << own.body;
  json j = own.json();
  EXPECT_EQ(j["recipient"]["kind"], "enterprise");
  EXPECT_EQ(j["recipient"]["id"], id);
  auto stored = env().service->digest_recipient(*IsoWeek::parse("2026-W48"), RecipientKind::kEnterprise, id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(j, *stored);
  EXPECT_EQ(http().get("/v1/digests/2026-W48/recipients/" + url_encode(env().other_enterprise_id), env().enterprise_key).status,
            403);
  EXPECT_EQ(http().get("/v1/digests/2026-W48/recipients/" + url_encode(id), env().other_enterprise_key).status, 403);
  EXPECT_EQ(http().get("/v1/digests/2026-W48/recipients/" + url_encode(id), env().publisher_key).status, 403);
}

TEST_F(DigestsApi, PublisherReadsItsOwnDigestAndTheOperatorReadsAny) {
  std::string path = "/v1/digests/2026-W48/recipients/" + url_encode(kFixturePublisher);
  auto own = http().get(path, env().publisher_key);
  ASSERT_EQ(own.status, 200) << own.body;
  json doc = own.json();  // a named object: range-for over a temporary's member would dangle
  EXPECT_EQ(doc["recipient"]["kind"], "publisher");
  EXPECT_FALSE(doc["items"].empty());
  for (const auto& item : doc["items"]) {
    EXPECT_EQ(item["type"], "candidate");
    EXPECT_FALSE(item["reason"].get<std::string>().empty());
  }
  EXPECT_EQ(http().get(path, env().other_publisher_key).status, 403);
  auto op = http().get(path, env().operator_key);
  ASSERT_EQ(op.status, 200);
  EXPECT_EQ(op.json(), own.json());
  auto op_kind = http().get(path + "?kind=publisher", env().operator_key);
  EXPECT_EQ(op_kind.status, 200);
  EXPECT_EQ(http().get(path + "?kind=enterprise", env().operator_key).status, 404);
  EXPECT_EQ(http().get(path + "?kind=other", env().operator_key).status, 400);
  EXPECT_EQ(http().get("/v1/digests/2026-W48/recipients/nobody", env().operator_key).status, 404);
}

}  // namespace
}  // namespace jiebang::testing
