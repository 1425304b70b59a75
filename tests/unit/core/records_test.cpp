// Record validation, JSON form and CSV-row conversion tests (shared/schema/RECORDS.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "jiebang/core/input_rules.h"
#include "jiebang/core/limits.h"
#include "jiebang/core/records.h"
#include "jiebang/core/json_text.h"
#include "test_util.h"

namespace jiebang {
namespace {

using nlohmann::json;

json minimal_scenario() {
  return {{"id", "hz-2026-09-001"},
          {"title", "电力隧道智能巡检机器人应用场景"},
          {"description", "隧道内常年高湿，需要挂轨式智能巡检装置。"},
          {"publisher", "国网杭州供电公司"}};
}

json minimal_enterprise() { return {{"id", "ent-9001"}, {"name", "杭州睿巡智能装备有限公司"}}; }

std::vector<std::string> keys_of(const std::vector<FieldError>& errors) {
  std::vector<std::string> keys;
  for (const auto& e : errors) keys.push_back(e.key);
  return keys;
}

bool has_key(const std::vector<FieldError>& errors, const std::string& key) {
  return std::any_of(errors.begin(), errors.end(), [&](const FieldError& e) { return e.key == key; });
}

/// Validates a scenario that differs from the minimal one by `key` = `value`; returns its errors.
std::vector<FieldError> scenario_errors_with(const std::string& key, const json& value) {
  json j = minimal_scenario();
  j[key] = value;
  std::vector<FieldError> errors;
  auto s = scenario_from_json(j, errors);
  EXPECT_EQ(s.has_value(), errors.empty()) << j.dump();
  return errors;
}

TEST(ScenarioFromJson, AcceptsMinimalRecordWithDefaults) {
  std::vector<FieldError> errors;
  auto s = scenario_from_json(minimal_scenario(), errors);
  ASSERT_TRUE(s.has_value()) << format_field_errors(errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(s->id, "hz-2026-09-001");
  EXPECT_EQ(s->publisher, "国网杭州供电公司");
  EXPECT_EQ(s->status, "open");
  EXPECT_FALSE(s->required_trl.has_value());
  EXPECT_FALSE(s->budget.has_value());
  EXPECT_TRUE(s->extra.is_object());
  EXPECT_TRUE(s->extra.empty());
}

TEST(ScenarioFromJson, MissingRequiredKeyIsNamed) {
  for (const char* key : {"id", "title", "description", "publisher"}) {
    json j = minimal_scenario();
    j.erase(key);
    std::vector<FieldError> errors;
    EXPECT_FALSE(scenario_from_json(j, errors).has_value()) << key;
    ASSERT_EQ(errors.size(), 1u) << key << ": " << format_field_errors(errors);
    EXPECT_EQ(errors[0].key, key);
    EXPECT_NE(errors[0].message.find("required"), std::string::npos) << errors[0].message;
  }
}

TEST(ScenarioFromJson, NullRequiredKeyCountsAsMissing) {
  auto errors = scenario_errors_with("title", nullptr);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "title");
}

TEST(ScenarioFromJson, BlankRequiredStringRejected) {
  auto errors = scenario_errors_with("publisher", "  \t ");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "publisher");
}

TEST(ScenarioFromJson, TitleNumberRejectedAsTitleError) {
  auto errors = scenario_errors_with("title", 42);
  ASSERT_EQ(errors.size(), 1u) << format_field_errors(errors);
  EXPECT_EQ(errors[0].key, "title");
  EXPECT_NE(errors[0].message.find("string"), std::string::npos) << errors[0].message;
}

TEST(ScenarioFromJson, RequiredTrlOutOfRangeOrNotIntegerRejected) {
  for (const json& bad : {json(0), json(10), json(7.5), json("7"), json(-1), json(true)}) {
    auto errors = scenario_errors_with("required_trl", bad);
    ASSERT_EQ(errors.size(), 1u) << bad.dump() << ": " << format_field_errors(errors);
    EXPECT_EQ(errors[0].key, "required_trl") << bad.dump();
  }
}

TEST(ScenarioFromJson, RequiredTrlInRangeAccepted) {
  for (int trl : {1, 7, 9}) {
    json j = minimal_scenario();
    j["required_trl"] = trl;
    std::vector<FieldError> errors;
    auto s = scenario_from_json(j, errors);
    ASSERT_TRUE(s.has_value()) << trl << ": " << format_field_errors(errors);
    EXPECT_EQ(s->required_trl, trl);
  }
}

TEST(ScenarioFromJson, DatesMustBeRealCalendarDates) {
  EXPECT_TRUE(scenario_errors_with("deadline", "2024-02-29").empty());  // leap year
  EXPECT_TRUE(scenario_errors_with("posted_at", "2026-12-31").empty());
  for (const char* bad : {"2026-02-30", "2023-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-05",
                          "2026/01/05", "20260105", "2026-01-05T00:00:00"}) {
    auto errors = scenario_errors_with("deadline", bad);
    ASSERT_EQ(errors.size(), 1u) << bad;
    EXPECT_EQ(errors[0].key, "deadline") << bad;
    EXPECT_NE(errors[0].message.find(bad), std::string::npos)
        << "message should quote the value: " << errors[0].message;
  }
  auto errors = scenario_errors_with("posted_at", "2023-02-29");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "posted_at");
}

