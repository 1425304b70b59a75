// Black-box tests of /v1/scenarios over HTTP: writes and their scope, validation, import, search
// with Chinese text, cursor paging, exact facets, and matches for a scenario.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "api_test_util.h"
#include "jiebang/core/taxonomy.h"

namespace jiebang::testing {
namespace {

using nlohmann::json;

class ScenariosApi : public SharedServerTest<ScenariosApi> {
 protected:
  /// Every result of a search, page by page (limit `page`), following next_cursor.
  static std::vector<json> all_pages(const std::string& query_string, int page, const std::string& key,
                                     int* pages = nullptr) {
    std::vector<json> out;
    std::string cursor;
    for (int i = 0; i < 1000; ++i) {
      std::string target = "/v1/scenarios?" + query_string + "&limit=" + std::to_string(page);
      if (!cursor.empty()) target += "&cursor=" + url_encode(cursor);
      auto r = http().get(target, key);
      EXPECT_EQ(r.status, 200) << r.body;
      json j = r.json();
      for (const auto& h : j["results"]) out.push_back(h);
      if (pages) *pages = i + 1;
      if (j["next_cursor"].is_null()) break;
      cursor = j["next_cursor"].get<std::string>();
    }
    return out;
  }

};


TEST_F(ScenariosApi, NoKeyIs401WithBearerChallenge) {
  auto r = http().get("/v1/scenarios/hz-2026-03-001");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_NE(r.header("www-authenticate").find("Bearer"), std::string::npos);
  EXPECT_EQ(r.json()["status"], 401);
  EXPECT_EQ(http().get("/v1/scenarios/hz-2026-03-001", "jb_notarealkey").status, 401);
  auto wrong_scheme = http().request("GET", "/v1/scenarios/hz-2026-03-001", "", "", "", {"Authorization: Basic Zm9vOmJhcg=="});
  EXPECT_EQ(wrong_scheme.status, 401);
}

TEST_F(ScenariosApi, GetOneScenarioWithAnyKey) {
  for (const auto* key : {&env().operator_key, &env().publisher_key, &env().other_publisher_key, &env().enterprise_key}) {
    auto r = http().get("/v1/scenarios/hz-2026-03-001", *key);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["title"], "电力隧道智能巡检机器人应用场景");
  }
  auto missing = http().get("/v1/scenarios/no-such-id", env().operator_key);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("content-type"), "application/problem+json");
}

TEST_F(ScenariosApi, PublisherPostsForItsOwnOrganisation) {
  auto r = http().post("/v1/scenarios", env().publisher_key, scenario("api-own-1", "配网故障智能研判"));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json()["publisher"], kFixturePublisher);
  EXPECT_EQ(r.header("location"), "/v1/scenarios/api-own-1");
  // The same id again is a conflict: PUT replaces.
  auto again = http().post("/v1/scenarios", env().publisher_key, scenario("api-own-1", "配网故障智能研判"));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json()["field"], "id");
}