TEST(IsIsoDate, FollowsGregorianLeapYearRules) {
  EXPECT_TRUE(is_iso_date("2024-02-29"));
  EXPECT_TRUE(is_iso_date("2000-02-29"));   // divisible by 400
  EXPECT_FALSE(is_iso_date("1900-02-29"));  // divisible by 100, not 400
  EXPECT_FALSE(is_iso_date("2023-02-29"));
  EXPECT_TRUE(is_iso_date("2026-01-31"));
  EXPECT_FALSE(is_iso_date("2026-06-31"));
  EXPECT_FALSE(is_iso_date(""));
  EXPECT_FALSE(is_iso_date("2026-01-0a"));
}

TEST(ScenarioFromJson, StatusMustBeKnownValue) {
  for (const char* ok : {"open", "closed", "awarded"}) {
    json j = minimal_scenario();
    j["status"] = ok;
    std::vector<FieldError> errors;
    auto s = scenario_from_json(j, errors);
    ASSERT_TRUE(s.has_value()) << ok;
    EXPECT_EQ(s->status, ok);
  }
  for (const char* bad : {"Open", "pending", "已关闭"}) {
    auto errors = scenario_errors_with("status", bad);
    ASSERT_EQ(errors.size(), 1u) << bad;
    EXPECT_EQ(errors[0].key, "status");
  }
}

TEST(ScenarioFromJson, BudgetMinGreaterThanMaxRejected) {
  auto errors = scenario_errors_with("budget", {{"amount_min", 5000000}, {"amount_max", 3000000}});
  ASSERT_EQ(errors.size(), 1u) << format_field_errors(errors);
  EXPECT_EQ(errors[0].key, "budget");
}

TEST(ScenarioFromJson, BudgetBadAmountsNamed) {
  auto errors = scenario_errors_with("budget", {{"amount_min", -1}, {"amount_max", "三百万"}, {"currency", "cny"}});
  EXPECT_TRUE(has_key(errors, "budget.amount_min")) << format_field_errors(errors);
  EXPECT_TRUE(has_key(errors, "budget.amount_max")) << format_field_errors(errors);
  EXPECT_TRUE(has_key(errors, "budget.currency")) << format_field_errors(errors);
  errors = scenario_errors_with("budget", 3000000);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "budget");
}

TEST(ScenarioFromJson, BudgetConvertedExactlyToMinorUnits) {
  struct Case {
    double yuan;
    int64_t fen;
  };
  // Values whose binary doubles are not exact: 1234.56 * 100 = 123455.99999999999, 0.29 * 100 = 28.999999999999996.
  for (Case c : {Case{1234.56, 123456}, Case{0.29, 29}, Case{0.01, 1}, Case{19.99, 1999}, Case{20000000, 2000000000},
                 Case{0, 0}}) {
    json j = minimal_scenario();
    j["budget"] = {{"amount_min", c.yuan}, {"amount_max", c.yuan}};
    std::vector<FieldError> errors;
    auto s = scenario_from_json(j, errors);
    ASSERT_TRUE(s.has_value()) << c.yuan << ": " << format_field_errors(errors);
    ASSERT_TRUE(s->budget.has_value());
    EXPECT_EQ(s->budget->amount_min_minor, c.fen) << c.yuan;
    EXPECT_EQ(s->budget->amount_max_minor, c.fen) << c.yuan;
    EXPECT_EQ(s->budget->currency, "CNY");
  }
}

TEST(ScenarioFromJson, BudgetAmountsParsedFromJsonTextExactly) {
  // Straight from JSON text, as an import reads it.
  json j = minimal_scenario();
  j["budget"] = json::parse(R"({"amount_min": 1234.56, "amount_max": 8000000, "currency": "USD"})");
  std::vector<FieldError> errors;
  auto s = scenario_from_json(j, errors);
  ASSERT_TRUE(s.has_value()) << format_field_errors(errors);
  EXPECT_EQ(s->budget->amount_min_minor, 123456);
  EXPECT_EQ(s->budget->amount_max_minor, 800000000);
  EXPECT_EQ(s->budget->currency, "USD");
  json back = to_json(*s);
  EXPECT_EQ(back["budget"]["amount_min"].get<double>(), 1234.56);
  EXPECT_TRUE(back["budget"]["amount_max"].is_number_integer()) << back["budget"].dump();
  EXPECT_EQ(back["budget"]["amount_max"].get<int64_t>(), 8000000);
  EXPECT_EQ(back["budget"]["currency"], "USD");
}

TEST(ScenarioFromJson, UnknownKeysKeptAndWrittenBack) {
  json j = minimal_scenario();
  j["source_url"] = "https://kjj.hangzhou.gov.cn/example";
  j["contact_person"] = {{"name", "王工"}, {"phone", "0571-00000000"}};
  j["priority"] = 3;
  std::vector<FieldError> errors;
  auto s = scenario_from_json(j, errors);
  ASSERT_TRUE(s.has_value()) << format_field_errors(errors);
  EXPECT_EQ(s->extra.size(), 3u) << s->extra.dump();
  EXPECT_EQ(s->extra["source_url"], j["source_url"]);
  EXPECT_EQ(s->extra["contact_person"], j["contact_person"]);
  json back = to_json(*s);
  EXPECT_EQ(back["source_url"], j["source_url"]);
  EXPECT_EQ(back["contact_person"], j["contact_person"]);
  EXPECT_EQ(back["priority"], 3);
  // Known keys are not duplicated into extra.
  EXPECT_FALSE(s->extra.contains("title"));
}

TEST(ScenarioFromJson, UnknownBudgetKeyNotSilentlyLost) {
  json j = minimal_scenario();
  j["budget"] = {{"amount_min", 100}, {"amount_max", 200}, {"currency", "CNY"}, {"tax_included", true}};
  std::vector<FieldError> errors;
  auto s = scenario_from_json(j, errors);
  if (!s) {
    EXPECT_TRUE(has_key(errors, "budget.tax_included")) << format_field_errors(errors);
  } else {
    EXPECT_EQ(to_json(*s)["budget"].value("tax_included", false), true) << to_json(*s).dump();
  }
}

TEST(ScenarioFromJson, CollectsEveryErrorOfARecord) {
  json j = minimal_scenario();
  j["title"] = 42;
  j["required_trl"] = 12;
  j["deadline"] = "2026-02-30";
  j["status"] = "pending";
  j["keywords"] = {"巡检", 3};
  j["budget"] = {{"amount_min", 10}, {"amount_max", 5}};
  j.erase("publisher");
  std::vector<FieldError> errors;
  EXPECT_FALSE(scenario_from_json(j, errors).has_value());
  std::set<std::string> keys;
  for (const auto& k : keys_of(errors)) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"title", "publisher", "required_trl", "deadline", "status", "keywords[1]",
                                         "budget"}))
      << format_field_errors(errors);
}

TEST(ScenarioFromJson, ErrorsAppendedAfterExistingOnes) {
  std::vector<FieldError> errors = {{"earlier", "kept"}};
  json j = minimal_scenario();
  j["status"] = "x";
  EXPECT_FALSE(scenario_from_json(j, errors).has_value());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].key, "earlier");
  EXPECT_EQ(errors[1].key, "status");
}

TEST(ScenarioFromJson, ListKeysAcceptArraysOfStringsOrOneString) {
  json j = minimal_scenario();
  j["industries"] = "I65";
  j["keywords"] = {"巡检", "", "红外测温"};
  std::vector<FieldError> errors;
  auto s = scenario_from_json(j, errors);
  ASSERT_TRUE(s.has_value()) << format_field_errors(errors);
  EXPECT_EQ(s->industries, (std::vector<std::string>{"I65"}));
  EXPECT_EQ(s->keywords, (std::vector<std::string>{"巡检", "红外测温"}));

  auto bad = scenario_errors_with("required_qualifications", {{"name", "高新技术企业"}});
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].key, "required_qualifications");
  bad = scenario_errors_with("industries", {"I65", 6510});
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].key, "industries[1]");
}

TEST(ScenarioFromJson, IdWithControlCharacterOrTooLongRejected) {
  auto errors = scenario_errors_with("id", "hz-\n001");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "id");
  errors = scenario_errors_with("id", std::string(201, 'a'));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "id");
  EXPECT_TRUE(scenario_errors_with("id", std::string(200, 'a')).empty());
}

TEST(ScenarioFromJson, PolicyMustBeObject) {
  EXPECT_TRUE(scenario_errors_with("policy", {{"compute_voucher_rate", 0.3}}).empty());
  auto errors = scenario_errors_with("policy", "算力券");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "policy");
}

TEST(ScenarioFromJson, NonObjectRejected) {
  std::vector<FieldError> errors;
  EXPECT_FALSE(scenario_from_json(json::array({1, 2}), errors).has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("object"), std::string::npos);
}

TEST(ScenarioToJson, FixtureScenariosRoundTrip) {
  auto records = testing::read_jsonl(testing::fixture("scenarios.jsonl"));
  ASSERT_EQ(records.size(), 50u);
  for (const auto& orig : records) {
    std::vector<FieldError> errors;
    auto s = scenario_from_json(orig, errors);
    ASSERT_TRUE(s.has_value()) << orig.value("id", "") << ": " << format_field_errors(errors);
    json back = to_json(*s);
    // Every non-empty key of the original comes back unchanged (budgets are whole yuan here).
    for (auto it = orig.begin(); it != orig.end(); ++it) {
      if (it->is_null() || (it->is_array() && it->empty())) continue;
      EXPECT_EQ(back[it.key()], it.value()) << orig["id"] << " key " << it.key();
    }
    // And the written form is stable under a second pass.
    std::vector<FieldError> errors2;
    auto s2 = scenario_from_json(back, errors2);
    ASSERT_TRUE(s2.has_value()) << format_field_errors(errors2);
    EXPECT_EQ(to_json(*s2), back);
  }
}

// Issue 17, typed boundaries: the public profile holds no private field, so the form written from
// it has none, whatever keys the record came with; the whole record still writes them.
TEST(EnterpriseToJson, ThePublicProfileHasNoPrivateFields) {
  std::vector<FieldError> errors;
  auto e = enterprise_from_json(json::parse(R"({"id": "ent-9", "name": "杭州睿巡", "description": "巡检机器人",
      "region": "330108", "trl": 8, "x_note": "kept",
      "size": {"employees": 120, "revenue_band": "10-50m"},
      "contact": {"name": "王工", "phone": "0571-00000000", "email": "bd@example.com"},
      "cases": [{"title": "挂轨巡检", "customer": "国网杭州供电公司", "year": 2024}]})"),
                                errors);
  ASSERT_TRUE(e.has_value()) << format_field_errors(errors);
  const EnterpriseProfile& profile = *e;
  json pub = to_json(profile);
  EXPECT_FALSE(pub.contains("size")) << pub.dump();
  EXPECT_FALSE(pub.contains("contact")) << pub.dump();
  EXPECT_EQ(pub.dump().find("0571"), std::string::npos) << pub.dump();
  EXPECT_EQ(pub.dump().find("employees"), std::string::npos) << pub.dump();
  // Everything else is as the whole record writes it.
  json whole = to_json(*e);
  EXPECT_TRUE(whole.contains("size"));
  EXPECT_TRUE(whole.contains("contact"));
  whole.erase("size");
  whole.erase("contact");
  EXPECT_EQ(pub, whole);
  EXPECT_EQ(pub.value("x_note", ""), "kept");
}