TEST_F(ScenariosApi, PostingForAnotherOrganisationIs403) {
  auto r = http().post("/v1/scenarios", env().publisher_key, scenario("api-foreign-1", "标题", "杭州市某其他单位"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.json()["field"], "publisher");
  EXPECT_EQ(http().post("/v1/scenarios", env().enterprise_key, scenario("api-ent-1", "标题", "x")).status, 403);
}

TEST_F(ScenariosApi, AnotherOrganisationsScenarioIs403ForPutAndPatch) {
  json body = scenario("hz-2026-03-001", "改写", "杭州市某其他单位");
  EXPECT_EQ(http().put("/v1/scenarios/hz-2026-03-001", env().other_publisher_key, body).status, 403);
  auto patch = http().request("PATCH", "/v1/scenarios/hz-2026-03-001", env().other_publisher_key,
                              R"({"status":"closed"})", "application/merge-patch+json");
  EXPECT_EQ(patch.status, 403);
  EXPECT_EQ(http().get("/v1/scenarios/hz-2026-03-001", env().operator_key).json()["status"], "open");
}

TEST_F(ScenariosApi, PutUpsertsAndPatchCloses) {
  json body = scenario("api-upsert-1", "园区能耗数字孪生");
  auto created = http().put("/v1/scenarios/api-upsert-1", env().publisher_key, body);
  ASSERT_EQ(created.status, 201) << created.body;
  body["title"] = "园区能耗数字孪生平台";
  auto replaced = http().put("/v1/scenarios/api-upsert-1", env().publisher_key, body);
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(replaced.json()["title"], "园区能耗数字孪生平台");
  body["id"] = "another-id";
  EXPECT_EQ(http().put("/v1/scenarios/api-upsert-1", env().publisher_key, body).status, 400);

  auto patched = http().request("PATCH", "/v1/scenarios/api-upsert-1", env().publisher_key, R"({"status":"closed"})",
                                "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json()["status"], "closed");
  EXPECT_EQ(patched.json()["title"], "园区能耗数字孪生平台");
  // A closed scenario leaves the default (open) search and is found with status=closed.
  auto open = http().get("/v1/scenarios?q=" + url_encode("园区能耗数字孪生平台"), env().enterprise_key).json();
  for (const auto& h : open["results"]) EXPECT_NE(h["id"], "api-upsert-1");
  auto closed = http().get("/v1/scenarios?status=closed&q=" + url_encode("园区能耗数字孪生平台"), env().enterprise_key).json();
  ASSERT_FALSE(closed["results"].empty());
  EXPECT_EQ(closed["results"][0]["id"], "api-upsert-1");
  EXPECT_EQ(http().request("PATCH", "/v1/scenarios/api-upsert-1", env().publisher_key, R"({"id":"x"})").status, 400);
}

TEST_F(ScenariosApi, ValidationNamesEveryField) {
  auto r = http().post("/v1/scenarios", env().operator_key,
                       json{{"id", "api-bad-1"}, {"title", 5}, {"publisher", "p"}, {"required_trl", 12}});
  ASSERT_EQ(r.status, 400) << r.body;
  json p = r.json();
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  std::set<std::string> fields;
  for (const auto& e : p["errors"]) fields.insert(e["field"].get<std::string>());
  EXPECT_TRUE(fields.count("title")) << p.dump();
  EXPECT_TRUE(fields.count("description")) << p.dump();
  EXPECT_TRUE(fields.count("required_trl")) << p.dump();
  EXPECT_TRUE(p.contains("field"));
}

TEST_F(ScenariosApi, FieldLimitsAndControlCharactersAreTheImportersRules) {
  auto field_of = [](const HttpReply& r) {
    std::set<std::string> fields;
    const json body = r.json();  // not `: r.json()["errors"]`: the temporary would die before the loop
    for (const auto& e : body["errors"]) fields.insert(e["field"].get<std::string>());
    return fields;
  };
  // Under the route's 1 MiB body limit (a larger record is 413 from its head, FrontApi), over
  // every field limit.
  json big = scenario("api-limit-1", std::string(4096, 'x'));
  big["description"] = std::string(100000, 'y');
  big["keywords"] = std::vector<std::string>(100000, "k");
  auto r = http().post("/v1/scenarios", env().operator_key, big);
  ASSERT_EQ(r.status, 400) << r.body.substr(0, 500);
  auto fields = field_of(r);
  EXPECT_TRUE(fields.count("title") && fields.count("description") && fields.count("keywords")) << r.body.substr(0, 500);
  EXPECT_NE(r.body.find("at most 1024 allowed"), std::string::npos) << r.body.substr(0, 500);
  json rlo = scenario("api-limit-2", "巡检\u202Egpj.exe");
  auto bidi = http().post("/v1/scenarios", env().operator_key, rlo);
  ASSERT_EQ(bidi.status, 400) << bidi.body;
  EXPECT_TRUE(field_of(bidi).count("title")) << bidi.body;
  EXPECT_NE(bidi.body.find("U+202E"), std::string::npos) << bidi.body;
  auto spaced = http().post("/v1/scenarios", env().operator_key, scenario(" api-limit 3", "标题"));
  EXPECT_EQ(spaced.status, 400) << spaced.body;
  EXPECT_EQ(http().get("/v1/scenarios/api-limit-1", env().operator_key).status, 404);
}

// Regression (breaking pass, finding 5): control characters were stored in the keys and values
// kept as given (unknown keys, policy, contact, size), in CSV header names and in match notes.
// The one rule (find_forbidden_char) now holds for every string and key, over HTTP as in the importers.
TEST_F(ScenariosApi, ControlCharactersAreRefusedInEveryKeyValueHeaderAndNote) {
  for (const std::string& bad : {std::string("\x1b[2J"), std::string("\0", 1), std::string("\u202E"),
                                std::string("\u0085"), std::string("\u0095")}) {
    json extra = scenario("api-cc-1", "控制字符测试");
    extra["source"] = {{"note", "x" + bad}};
    auto r = http().post("/v1/scenarios", env().operator_key, extra);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find("source.note"), std::string::npos) << r.body;
    json key = scenario("api-cc-1", "控制字符测试");
    key["k" + bad] = "v";
    EXPECT_EQ(http().post("/v1/scenarios", env().operator_key, key).status, 400);
    json policy = scenario("api-cc-1", "控制字符测试");
    policy["policy"] = {{"subsidy", bad}};
    EXPECT_EQ(http().post("/v1/scenarios", env().operator_key, policy).status, 400);
    json profile = {{"id", env().enterprise_id}, {"name", "企业"}, {"contact", {{"phone", "0571" + bad}}}};
    auto put = http().put("/v1/enterprises/" + env().enterprise_id, env().enterprise_key, profile);
    EXPECT_EQ(put.status, 400) << put.body;
    EXPECT_NE(put.body.find("contact.phone"), std::string::npos) << put.body;
    profile = {{"id", env().enterprise_id}, {"name", "企业"}, {"size", {{"band", bad}}}};
    EXPECT_EQ(http().put("/v1/enterprises/" + env().enterprise_id, env().enterprise_key, profile).status, 400);
    std::string csv = "id,title,description,备注" + bad + "\napi-cc-2,标题,描述,x\n";
    auto imported = http().request("POST", "/v1/scenarios/import", env().publisher_key, csv, "text/csv; charset=utf-8");
    EXPECT_EQ(imported.status, 400) << imported.body;
    EXPECT_NE(imported.body.find("the header of column 4 contains the control character"), std::string::npos)
        << imported.body;
    auto note = http().post("/v1/matches", env().enterprise_key,
                            json{{"scenario_id", "hz-2026-03-001"}, {"enterprise_id", env().enterprise_id}, {"note", "hi" + bad}});
    EXPECT_EQ(note.status, 400) << note.body;
    EXPECT_EQ(note.json()["field"], "note") << note.body;
  }
  EXPECT_EQ(http().get("/v1/scenarios/api-cc-1", env().operator_key).status, 404);
  EXPECT_EQ(http().get("/v1/scenarios/api-cc-2", env().operator_key).status, 404);
  EXPECT_EQ(http().get("/v1/matches?scenario_id=hz-2026-03-001", env().enterprise_key).json()["matches"].size(), 0u);
}

TEST_F(ScenariosApi, MalformedJsonInvalidUtf8AndWrongShapesAre400) {
  auto malformed = http().request("POST", "/v1/scenarios", env().operator_key, R"({"id": "x", )");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.json()["detail"].get<std::string>().find("malformed JSON"), std::string::npos);
  std::string bad_utf8 = std::string(R"({"id":"x","title":")") + "\xC3\x28" + R"(","description":"d"})";
  auto utf8 = http().request("POST", "/v1/scenarios", env().operator_key, bad_utf8);
  EXPECT_EQ(utf8.status, 400);
  EXPECT_NE(utf8.json()["detail"].get<std::string>().find("UTF-8"), std::string::npos);
  EXPECT_EQ(http().request("POST", "/v1/scenarios", env().operator_key, "[1,2,3]").status, 400);
  // A key given twice (finding 12 of session 14's breaking pass: it was read as its last value).
  auto twice = http().request("POST", "/v1/scenarios", env().operator_key,
                              R"({"id":"dup-1","title":"t","description":"d","status":"closed","status":"open"})");
  EXPECT_EQ(twice.status, 400) << twice.body;
  EXPECT_NE(twice.json()["detail"].get<std::string>().find("gives the key \"status\" twice"), std::string::npos)
      << twice.body;
  EXPECT_EQ(http().get("/v1/scenarios/dup-1", env().operator_key).status, 404);
  EXPECT_EQ(http().request("POST", "/v1/scenarios", env().operator_key, std::string(10000, '[')).status, 400);
  EXPECT_EQ(http().request("POST", "/v1/scenarios", env().operator_key, "", "application/json").status, 400);
  EXPECT_EQ(http().request("POST", "/v1/scenarios", env().operator_key, "{}", "text/plain").status, 415);
  // The server is still there.
  EXPECT_EQ(http().get("/healthz").status, 200);
}

TEST_F(ScenariosApi, ChineseScenarioPostedThenFoundByChineseSearch) {
  auto r = http().post("/v1/scenarios", env().publisher_key,
                       scenario("api-zh-1", "盐碱地智慧灌溉无人机巡田应用场景"));
  ASSERT_EQ(r.status, 201) << r.body;
  auto found = http().get("/v1/scenarios?q=" + url_encode("盐碱地 灌溉"), env().enterprise_key);
  ASSERT_EQ(found.status, 200) << found.body;
  json j = found.json();
  ASSERT_FALSE(j["results"].empty()) << j.dump();
  EXPECT_EQ(j["results"][0]["id"], "api-zh-1");
  EXPECT_NE(j["results"][0]["snippet"].get<std::string>().find("<b>"), std::string::npos);
  // consistent=true first applies pending changes; the result is the same.
  auto consistent = http().get("/v1/scenarios?consistent=true&q=" + url_encode("盐碱地"), env().enterprise_key);
  ASSERT_EQ(consistent.status, 200);
  EXPECT_EQ(consistent.json()["results"][0]["id"], "api-zh-1");
}

TEST_F(ScenariosApi, ImportJsonLinesAnswersCountsAndLineErrors) {
  std::string body = scenario("api-imp-1", "导入测试一", "导入单位").dump() + "\n" + "{not json\n" +
                     scenario("api-imp-2", "导入测试二", "导入单位").dump() + "\n" +
                     json{{"id", "api-imp-3"}, {"title", "缺描述"}, {"publisher", "导入单位"}}.dump() + "\n";
  auto r = http().request("POST", "/v1/scenarios/import", env().operator_key, body, "application/x-ndjson");
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.json();
  EXPECT_EQ(j["read"], 4);
  EXPECT_EQ(j["inserted"], 2);
  EXPECT_EQ(j["rejected"], 2);
  ASSERT_EQ(j["errors"].size(), 2u);
  EXPECT_EQ(j["errors"][0]["line"], 2);
  EXPECT_EQ(j["errors"][1]["line"], 4);
  EXPECT_EQ(j["errors"][1]["field"], "description");
  EXPECT_EQ(http().request("POST", "/v1/scenarios/import", env().operator_key, body, "application/pdf").status, 415);
  EXPECT_EQ(http().request("POST", "/v1/scenarios/import", env().enterprise_key, body, "application/x-ndjson").status,
            403);
}

TEST_F(ScenariosApi, PublisherImportsCsvForItsOwnOrganisationOnly) {
  std::string csv =
      "id,title,description,publisher,region,deadline\n"
      "api-csv-1,车路协同路侧感知,路口路侧感知设备与边缘计算,,330106,2027-06-30\n"
      "api-csv-2,别家的场景,别家单位的需求描述,杭州市某其他单位,330106,2027-06-30\n"
      "api-csv-3,桥梁健康监测,桥梁结构健康监测传感网络,国网杭州供电公司,330106,2027-06-30\n";
  auto r = http().request("POST", "/v1/scenarios/import", env().publisher_key, csv, "text/csv; charset=utf-8");
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.json();
  EXPECT_EQ(j["read"], 3);
  EXPECT_EQ(j["inserted"], 2);
  EXPECT_EQ(j["rejected"], 1);
  ASSERT_EQ(j["errors"].size(), 1u);
  EXPECT_EQ(j["errors"][0]["line"], 3);
  EXPECT_EQ(j["errors"][0]["field"], "publisher");
  EXPECT_EQ(http().get("/v1/scenarios/api-csv-1", env().operator_key).json()["publisher"], kFixturePublisher);
  EXPECT_EQ(http().get("/v1/scenarios/api-csv-2", env().operator_key).status, 404);
}

TEST_F(ScenariosApi, CursorPagingReturnsEveryResultExactlyOnce) {
  std::string body;
  for (int i = 0; i < 33; ++i)
    body += scenario("api-page-" + std::to_string(i), "翻页专项测试场景第" + std::to_string(i) + "号", "翻页单位").dump() + "\n";
  auto imported = http().request("POST", "/v1/scenarios/import", env().operator_key, body, "application/x-ndjson");
  ASSERT_EQ(imported.status, 200) << imported.body;
  ASSERT_EQ(imported.json()["inserted"], 33);

  int pages = 0;
  std::string q = "q=" + url_encode("翻页专项测试");
  auto results = all_pages(q, 7, env().enterprise_key, &pages);
  std::multiset<std::string> ids;
  for (const auto& h : results) ids.insert(h["id"].get<std::string>());
  std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(ids.size(), unique.size()) << "a result came twice";
  for (int i = 0; i < 33; ++i) EXPECT_TRUE(unique.count("api-page-" + std::to_string(i))) << i;
  auto first = http().get("/v1/scenarios?" + q + "&limit=7", env().enterprise_key).json();
  EXPECT_EQ(first["total"].get<size_t>(), ids.size());
  EXPECT_EQ(pages, static_cast<int>((ids.size() + 6) / 7));

  // Every scenario of every status, 7 at a time: each exactly once, as many as the total says.
  auto everything = all_pages("status=any", 7, env().operator_key);
  std::set<std::string> all_ids;
  for (const auto& h : everything) EXPECT_TRUE(all_ids.insert(h["id"].get<std::string>()).second) << h["id"];
  EXPECT_EQ(all_ids.size(), http().get("/v1/scenarios?status=any", env().operator_key).json()["total"].get<size_t>());
}

TEST_F(ScenariosApi, CursorOfAnotherSearchAndBadLimitsAre400) {
  auto first = http().get("/v1/scenarios?status=any&limit=3", env().operator_key).json();
  ASSERT_TRUE(first["next_cursor"].is_string());
  std::string cursor = url_encode(first["next_cursor"].get<std::string>());
  EXPECT_EQ(http().get("/v1/scenarios?status=any&limit=3&cursor=" + cursor, env().operator_key).status, 200);
  auto other = http().get("/v1/scenarios?status=open&limit=3&cursor=" + cursor, env().operator_key);
  EXPECT_EQ(other.status, 400);
  EXPECT_EQ(other.json()["field"], "cursor");
  EXPECT_EQ(http().get("/v1/scenarios?cursor=garbage!", env().operator_key).status, 400);
  auto big = http().get("/v1/scenarios?limit=101", env().operator_key);
  EXPECT_EQ(big.status, 400);
  EXPECT_EQ(big.json()["field"], "limit");
  EXPECT_EQ(http().get("/v1/scenarios?limit=0", env().operator_key).status, 400);
  EXPECT_EQ(http().get("/v1/scenarios?limit=100", env().operator_key).status, 200);
  auto typo = http().get("/v1/scenarios?regoin=330100", env().operator_key);
  EXPECT_EQ(typo.status, 400);
  EXPECT_EQ(typo.json()["field"], "regoin");
  EXPECT_EQ(http().get("/v1/scenarios?status=maybe", env().operator_key).status, 400);
  auto region = http().get("/v1/scenarios?region=999999", env().operator_key);
  EXPECT_EQ(region.status, 400);
  EXPECT_EQ(region.json()["field"], "region");  // raised by the service with its field
}

TEST_F(ScenariosApi, FacetCountsEqualCountsOverTheFullResultList) {
  for (const std::string& query : {std::string("status=any"), "q=" + url_encode("智能"), std::string("region=330100")}) {
    auto results = all_pages(query, 9, env().operator_key);
    std::map<std::string, uint64_t> regions, industries;
    for (const auto& h : results) {
      const json& a = h["attributes"];
      if (a["region"].is_string() && RegionTable::is_code(a["region"].get<std::string>()))
        for (const auto& code : RegionTable::ancestors(a["region"].get<std::string>())) ++regions[code];
      std::set<std::string> seen;
      for (const auto& i : a["industries"])
        if (seen.insert(i.get<std::string>()).second) ++industries[i.get<std::string>()];
    }
    json page = http().get("/v1/scenarios?" + query + "&limit=2", env().operator_key).json();
    EXPECT_EQ(page["total"].get<size_t>(), results.size()) << query;
    using Counts = std::map<std::string, uint64_t>;
    EXPECT_EQ(page["facets"]["region"].get<Counts>(), regions) << query;
    EXPECT_EQ(page["facets"]["industry"].get<Counts>(), industries) << query;
  }
}

TEST_F(ScenariosApi, MatchesForAScenarioGoToItsPublisherAndTheOperator) {
  auto r = http().get("/v1/scenarios/hz-2026-03-001/matches?limit=5", env().publisher_key);
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.json();
  ASSERT_FALSE(j["results"].empty());
  EXPECT_LE(j["results"].size(), 5u);
  const json& first = j["results"][0];
  EXPECT_EQ(first["rank"], 1);
  EXPECT_TRUE(first["components"].contains("text")) << first.dump();
  EXPECT_TRUE(first["reason"].is_string());
  EXPECT_FALSE(first["attributes"].contains("contact"));
  EXPECT_EQ(http().get("/v1/scenarios/hz-2026-03-001/matches", env().operator_key).status, 200);
  EXPECT_EQ(http().get("/v1/scenarios/hz-2026-03-001/matches", env().other_publisher_key).status, 403);
  EXPECT_EQ(http().get("/v1/scenarios/hz-2026-03-001/matches", env().enterprise_key).status, 403);
  EXPECT_EQ(http().get("/v1/scenarios/no-such/matches", env().operator_key).status, 404);
  EXPECT_EQ(http().get("/v1/scenarios/hz-2026-03-001/matches?limit=500", env().operator_key).status, 400);
}

}  // namespace
}  // namespace jiebang::testing