TEST(EnterpriseFromJson, AcceptsMinimalRecord) {
  std::vector<FieldError> errors;
  auto e = enterprise_from_json(minimal_enterprise(), errors);
  ASSERT_TRUE(e.has_value()) << format_field_errors(errors);
  EXPECT_EQ(e->id, "ent-9001");
  EXPECT_TRUE(e->cases.empty());
  EXPECT_FALSE(e->trl.has_value());
}

TEST(EnterpriseFromJson, MissingNameNamed) {
  json j = minimal_enterprise();
  j.erase("name");
  std::vector<FieldError> errors;
  EXPECT_FALSE(enterprise_from_json(j, errors).has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "name");
}

TEST(EnterpriseFromJson, UsccShapedIdWithWrongCheckCharNamesTheRightOne) {
  // 91350100M000100Y43 is GB 32100-2015's example: the right check character is '3'.
  json j = minimal_enterprise();
  j["id"] = "91350100M000100Y4A";
  std::vector<FieldError> errors;
  EXPECT_FALSE(enterprise_from_json(j, errors).has_value());
  ASSERT_EQ(errors.size(), 1u) << format_field_errors(errors);
  EXPECT_EQ(errors[0].key, "id");
  EXPECT_NE(errors[0].message.find("'3'"), std::string::npos) << errors[0].message;
  EXPECT_NE(errors[0].message.find("91350100M000100Y4A"), std::string::npos) << errors[0].message;
}

TEST(EnterpriseFromJson, ValidUsccAndPlatformIdsAccepted) {
  for (const char* id :
       {"91350100M000100Y43", "914403001922038216", "ent-0001", "91350100m000100y4a", "91350100M000100Y4"}) {
    json j = minimal_enterprise();
    j["id"] = id;
    std::vector<FieldError> errors;
    EXPECT_TRUE(enterprise_from_json(j, errors).has_value()) << id << ": " << format_field_errors(errors);
  }
}

TEST(EnterpriseFromJson, TrlRangeChecked) {
  for (const json& bad : {json(0), json(10), json(7.5), json("7")}) {
    json j = minimal_enterprise();
    j["trl"] = bad;
    std::vector<FieldError> errors;
    EXPECT_FALSE(enterprise_from_json(j, errors).has_value()) << bad.dump();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].key, "trl");
  }
}

TEST(EnterpriseFromJson, CaseStageValidated) {
  json j = minimal_enterprise();
  j["cases"] = json::array({
      {{"title", "试点"}, {"customer", "国网杭州供电公司"}, {"year", 2024}, {"stage", "validation"}},
      {{"title", "推广"}, {"stage", "pilot"}},
      {{"description", "研发"}, {"stage", "rd"}},
      {{"title", "商用"}, {"stage", "commercialized"}},
  });
  std::vector<FieldError> errors;
  EXPECT_FALSE(enterprise_from_json(j, errors).has_value());
  ASSERT_EQ(errors.size(), 1u) << format_field_errors(errors);
  EXPECT_EQ(errors[0].key, "cases[1].stage");
  EXPECT_NE(errors[0].message.find("pilot"), std::string::npos);

  j["cases"][1]["stage"] = "commercialized";
  errors.clear();
  auto e = enterprise_from_json(j, errors);
  ASSERT_TRUE(e.has_value()) << format_field_errors(errors);
  ASSERT_EQ(e->cases.size(), 4u);
  EXPECT_EQ(e->cases[0].customer, "国网杭州供电公司");
  EXPECT_EQ(e->cases[0].year, 2024);
  EXPECT_EQ(e->cases[0].stage, "validation");
  EXPECT_EQ(e->cases[2].stage, "rd");
}

TEST(EnterpriseFromJson, CaseErrorsNamedWithIndex) {
  json j = minimal_enterprise();
  j["cases"] = json::array({{{"title", "x"}, {"year", 1800}}, "不是对象", {{"customer", "某单位"}}});
  std::vector<FieldError> errors;
  EXPECT_FALSE(enterprise_from_json(j, errors).has_value());
  std::set<std::string> keys;
  for (const auto& k : keys_of(errors)) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"cases[0].year", "cases[1]", "cases[2].title"}))
      << format_field_errors(errors);

  j["cases"] = {{"title", "x"}};  // an object, not an array
  errors.clear();
  EXPECT_FALSE(enterprise_from_json(j, errors).has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "cases");
}

TEST(EnterpriseFromJson, UnknownCaseKeyNotSilentlyLost) {
  json j = minimal_enterprise();
  j["cases"] = json::array({{{"title", "试点"}, {"amount_yuan", 500000}}});
  std::vector<FieldError> errors;
  auto e = enterprise_from_json(j, errors);
  if (!e) {
    EXPECT_TRUE(has_key(errors, "cases[0].amount_yuan")) << format_field_errors(errors);
  } else {
    EXPECT_EQ(to_json(*e)["cases"][0].value("amount_yuan", 0), 500000) << to_json(*e).dump();
  }
}

TEST(EnterpriseFromJson, CollectsEveryError) {
  json j = {{"id", "91350100M000100Y44"},
            {"trl", 12},
            {"capabilities", 5},
            {"size", "大"},
            {"cases", json::array({{{"title", "x"}, {"stage", "beta"}}})}};
  std::vector<FieldError> errors;
  EXPECT_FALSE(enterprise_from_json(j, errors).has_value());
  std::set<std::string> keys;
  for (const auto& k : keys_of(errors)) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"id", "name", "trl", "capabilities", "size", "cases[0].stage"}))
      << format_field_errors(errors);
}

TEST(EnterpriseToJson, FixtureEnterprisesRoundTrip) {
  auto records = testing::read_jsonl(testing::fixture("enterprises.jsonl"));
  ASSERT_EQ(records.size(), 165u);
  for (const auto& orig : records) {
    std::vector<FieldError> errors;
    auto e = enterprise_from_json(orig, errors);
    ASSERT_TRUE(e.has_value()) << orig.value("id", "") << ": " << format_field_errors(errors);
    json back = to_json(*e);
    for (auto it = orig.begin(); it != orig.end(); ++it) {
      if (it->is_null() || (it->is_array() && it->empty())) continue;
      EXPECT_EQ(back[it.key()], it.value()) << orig["id"] << " key " << it.key();
    }
  }
}

TEST(FormatFieldErrors, JoinsKeyAndMessage) {
  EXPECT_EQ(format_field_errors({{"title", "is required"}, {"budget.amount_min", "must be ≥ 0"}}),
            "title: is required; budget.amount_min: must be ≥ 0");
  EXPECT_EQ(format_field_errors({}), "");
}

TEST(RecordKindName, NamesBothKinds) {
  EXPECT_EQ(record_kind_name(RecordKind::kScenario), "scenario");
  EXPECT_EQ(record_kind_name(RecordKind::kEnterprise), "enterprise");
}

TEST(IsValidUtf8, DetectsMalformedSequences) {
  EXPECT_TRUE(is_valid_utf8("场景机会 ok"));
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_FALSE(is_valid_utf8("\xB3\xA1\xBE\xB0"));  // "场景" in GBK
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong "/"
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // UTF-16 surrogate
  EXPECT_FALSE(is_valid_utf8("\xE5\x9C"));          // truncated
}

TEST(CsvRowToJson, SplitsListsParsesIntsAndNestsDottedKeys) {
  std::vector<std::string> header = {
      "id",       "title",   "industries", "required_trl", "budget.amount_min", "budget.amount_max", "budget.currency",
      "keywords", "deadline"};
  std::vector<std::string> row = {"hz-1",    "智能巡检", "D4420;智能电网",      "7", "1234.56",
                                  "3000000", "CNY",      " 巡检 ; 红外测温;; ", ""};
  json j = csv_row_to_json(RecordKind::kScenario, header, row);
  EXPECT_EQ(j["id"], "hz-1");
  EXPECT_EQ(j["industries"], json::array({"D4420", "智能电网"}));
  EXPECT_EQ(j["keywords"], json::array({"巡检", "红外测温"}));
  ASSERT_TRUE(j["required_trl"].is_number_integer()) << j.dump();
  EXPECT_EQ(j["required_trl"].get<int>(), 7);
  ASSERT_TRUE(j["budget"].is_object()) << j.dump();
  EXPECT_DOUBLE_EQ(j["budget"]["amount_min"].get<double>(), 1234.56);
  EXPECT_EQ(j["budget"]["amount_max"].get<double>(), 3000000);
  EXPECT_EQ(j["budget"]["currency"], "CNY");
  EXPECT_FALSE(j.contains("deadline")) << "empty cells are absent";
}

TEST(CsvRowToJson, NonIntegerCellStaysStringSoValidatorNamesIt) {
  std::vector<std::string> header = {"id", "title", "description", "publisher", "required_trl"};
  std::vector<std::string> row = {"hz-1", "t", "d", "p", "7.5"};
  json j = csv_row_to_json(RecordKind::kScenario, header, row);
  ASSERT_TRUE(j["required_trl"].is_string());
  std::vector<FieldError> errors;
  EXPECT_FALSE(scenario_from_json(j, errors).has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "required_trl");
}

TEST(CsvRowToJson, JsonCellsParsedForCasesAndSize) {
  std::vector<std::string> header = {"id", "name", "cases", "trl", "size.employees", "contact", "qualifications"};
  std::vector<std::string> row = {
      "ent-1",
      "杭州睿巡智能装备有限公司",
      R"([{"title":"隧道巡检试点","customer":"国网杭州供电公司","year":2024,"stage":"validation"}])",
      "8",
      "320",
      R"({"email":"market@ruixun.example.com"})",
      "高新技术企业;专精特新"};
  json j = csv_row_to_json(RecordKind::kEnterprise, header, row);
  ASSERT_TRUE(j["cases"].is_array()) << j.dump();
  EXPECT_EQ(j["cases"][0]["customer"], "国网杭州供电公司");
  EXPECT_EQ(j["size"]["employees"], 320);
  EXPECT_EQ(j["contact"]["email"], "market@ruixun.example.com");
  std::vector<FieldError> errors;
  auto e = enterprise_from_json(j, errors);
  ASSERT_TRUE(e.has_value()) << format_field_errors(errors);
  ASSERT_EQ(e->cases.size(), 1u);
  EXPECT_EQ(e->cases[0].year, 2024);
  EXPECT_EQ(e->trl, 8);
  EXPECT_EQ(e->qualifications, (std::vector<std::string>{"高新技术企业", "专精特新"}));
}

TEST(CsvRowToJson, MalformedJsonCellStaysStringAndIsRejected) {
  std::vector<std::string> header = {"id", "name", "cases"};
  std::vector<std::string> row = {"ent-1", "某公司", "[{\"title\": "};
  json j = csv_row_to_json(RecordKind::kEnterprise, header, row);
  EXPECT_TRUE(j["cases"].is_string());
  std::vector<FieldError> errors;
  EXPECT_FALSE(enterprise_from_json(j, errors).has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "cases");
}