namespace jiebang::testing {
namespace {

using nlohmann::json;

/// GET /v1/publishers/{publisher}/scenarios on a server of its own (the list's order is the
/// order of writes, which other suites' tests would change).
class PublisherScenariosApi : public SharedServerTest<PublisherScenariosApi> {
 protected:
  static std::string path(const std::string& publisher) { return "/v1/publishers/" + url_encode(publisher) + "/scenarios"; }
  /// Every scenario id of `publisher`'s list as `key` sees it, page by page (limit `page`),
  /// following next_cursor; `pages` counts the pages.
  static std::vector<std::string> all_ids(const std::string& publisher, const std::string& key, int page, int* pages,
                                          json* first = nullptr) {
    std::vector<std::string> ids;
    std::string cursor;
    for (int i = 0; i < 100; ++i) {
      std::string target = path(publisher) + "?limit=" + std::to_string(page);
      if (!cursor.empty()) target += "&cursor=" + url_encode(cursor);
      auto r = http().get(target, key);
      EXPECT_EQ(r.status, 200) << r.body;
      json j = r.json();
      if (i == 0 && first) *first = j;
      EXPECT_EQ(j["offset"], ids.size());
      for (const auto& s : j["scenarios"]) ids.push_back(s["id"].get<std::string>());
      *pages = i + 1;
      if (j["next_cursor"].is_null()) break;
      cursor = j["next_cursor"].get<std::string>();
    }
    return ids;
  }
};

const std::string kOther = "杭州市某其他单位";  // the other publisher key's organisation: no fixture scenarios

TEST_F(PublisherScenariosApi, APublisherListsItsOwnScenariosClosedOnesTooLastChangedFirstPageByPage) {
  for (int i = 1; i <= 5; ++i) {
    std::string id = "ps-" + std::to_string(i);
    ASSERT_EQ(http().post("/v1/scenarios", env().other_publisher_key, scenario(id, "自有场景" + std::to_string(i))).status, 201);
  }
  ASSERT_EQ(http().request("PATCH", "/v1/scenarios/ps-2", env().other_publisher_key, R"({"status":"closed"})", "application/merge-patch+json").status, 200);
  ASSERT_EQ(http().request("PATCH", "/v1/scenarios/ps-1", env().other_publisher_key, R"({"title":"自有场景一（修改）"})", "application/merge-patch+json").status, 200);
  const std::vector<std::string> expected = {"ps-1", "ps-2", "ps-5", "ps-4", "ps-3"};  // the last changed first
  for (const auto* key : {&env().other_publisher_key, &env().operator_key}) {
    int pages = 0;
    json first;
    EXPECT_EQ(all_ids(kOther, *key, 2, &pages, &first), expected);
    EXPECT_EQ(pages, 3);
    EXPECT_EQ(first["publisher"], kOther);
    EXPECT_EQ(first["total"], 5);
    // Whole records, as GET /v1/scenarios/{id} answers them; the closed one with its status.
    EXPECT_EQ(first["scenarios"][0]["title"], "自有场景一（修改）");
    EXPECT_EQ(first["scenarios"][1]["status"], "closed");
    EXPECT_EQ(first["scenarios"][0], http().get("/v1/scenarios/ps-1", *key).json());
  }
  // The fixtures' publisher: every one of its scenarios in the fixtures, and only those.
  std::set<std::string> fixture_ids;
  for (const auto& s : read_jsonl(fixture("scenarios.jsonl")))
    if (s.value("publisher", "") == kFixturePublisher) fixture_ids.insert(s["id"].get<std::string>());
  ASSERT_FALSE(fixture_ids.empty());
  int pages = 0;
  auto ids = all_ids(kFixturePublisher, env().publisher_key, 3, &pages);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), fixture_ids);
  EXPECT_EQ(ids.size(), fixture_ids.size()) << "each once";
  // The default page is 50: one page here.
  auto whole = http().get(path(kFixturePublisher), env().publisher_key).json();
  EXPECT_EQ(whole["scenarios"].size(), fixture_ids.size());
  EXPECT_TRUE(whole["next_cursor"].is_null());
  // A publisher that posted nothing (as the operator may ask): an empty list.
  auto none = http().get(path("没有发布过的单位"), env().operator_key);
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(none.json()["total"], 0);
  EXPECT_TRUE(none.json()["scenarios"].empty());
  EXPECT_TRUE(none.json()["next_cursor"].is_null());
}