TEST(CsvRowToJson, ScenarioStatusWordsAndListDatesConverted) {
  std::vector<std::string> header = {"id", "status", "deadline", "posted_at"};
  struct Case {
    const char* status;
    const char* deadline;
    const char* want_status;
    const char* want_deadline;
  };
  for (Case c : {Case{"征集中", "2026/12/31", "open", "2026-12-31"}, Case{"已截止", "2026.1.5", "closed", "2026-01-05"},
                 Case{" 已揭榜 ", "2026年3月8日", "awarded", "2026-03-08"},
                 Case{"open", "2026-1-5 17:00", "open", "2026-01-05"}}) {
    json j = csv_row_to_json(RecordKind::kScenario, header, {"hz-1", c.status, c.deadline, "2026-11-10"});
    EXPECT_EQ(j["status"], c.want_status) << c.status;
    EXPECT_EQ(j["deadline"], c.want_deadline) << c.deadline;
    EXPECT_EQ(j["posted_at"], "2026-11-10");
  }
  // Not a date: left as written, so that the validator names it.
  json j = csv_row_to_json(RecordKind::kScenario, header, {"hz-1", "待定", "明年三月", ""});
  EXPECT_EQ(j["status"], "待定");
  EXPECT_EQ(j["deadline"], "明年三月");
  // A converted but impossible date is still rejected by the validator.
  j = csv_row_to_json(RecordKind::kScenario, {"id", "title", "description", "publisher", "deadline"},
                      {"hz-1", "t", "d", "p", "2026/02/30"});
  EXPECT_EQ(j["deadline"], "2026-02-30");
  std::vector<FieldError> errors;
  EXPECT_FALSE(scenario_from_json(j, errors).has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "deadline");
}

TEST(CsvRowToJson, ShortRowLeavesMissingKeysAbsent) {
  json j = csv_row_to_json(RecordKind::kEnterprise, {"id", "name", "trl"}, {"ent-1"});
  EXPECT_EQ(j, json({{"id", "ent-1"}}));
}

}  // namespace
}  // namespace jiebang

namespace jiebang {
namespace {

/// The message of the first error under `key`, or "" when none.
std::string message_for(const std::vector<FieldError>& errors, const std::string& key) {
  for (const auto& e : errors)
    if (e.key == key) return e.message;
  return "";
}

TEST(RecordLimits, OversizedFieldsAndListsAreRefusedNamingFieldAndLimit) {
  // The sizes an attacker sent the API (issue 16): a 1 MB title, a 7.3 MB description, 200,000 keywords.
  auto title = scenario_errors_with("title", std::string(1 << 20, 'x'));
  EXPECT_EQ(message_for(title, "title"), fmt::format("is 1048576 bytes, at most {} allowed", kRecordLimits.name_bytes));
  auto description = scenario_errors_with("description", std::string(7300000, 'y'));
  EXPECT_EQ(message_for(description, "description"),
            fmt::format("is 7300000 bytes, at most {} allowed", kRecordLimits.description_bytes));
  auto keywords = scenario_errors_with("keywords", json(std::vector<std::string>(200000, "k")));
  EXPECT_EQ(message_for(keywords, "keywords"), fmt::format("has 200000 items, at most {} allowed", kRecordLimits.list_items));
  auto long_item = scenario_errors_with("keywords", json::array({"ok", std::string(kRecordLimits.list_item_bytes + 1, 'z')}));
  EXPECT_TRUE(has_key(long_item, "keywords[1]")) << ::testing::PrintToString(keys_of(long_item));
  auto policy = scenario_errors_with("policy", json{{"blob", std::string(kRecordLimits.object_bytes, 'p')}});
  EXPECT_TRUE(has_key(policy, "policy"));
  auto unknown = scenario_errors_with("x_extra", std::string(kRecordLimits.object_bytes, 'u'));
  EXPECT_FALSE(unknown.empty());
  // At the limit is accepted: the bound is inclusive.
  EXPECT_TRUE(scenario_errors_with("title", std::string(kRecordLimits.name_bytes, 'x')).empty());
  EXPECT_TRUE(scenario_errors_with("keywords", json(std::vector<std::string>(kRecordLimits.list_items, "k"))).empty());
}

TEST(RecordLimits, EnterpriseCasesAreBoundedInNumberAndText) {
  json e = minimal_enterprise();
  e["cases"] = json::array();
  for (size_t i = 0; i <= kRecordLimits.cases; ++i) e["cases"].push_back({{"title", "案例"}});
  std::vector<FieldError> errors;
  EXPECT_FALSE(enterprise_from_json(e, errors));
  EXPECT_EQ(message_for(errors, "cases"), fmt::format("has {} items, at most {} allowed", kRecordLimits.cases + 1,
                                                      kRecordLimits.cases));
  json one = minimal_enterprise();
  one["cases"] = json::array({{{"title", "案例"}, {"description", std::string(kRecordLimits.description_bytes + 1, 'd')}}});
  errors.clear();
  EXPECT_FALSE(enterprise_from_json(one, errors));
  EXPECT_TRUE(has_key(errors, "cases[0].description")) << ::testing::PrintToString(keys_of(errors));
  json name = minimal_enterprise();
  name["name"] = std::string(kRecordLimits.name_bytes + 1, 'n');
  errors.clear();
  EXPECT_FALSE(enterprise_from_json(name, errors));
  EXPECT_TRUE(has_key(errors, "name"));
}

}  // namespace
}  // namespace jiebang

namespace jiebang {
namespace {

TEST(InputHygiene, ControlCharactersAndBidiOverridesAreRefusedNamingFieldByteAndCodePoint) {
  auto esc = scenario_errors_with("title", "巡检\x1b[2J机器人");
  ASSERT_EQ(esc.size(), 1u);
  EXPECT_EQ(esc[0].key, "title");
  EXPECT_NE(esc[0].message.find("U+001B at byte 6"), std::string::npos) << esc[0].message;
  auto nul = scenario_errors_with("description", std::string("a\0b", 3));
  EXPECT_TRUE(has_key(nul, "description"));
  auto rlo = scenario_errors_with("publisher", "杭州\u202Egpj.exe");
  ASSERT_EQ(rlo.size(), 1u);
  EXPECT_NE(rlo[0].message.find("U+202E"), std::string::npos) << rlo[0].message;
  auto isolate = scenario_errors_with("keywords", json::array({"ok", "x\u2066y"}));
  EXPECT_TRUE(has_key(isolate, "keywords[1]"));
  auto c1 = scenario_errors_with("list", "a\u0085b");
  EXPECT_TRUE(has_key(c1, "list"));
  auto del = scenario_errors_with("region", "33\x7f");
  EXPECT_TRUE(has_key(del, "region"));
  // Tab and line breaks stay allowed in text; other format characters (ZWJ, LRM) are not controls here.
  EXPECT_TRUE(scenario_errors_with("description", "第一段\r\n第二段\t表格\u200d\u200e").empty());
  EXPECT_EQ(find_forbidden_char("plain 中文"), std::nullopt);
  auto found = find_forbidden_char("ab\u202E");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->offset, 2u);
  EXPECT_EQ(found->codepoint, 0x202Eu);
}

// Regression (breaking pass, finding 5): the control-character rule held for the named text
// fields only; ESC, NUL, RLO and C1 controls were stored in the keys and values kept as given
// (unknown keys, policy, size, contact, budget's and a case's unknown keys).
TEST(InputHygiene, ControlCharactersAreRefusedInEveryKeyAndEveryNestedValue) {
  const std::vector<std::pair<std::string, std::string>> kBad = {
      {"ESC", "\x1b[2J"}, {"NUL", std::string("\0", 1)}, {"RLO", "\u202E"}, {"C1 NEL", "\u0085"}, {"C1 MW", "\u0095"}};
  for (const auto& [name, bad] : kBad) {
    auto expect_refused = [&name](const std::vector<FieldError>& errors, const std::string& key) {
      bool found = false;
      for (const auto& e : errors) found = found || (e.key == key && e.message.find("control character") != std::string::npos);
      EXPECT_TRUE(found) << name << " at " << key << ": " << format_field_errors(errors);
    };
    std::vector<FieldError> errors;
    // A scenario: an unknown key's value (nested), an unknown key's name, policy, budget.
    json s = minimal_scenario();
    s["source"] = {{"page", json::array({"ok", "x" + bad})}};
    EXPECT_FALSE(scenario_from_json(s, errors));
    expect_refused(errors, "source.page[1]");
    errors.clear();
    s = minimal_scenario();
    s["k" + bad] = "v";
    EXPECT_FALSE(scenario_from_json(s, errors));
    ASSERT_EQ(errors.size(), 1u) << format_field_errors(errors);
    EXPECT_NE(errors[0].message.find("the key"), std::string::npos) << errors[0].message;
    EXPECT_EQ(errors[0].message.find(bad), std::string::npos) << name << ": the message escapes the key";
    errors.clear();
    s = minimal_scenario();
    s["policy"] = {{"notes", "a" + bad}};
    EXPECT_FALSE(scenario_from_json(s, errors));
    expect_refused(errors, "policy.notes");
    errors.clear();
    s = minimal_scenario();
    s["policy"] = {{"n" + bad, 1}};
    EXPECT_FALSE(scenario_from_json(s, errors));
    expect_refused(errors, "policy");
    errors.clear();
    s = minimal_scenario();
    s["budget"] = {{"amount_max", 100}, {"memo" + bad, "x"}};
    EXPECT_FALSE(scenario_from_json(s, errors));
    expect_refused(errors, "budget");
    // An enterprise: contact, size, a case's unknown key.
    errors.clear();
    json e = minimal_enterprise();
    e["contact"] = {{"phone", "0571" + bad}};
    EXPECT_FALSE(enterprise_from_json(e, errors));
    expect_refused(errors, "contact.phone");
    errors.clear();
    e = minimal_enterprise();
    e["size"] = {{"employees", 10}, {"band", bad}};
    EXPECT_FALSE(enterprise_from_json(e, errors));
    expect_refused(errors, "size.band");
    errors.clear();
    e = minimal_enterprise();
    e["cases"] = json::array({{{"title", "试点"}, {"url", "http://x/" + bad}}});
    EXPECT_FALSE(enterprise_from_json(e, errors));
    expect_refused(errors, "cases[0].url");
  }
  // Tab and line breaks stay allowed there too, and records read back from the store are not re-judged.
  json ok = minimal_enterprise();
  ok["contact"] = {{"address", "第一行\n第二行\t"}};
  std::vector<FieldError> errors;
  EXPECT_TRUE(enterprise_from_json(ok, errors)) << format_field_errors(errors);
  json stored = minimal_enterprise();
  stored["contact"] = {{"phone", "\x1b"}};
  EXPECT_TRUE(enterprise_from_json(stored, errors, Admission::kStored)) << format_field_errors(errors);
}

TEST(InputHygiene, IdsAreTrimmedAndRestrictedToTheDocumentedCharacterSet) {
  json j = minimal_scenario();
  j["id"] = "  hz-2026.03_001:a \t";
  std::vector<FieldError> errors;
  auto s = scenario_from_json(j, errors);
  ASSERT_TRUE(s) << format_field_errors(errors);
  EXPECT_EQ(s->id, "hz-2026.03_001:a");
  for (const char* bad : {"hz 001", "hz/001", "场景001", "a\u202Eb", "id%2F", "a\x1b"}) {
    auto errs = scenario_errors_with("id", bad);
    EXPECT_TRUE(has_key(errs, "id")) << bad;
  }
  // A USCC is in the set; its check character is still verified.
  json e = minimal_enterprise();
  e["id"] = " 91330108MA2M95UY1P ";
  errors.clear();
  auto ent = enterprise_from_json(e, errors);
  ASSERT_TRUE(ent) << format_field_errors(errors);
  EXPECT_EQ(ent->id, "91330108MA2M95UY1P");
  EXPECT_TRUE(is_valid_record_id("ent-0001"));
  EXPECT_FALSE(is_valid_record_id(""));
  EXPECT_FALSE(is_valid_record_id(std::string(201, 'a')));
}

}  // namespace
}  // namespace jiebang