TEST_F(PublisherScenariosApi, AnotherPublisherOrAnEnterpriseIs403AndBadPagingIs400) {
  for (const auto* key : {&env().other_publisher_key, &env().enterprise_key}) {
    auto r = http().get(path(kFixturePublisher), *key);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json");
  }
  EXPECT_EQ(http().get(path(kFixturePublisher)).status, 401);
  for (const char* bad : {"?limit=0", "?limit=101", "?limit=x", "?cursor=garbage!", "?page=2"})
    EXPECT_EQ(http().get(path(kFixturePublisher) + bad, env().publisher_key).status, 400) << bad;
  // A cursor continues its own list only: not another publisher's, not a search's.
  auto first = http().get(path(kFixturePublisher) + "?limit=1", env().operator_key).json();
  ASSERT_TRUE(first["next_cursor"].is_string());
  std::string cursor = url_encode(first["next_cursor"].get<std::string>());
  EXPECT_EQ(http().get(path(kFixturePublisher) + "?limit=1&cursor=" + cursor, env().operator_key).status, 200);
  auto other = http().get(path(kOther) + "?cursor=" + cursor, env().operator_key);
  EXPECT_EQ(other.status, 400);
  EXPECT_EQ(other.json()["field"], "cursor");
  auto search = http().get("/v1/scenarios?limit=1", env().operator_key).json();
  ASSERT_TRUE(search["next_cursor"].is_string());
  EXPECT_EQ(http().get(path(kFixturePublisher) + "?cursor=" + url_encode(search["next_cursor"].get<std::string>()),
                       env().operator_key)
                .status,
            400);
  EXPECT_EQ(http().get("/v1/scenarios?cursor=" + cursor, env().operator_key).status, 400) << "nor does a search take it";
}

}  // namespace
}  // namespace jiebang::testing