namespace jiebang {
namespace {

// Regression (found by fuzz/csv_fuzz.cpp): invalid UTF-8 in an unknown key or in a value quoted
// back in an error message threw nlohmann's type_error 316 out of the validator.
TEST(InputHygiene, InvalidUtf8InUnknownKeysOrQuotedValuesIsNeverAnException) {
  nlohmann::json j = {{"id", "e-1"}, {"name", "n"}, {"titl\xA1", "x"}, {"trl", "\xA1"}};
  std::vector<FieldError> errors;
  EXPECT_NO_THROW((void)enterprise_from_json(j, errors));
  bool trl_named = false;
  for (const auto& e : errors) trl_named = trl_named || e.key == "trl";
  EXPECT_TRUE(trl_named);
}

}  // namespace
}  // namespace jiebang

namespace jiebang {
namespace {

// Regression (breaking pass, session 14, finding 12, "small validation gaps"): a title of only
// zero-width characters counted as given, and a deadline in year 0000 was accepted.
TEST(InputHygiene, ARequiredTextOfOnlyInvisibleCharactersIsEmptyAndDatesBefore1900AreRefused) {
  for (std::string invisible : {"\u200B\u200B", "\uFEFF", " \u3000\u00A0", "\u2060\u200D\u3164", "\u00AD"}) {
    auto errors = scenario_errors_with("title", invisible);
    ASSERT_TRUE(has_key(errors, "title")) << format_field_errors(errors);
    EXPECT_NE(errors[0].message.find("only spaces or invisible characters"), std::string::npos) << errors[0].message;
  }
  EXPECT_TRUE(scenario_errors_with("title", "巡检\u200B机器人").empty());
  EXPECT_TRUE(scenario_errors_with("title", "\u200BA").empty());
  std::vector<FieldError> errors;
  json e = minimal_enterprise();
  e["name"] = "\u200C\u200B";
  EXPECT_FALSE(enterprise_from_json(e, errors));
  EXPECT_TRUE(has_key(errors, "name")) << format_field_errors(errors);
  EXPECT_FALSE(has_visible_char(""));
  EXPECT_TRUE(has_visible_char("\xFF"));  // ill-formed bytes are is_valid_utf8's business

  for (std::string day : {"0000-01-01", "1899-12-31"}) {
    auto bad = scenario_errors_with("deadline", day);
    ASSERT_TRUE(has_key(bad, "deadline")) << day;
    EXPECT_NE(bad[0].message.find("before 1900-01-01"), std::string::npos) << bad[0].message;
    EXPECT_TRUE(has_key(scenario_errors_with("posted_at", day), "posted_at")) << day;
  }
  EXPECT_TRUE(scenario_errors_with("deadline", "1900-01-01").empty());
  EXPECT_TRUE(scenario_errors_with("deadline", "2026-12-31").empty());
}

// Finding 12: a JSON object with a key twice was read as its last value (nlohmann's choice; other
// readers keep the first). Refused wherever a record's JSON is read: parse_json_text.
TEST(InputHygiene, AJsonObjectWithAKeyGivenTwiceIsRefusedAtAnyDepth) {
  EXPECT_THROW(parse_json_text(R"({"status":"closed","status":"open"})", 64), JsonDuplicateKey);
  try {
    parse_json_text(R"({"a":1,"policy":{"x":[{"k":1,"k":2}]}})", 64);
    ADD_FAILURE() << "a nested duplicate was accepted";
  } catch (const JsonDuplicateKey& e) {
    EXPECT_EQ(e.key, "\"k\"");
    EXPECT_NE(std::string(e.what()).find("the key \"k\" is given twice"), std::string::npos) << e.what();
  }
  // The same key in two different objects, or after its object closed, is fine.
  auto ok = parse_json_text(R"({"a":{"x":1},"b":{"x":2},"c":[{"x":3},{"x":4}]})", 64);
  EXPECT_EQ(ok["c"][1]["x"], 4);
  EXPECT_THROW(parse_json_text(std::string(100, '[') + std::string(100, ']'), 64), JsonTooDeep);
  EXPECT_THROW(parse_json_text("{\"a\":", 64), nlohmann::json::parse_error);
}

}  // namespace
}  // namespace jiebang
