// Black-box tests of the pages behind the strict front: page paths reach the pages (not the JSON
// router's 404/405), page GETs run on the read pool and see every answered write, page forms
// without a live session are turned away from their head (before the body), the import form
// takes a list as large as the API's import, and the session cookie authorises API reads only.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "api_test_util.h"
#include "jiebang/web/pages.h"

namespace jiebang::testing {
namespace {

using nlohmann::json;

/// Imports are capped at 64 KiB here so that a list at the limit is quick to send and import.
api::ApiConfig small_limits() {
  api::ApiConfig c;
  c.max_body_bytes = 64 * 1024;
  c.max_json_body_bytes = 16 * 1024;
  return c;
}

class PagesFront : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new TestServer(true, small_limits(), {}, std::make_shared<web::Pages>());
  }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }
  static TestServer& env() { return *env_; }
  static HttpClient http() { return env_->client(); }

  /// Signs in with `key` through the form; returns the session cookie's value ("" on failure).
  static std::string sign_in(const std::string& key) {
    auto r = http().request("POST", "/signin", "", "key=" + url_encode(key), "application/x-www-form-urlencoded");
    std::smatch m;
    std::string cookie = r.header("set-cookie");
    if (r.status != 303 || !std::regex_search(cookie, m, std::regex("jb_session=([^;]+)"))) return "";
    return m[1];
  }
  /// The CSRF token of the signed-in desk page.
  static std::string csrf(const std::string& session) {
    auto r = http().request("GET", "/me", "", "", "", {"Cookie: jb_session=" + session});
    std::smatch m;
    if (!std::regex_search(r.body, m, std::regex("name=\"csrf\" value=\"([^\"]+)\""))) return "";
    return m[1];
  }

 private:
  inline static TestServer* env_ = nullptr;
};

TEST_F(PagesFront, PagePathsAreServedByThePagesWithTheirOwnMethods) {
  auto search = http().get("/scenarios?q=" + url_encode("巡检"));
  EXPECT_EQ(search.status, 200);
  EXPECT_NE(search.header("content-type").find("text/html"), std::string::npos);
  auto root = http().get("/");
  EXPECT_EQ(root.status, 303);
  EXPECT_EQ(root.header("location"), "/scenarios");
  EXPECT_EQ(http().get("/scenarios/hz-2026-03-001").status, 200);
  EXPECT_EQ(http().get("/assets/app.css").status, 200);
  auto lang = http().get("/lang/en?next=/scenarios");
  EXPECT_EQ(lang.status, 303);
  EXPECT_NE(lang.header("set-cookie").find("lang=en"), std::string::npos);

  auto head = http().request("HEAD", "/scenarios");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  // Regression (breaking pass, finding 9): HEAD on a page said Content-Length 0; it is the GET's
  // length (RFC 9110 §9.3.2).
  for (const char* path : {"/scenarios/hz-2026-03-001", "/assets/app.css", "/signin"}) {
    auto get = http().get(path);
    auto head_of = http().request("HEAD", path);
    EXPECT_EQ(head_of.status, get.status) << path;
    EXPECT_EQ(head_of.body, "") << path;
    EXPECT_FALSE(get.body.empty()) << path;
    EXPECT_EQ(head_of.header("content-length"), std::to_string(get.body.size())) << path;
  }
  auto options = http().request("OPTIONS", "/scenarios");
  EXPECT_EQ(options.status, 204);
  EXPECT_EQ(options.header("allow"), "GET, HEAD, POST, OPTIONS");
  for (const char* method : {"PUT", "PATCH", "DELETE", "TRACE"}) {
    auto r = http().request(method, "/scenarios");
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(r.header("allow"), "GET, HEAD, POST, OPTIONS") << method;
  }
  auto brew = http().request("BREW", "/scenarios");
  EXPECT_EQ(brew.status, 501);
  // Regression (breaking pass, finding 9): 501 and 422 problems had the generic title "HTTP 501".
  EXPECT_EQ(brew.json()["title"], "Not Implemented") << brew.body;
  EXPECT_EQ(brew.json()["type"], "urn:jiebang:problem:not-implemented") << brew.body;
  // The API's own paths stay the API's.
  EXPECT_EQ(http().get("/v1/nothing").status, 404);
  EXPECT_EQ(http().get("/healthz").status, 200);
}

TEST_F(PagesFront, FormsWithoutALiveSessionAreTurnedAwayFromTheirHead) {
  const size_t eight_mb = 8u << 20;
  for (const std::string cookie : {"", "Cookie: jb_session=js_forged\r\n"}) {
    Socket s(env().port);
    HttpReply r = upload_while_reading(
        s,
        "POST /import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n" + cookie +
            "Content-Length: " + std::to_string(eight_mb) + "\r\n\r\n",
        eight_mb);
    EXPECT_EQ(r.status, 303) << cookie;
    EXPECT_EQ(r.header("location"), "/signin") << cookie;
  }
  // The sign-in form itself needs no session, and is small.
  auto big = http().request("POST", "/signin", "", std::string(8 * 1024, 'a'), "application/x-www-form-urlencoded");
  EXPECT_EQ(big.status, 413);
}

TEST_F(PagesFront, SessionCookieAuthorisesApiReadsButNeverApiWrites) {
  std::string session = sign_in(env().enterprise_key);
  ASSERT_FALSE(session.empty());
  std::string cookie = "Cookie: theme=dark; jb_session=" + session;
  EXPECT_EQ(http().request("GET", "/v1/matches", "", "", "", {cookie}).status, 200);
  json apply = {{"scenario_id", "hz-2026-03-001"}, {"enterprise_id", env().enterprise_id}};
  auto write = http().request("POST", "/v1/matches", "", apply.dump(), "application/json", {cookie});
  EXPECT_EQ(write.status, 401) << write.body;
  EXPECT_EQ(http().request("GET", "/v1/matches", "", "", "", {"Cookie: jb_session=js_forged"}).status, 401);
  // Operator-only routes stay operator-only through a session.
  EXPECT_EQ(http().request("GET", "/v1/gaps", "", "", "", {cookie}).status, 403);
}

TEST_F(PagesFront, PageReadsOnTheReadPoolSeeTheWritesOfTheirForms) {
  std::string session = sign_in(env().enterprise_key);
  ASSERT_FALSE(session.empty());
  std::string token = csrf(session);
  ASSERT_FALSE(token.empty());
  std::string cookie = "Cookie: jb_session=" + session;
  // A page read right after each answered write sees it (the reader reopens its index handles).
  for (const char* scenario : {"hz-2026-03-002", "hz-2026-03-003"}) {
    auto applied = http().request("POST", "/apply", "",
                                  "csrf=" + url_encode(token) + "&scenario_id=" + scenario + "&note=x",
                                  "application/x-www-form-urlencoded", {cookie});
    ASSERT_EQ(applied.status, 303) << applied.body;
    std::string match = applied.header("location");
    ASSERT_TRUE(match.starts_with("/matches/")) << match;
    auto page = http().request("GET", match, "", "", "", {cookie});
    EXPECT_EQ(page.status, 200) << page.body;
    EXPECT_NE(page.body.find(scenario), std::string::npos);
    auto desk = http().request("GET", "/me", "", "", "", {cookie});
    EXPECT_NE(desk.body.find(match.substr(9)), std::string::npos) << "the desk lists the new match";
  }
  // A form without the session's CSRF token, or from another origin, is refused.
  EXPECT_EQ(http().request("POST", "/apply", "", "csrf=wrong&scenario_id=hz-2026-03-004",
                           "application/x-www-form-urlencoded", {cookie}).status, 403);
  EXPECT_EQ(http().request("POST", "/apply", "", "csrf=" + url_encode(token) + "&scenario_id=hz-2026-03-004",
                           "application/x-www-form-urlencoded", {cookie, "Origin: http://evil.example"}).status, 403);
}

TEST_F(PagesFront, ImportFormTakesAListAsLargeAsTheApisImport) {
  std::string session = sign_in(env().publisher_key);
  ASSERT_FALSE(session.empty());
  std::string token = csrf(session);
  ASSERT_FALSE(token.empty());
  json record = scenario("pf-import-1", "页面导入的场景", kFixturePublisher);
  const size_t limit = small_limits().max_body_bytes;
  // One record, then blank lines up to the API's import limit exactly: the file alone is that large.
  std::string file = record.dump() + "\n";
  file += std::string(limit - file.size(), '\n');
  auto form = [&](const std::string& content) {
    return "--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + token +
           "\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"list.jsonl\"\r\n"
           "Content-Type: application/octet-stream\r\n\r\n" + content + "\r\n--b--\r\n";
  };
  auto r = http().request("POST", "/import", "", form(file), "multipart/form-data; boundary=b",
                          {"Cookie: jb_session=" + session});
  EXPECT_EQ(r.status, 200) << r.body.substr(0, 500);
  EXPECT_NE(r.body.find("import-summary"), std::string::npos) << r.body.substr(0, 500);
  EXPECT_EQ(http().get("/v1/scenarios/pf-import-1", env().publisher_key).status, 200);
  // Past the import limit and the envelope's allowance: 413 from the head.
  std::string huge(limit + web::Pages::kMultipartSlack + 1, '\n');
  auto over = http().request("POST", "/import", "", huge, "multipart/form-data; boundary=b",
                             {"Cookie: jb_session=" + session});
  EXPECT_EQ(over.status, 413);
}

TEST_F(PagesFront, APublishersOwnScenariosWithTheirMatchesAndFunnel) {
  ASSERT_EQ(http().post("/v1/scenarios", env().publisher_key, scenario("pf-mine-1", "我发布的场景一", kFixturePublisher)).status, 201);
  auto applied = http().post("/v1/matches", env().enterprise_key,
                             json{{"scenario_id", "pf-mine-1"}, {"enterprise_id", env().enterprise_id}});
  ASSERT_EQ(applied.status, 201) << applied.body;
  std::string session = sign_in(env().publisher_key);
  ASSERT_FALSE(session.empty());
  auto r = http().request("GET", "/my-scenarios", "", "", "", {"Cookie: jb_session=" + session});
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
  // The desk and the header link to it.
  auto desk = http().request("GET", "/me", "", "", "", {"Cookie: jb_session=" + session});
  EXPECT_NE(desk.body.find("href=\"/my-scenarios\""), std::string::npos);
  // Its row: the title linking to the scenario, one match linking to the scenario's matches, and
  // the funnel: recommended and applied reached once, nothing further.
  std::smatch row;
  ASSERT_TRUE(std::regex_search(r.body, row, std::regex("<tr data-id=\"pf-mine-1\">(.*?)</tr>"))) << r.body.substr(0, 2000);
  std::string cells = row[1];
  EXPECT_NE(cells.find("<a href=\"/scenarios/pf-mine-1\">我发布的场景一</a>"), std::string::npos) << cells;
  EXPECT_NE(cells.find("href=\"/scenarios/pf-mine-1#matches\">1</a>"), std::string::npos) << cells;
  EXPECT_NE(cells.find("<td data-label=\"揭榜\" class=\"num\">1</td>"), std::string::npos) << cells;
  EXPECT_NE(cells.find("<td data-label=\"挂帅\" class=\"num\">0</td>"), std::string::npos) << cells;
  // The last written first; every scenario of the publisher's is listed (the fixtures' too).
  std::smatch first;
  ASSERT_TRUE(std::regex_search(r.body, first, std::regex("<tr data-id=\"([^\"]+)\">")));
  EXPECT_EQ(first[1], "pf-mine-1");
  EXPECT_NE(r.body.find("data-id=\"hz-2026-03-001\""), std::string::npos);
  // The scenario's page has the matches the count links to.
  auto scenario_page = http().request("GET", "/scenarios/pf-mine-1", "", "", "", {"Cookie: jb_session=" + session});
  EXPECT_NE(scenario_page.body.find("id=\"matches\""), std::string::npos);
  EXPECT_NE(scenario_page.body.find(applied.json()["id"].get<std::string>()), std::string::npos);
  EXPECT_EQ(scenario_page.body.find("scenario-matches-empty"), std::string::npos);

  std::string other = sign_in(env().other_publisher_key);
  auto theirs = http().request("GET", "/my-scenarios", "", "", "", {"Cookie: jb_session=" + other});
  EXPECT_EQ(theirs.status, 200);
  EXPECT_EQ(theirs.body.find("pf-mine-1"), std::string::npos);
  EXPECT_EQ(theirs.body.find("hz-2026-03-001"), std::string::npos);
  EXPECT_NE(theirs.body.find("my-scenarios-empty"), std::string::npos);
  // Not for an enterprise; not without a session.
  std::string ent = sign_in(env().enterprise_key);
  auto refused = http().request("GET", "/my-scenarios", "", "", "", {"Cookie: jb_session=" + ent});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.body.find("id=\"my-scenarios\""), std::string::npos);
  auto anonymous = http().get("/my-scenarios");
  EXPECT_EQ(anonymous.status, 303);
  EXPECT_EQ(anonymous.header("location"), "/signin");
}

TEST_F(PagesFront, ABadFormSaysAtEachFieldWhatIsWrongInThePagesLanguageAndKeepsTheInput) {
  std::string session = sign_in(env().publisher_key);
  ASSERT_FALSE(session.empty());
  std::string token = csrf(session);
  ASSERT_FALSE(token.empty());
  std::string form = "csrf=" + url_encode(token) + "&id=pf-bad-1&title=&description=" + url_encode("保留的描述<b>") +
                     "&required_trl=12&budget.amount_min=" + url_encode("一百万") + "&deadline=" + url_encode("明年<年底>");
  auto field_error = [](const std::string& body, const std::string& field) {
    std::smatch m;
    return std::regex_search(body, m, std::regex("<p class=\"error\" id=\"err-" + field + "\">([^<]*)</p>")) ? m[1].str() : "";
  };
  for (bool en : {false, true}) {
    std::vector<std::string> headers = {"Cookie: jb_session=" + session + (en ? "; lang=en" : "")};
    auto r = http().request("POST", "/publish", "", form, "application/x-www-form-urlencoded", headers);
    ASSERT_EQ(r.status, 400) << r.body.substr(0, 500);
    if (!en) {
      EXPECT_EQ(field_error(r.body, "title"), "请填写场景名称。");
      EXPECT_EQ(field_error(r.body, "required_trl"), "技术成熟度要求应为 1 到 9 之间的整数，请改正。");
      EXPECT_EQ(field_error(r.body, "deadline"), "截止日期应为日期，格式如 2026-12-31，请改正。");
      EXPECT_EQ(field_error(r.body, "budget.amount_min"), "预算下限应为以元为单位的金额，只填数字（例如 1000000），请改正。");
      EXPECT_NE(r.body.find("有 4 处需要修改"), std::string::npos);
    } else {
      EXPECT_EQ(field_error(r.body, "title"), "Title is required: fill it in.");
      EXPECT_EQ(field_error(r.body, "required_trl"), "Required TRL must be a whole number from 1 to 9: correct it.");
      EXPECT_NE(r.body.find("4 fields to correct"), std::string::npos);
    }
    EXPECT_EQ(field_error(r.body, "description"), "") << "no message at a good field";
    // The message sits right after its field, which points at it; what was typed is kept, escaped.
    EXPECT_NE(r.body.find("name=\"required_trl\" aria-describedby=\"err-required_trl\" aria-invalid=\"true\" value=\"12\">"
                          "<p class=\"error\" id=\"err-required_trl\">"),
              std::string::npos);
    EXPECT_NE(r.body.find(">保留的描述&lt;b&gt;</textarea>"), std::string::npos);
    EXPECT_NE(r.body.find("value=\"明年&lt;年底&gt;\""), std::string::npos);
  }
  // An id already taken is said at the id field.
  std::string taken = "csrf=" + url_encode(token) + "&id=hz-2026-03-001&title=x&description=y";
  auto r = http().request("POST", "/publish", "", taken, "application/x-www-form-urlencoded", {"Cookie: jb_session=" + session});
  EXPECT_EQ(field_error(r.body, "id"), "编号“hz-2026-03-001”已被使用，请换一个编号。") << r.body.substr(0, 3000);
}

TEST_F(PagesFront, TheDeadlineIsATextFieldInThePagesLanguageTakingDatesAsPeopleWriteThem) {
  std::string session = sign_in(env().publisher_key);
  ASSERT_FALSE(session.empty());
  std::string token = csrf(session);
  std::string cookie = "Cookie: jb_session=" + session;
  // Not the browser's date input (whose "mm/dd/yyyy" follows the browser's locale): a text field
  // with a year-month-day hint in the page's language, tied to the field.
  for (bool en : {false, true}) {
    auto form = http().request("GET", "/publish", "", "", "", {cookie + (en ? "; lang=en" : "")});
    ASSERT_EQ(form.status, 200);
    EXPECT_EQ(form.body.find("type=\"date\""), std::string::npos);
    EXPECT_NE(form.body.find(en ? "<input type=\"text\" id=\"f-deadline\" name=\"deadline\" aria-describedby=\"help-deadline\" value=\"\" "
                                  "placeholder=\"YYYY-MM-DD\""
                                : "<input type=\"text\" id=\"f-deadline\" name=\"deadline\" aria-describedby=\"help-deadline\" value=\"\" "
                                  "placeholder=\"年-月-日\""),
              std::string::npos)
        << form.body.substr(0, 4000);
    EXPECT_NE(form.body.find(en ? "id=\"help-deadline\">Year-month-day, e.g. 2026-12-31" : "id=\"help-deadline\">年-月-日，例如 2026-12-31"),
              std::string::npos);
  }
  // Dates as people write them are stored as the API's YYYY-MM-DD.
  const std::vector<std::pair<std::string, std::string>> written = {
      {"2099年12月31日", "2099-12-31"}, {"2099/1/5", "2099-01-05"}, {" 2099.03.08 ", "2099-03-08"},
      {"２０９９年２月３号", "2099-02-03"}, {"2099-07-01", "2099-07-01"}};
  int n = 0;
  for (const auto& [typed, stored] : written) {
    std::string id = "pf-date-" + std::to_string(++n);
    auto r = http().request("POST", "/publish", "",
                            "csrf=" + url_encode(token) + "&id=" + id + "&title=x&description=y&deadline=" + url_encode(typed),
                            "application/x-www-form-urlencoded", {cookie});
    ASSERT_EQ(r.status, 303) << typed << "\n" << r.body.substr(0, 2000);
    EXPECT_EQ(http().get("/v1/scenarios/" + id, env().publisher_key).json()["deadline"], stored) << typed;
  }
  // A date of that shape that does not exist is still the API's to refuse, said at the field with what was typed.
  auto r = http().request("POST", "/publish", "", "csrf=" + url_encode(token) + "&id=pf-date-x&title=x&description=y&deadline=" +
                                                      url_encode("2099年2月30日"),
                          "application/x-www-form-urlencoded", {cookie});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("<p class=\"error\" id=\"err-deadline\">截止日期“2099-02-30”这一天不存在，请改正。</p>"), std::string::npos)
      << r.body.substr(0, 3000);
  EXPECT_NE(r.body.find("value=\"2099年2月30日\""), std::string::npos);
  EXPECT_EQ(http().get("/v1/scenarios/pf-date-x", env().publisher_key).status, 404);
}

TEST_F(PagesFront, TheRegionFieldTakesANameOrCodeWithoutScriptAndThePickerHasTheTable) {
  std::string session = sign_in(env().publisher_key);
  ASSERT_FALSE(session.empty());
  std::string token = csrf(session);
  std::string cookie = "Cookie: jb_session=" + session;
  auto post = [&](const std::string& id, const std::string& region) {
    return http().request("POST", "/publish", "",
                          "csrf=" + url_encode(token) + "&id=" + id + "&title=x&description=y&region=" + url_encode(region),
                          "application/x-www-form-urlencoded", {cookie});
  };
  // A place name (as a browser without script sends it) is stored as its GB/T 2260 code.
  auto named = post("pf-region-1", "杭州市西湖区");
  ASSERT_EQ(named.status, 303) << named.body.substr(0, 2000);
  EXPECT_EQ(http().get("/v1/scenarios/pf-region-1", env().publisher_key).json()["region"], "330106");
  ASSERT_EQ(post("pf-region-2", "330102").status, 303);
  EXPECT_EQ(http().get("/v1/scenarios/pf-region-2", env().publisher_key).json()["region"], "330102");
  // A name of no region: said at the field, what was typed kept, nothing written.
  auto unknown = post("pf-region-3", "火星市<i>");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("<p class=\"error\" id=\"err-region\">找不到地区“火星市&lt;i&gt;”：请输入完整地名"), std::string::npos)
      << unknown.body.substr(0, 3000);
  EXPECT_NE(unknown.body.find("value=\"火星市&lt;i&gt;\""), std::string::npos);
  EXPECT_EQ(http().get("/v1/scenarios/pf-region-3", env().publisher_key).status, 404);
  // A code outside GB/T 2260: the API's rule, said in Chinese.
  auto bad_code = post("pf-region-4", "999999");
  EXPECT_EQ(bad_code.status, 400);
  EXPECT_NE(bad_code.body.find("“999999”不是有效的 GB/T 2260 地区"), std::string::npos);
  // The form shows a stored code by its name, with the code for the picker.
  auto form = http().request("GET", "/publish", "", "", "", {cookie});
  EXPECT_NE(form.body.find("data-region-picker"), std::string::npos);

  // The picker's table: provinces, a province's cities (a municipality's named by the province), a city's areas.
  auto table = http().get("/regions.json");
  ASSERT_EQ(table.status, 200);
  json children = table.json()["children"];
  auto has = [&](const std::string& parent, const std::string& code, const std::string& name) {
    for (const auto& e : children[parent])
      if (e[0] == code) return e[1] == name;
    return false;
  };
  EXPECT_TRUE(has("", "330000", "浙江省"));
  EXPECT_TRUE(has("330000", "330100", "杭州市"));
  EXPECT_TRUE(has("330100", "330106", "西湖区"));
  EXPECT_TRUE(has("110000", "110100", "北京市"));
  EXPECT_TRUE(has("110100", "110105", "朝阳区"));
  EXPECT_FALSE(children.contains("330106")) << "areas have no children";
}

/// The field lines named `lower_name` (lower case) of a raw response's head, in order.
std::vector<std::string> field_lines(const std::string& raw, const std::string& lower_name) {
  std::vector<std::string> out;
  size_t end = raw.find("\r\n\r\n");
  for (size_t pos = raw.find("\r\n"); pos != std::string::npos && pos < end;) {
    size_t eol = raw.find("\r\n", pos + 2);
    std::string line = raw.substr(pos + 2, eol - pos - 2);
    size_t colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (colon != std::string::npos && name == lower_name) out.push_back(line.substr(line.find_first_not_of(' ', colon + 1)));
    pos = eol;
  }
  return out;
}

// Regression (breaking pass, finding 6): a response with two Set-Cookie fields went out as one
// line joined with ", " (cpprestsdk's header map), so a browser signing in with a stale session
// cookie got one broken cookie and no session. Each must be a field line of its own, in order
// (the stale session's removal first, then the new session), and the internal carrier names
// never reach the client.
TEST_F(PagesFront, EachSetCookieIsAFieldLineOfItsOwnInTheOrderWritten) {
  std::string form = "key=" + url_encode(env().enterprise_key);
  Socket s(env().port);
  s.send_all("POST /signin HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
             "Content-Type: application/x-www-form-urlencoded\r\nCookie: jb_session=js_stale_from_yesterday\r\n"
             "Content-Length: " + std::to_string(form.size()) + "\r\n\r\n" + form);
  std::string raw = s.read_all();
  ASSERT_EQ(parse_reply(raw).status, 303) << raw.substr(0, 600);
  auto cookies = field_lines(raw, "set-cookie");
  ASSERT_EQ(cookies.size(), 2u) << raw.substr(0, 600);
  EXPECT_TRUE(cookies[0].starts_with("jb_session=;")) << cookies[0];
  EXPECT_NE(cookies[0].find("Max-Age=0"), std::string::npos) << cookies[0];
  std::smatch m;
  ASSERT_TRUE(std::regex_search(cookies[1], m, std::regex("^jb_session=([^;,]+);"))) << cookies[1];
  EXPECT_EQ(raw.find("X-Jiebang-Repeat"), std::string::npos) << raw.substr(0, 600);
  // The new session works, read the way a browser stores the second line.
  EXPECT_EQ(http().request("GET", "/me", "", "", "", {"Cookie: jb_session=" + m[1].str()}).status, 200);
}

// The request side of the same kind: two Cookie field lines reach the service as one joined with
// "; " (cpprestsdk joined them with ", ", which hid the session cookie of the second line).
TEST_F(PagesFront, TwoCookieFieldLinesAreReadAsOneCookieList) {
  std::string session = sign_in(env().enterprise_key);
  ASSERT_FALSE(session.empty());
  auto r = http().request("GET", "/v1/matches", "", "", "", {"Cookie: theme=dark", "Cookie: jb_session=" + session});
  EXPECT_EQ(r.status, 200) << r.body;
  auto page = http().request("GET", "/me", "", "", "", {"Cookie: lang=en", "Cookie: jb_session=" + session});
  EXPECT_EQ(page.status, 200) << page.body.substr(0, 300);
}

// Regression (breaking pass, finding 7): /lang/{en,zh}?next= redirected off-site for targets a
// browser reads as another host ("/\\evil", "/<tab>/evil"). Only a local path is followed; any
// other goes to "/".
TEST_F(PagesFront, TheLanguageSwitchRedirectsOnlyToALocalPath) {
  for (const char* bad : {"//evil.example", "/%5Cevil.example", "/%5cevil.example", "/%2F/evil.example",
                          "/%2f%2fevil.example", "/%09/evil.example", "/%0A/evil.example", "/%0D%0A/evil.example",
                          "%2F%2Fevil.example", "/%252F/evil.example", "/%255Cevil.example", "https://evil.example",
                          "http:/evil.example", "javascript:alert(1)", "%20/evil.example", "/%20/evil.example",
                          "/%E2%80%AE/evil.example", "/%C2%85/evil.example", "/%00/evil.example", "", "evil.example",
                          "/%5C%5Cevil.example", "/a%5Cb"}) {
    auto r = http().get(std::string("/lang/en?next=") + bad);
    EXPECT_EQ(r.status, 303) << bad;
    EXPECT_EQ(r.header("location"), "/") << bad;
  }
  // A backslash sent raw in the query (not percent-encoded) is refused too.
  auto raw = http().raw("GET /lang/en?next=/\\evil.example HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(raw.status == 400 || (raw.status == 303 && raw.header("location") == "/")) << raw.status;
  // Local paths, the way the pages' own switch links write them, are followed.
  EXPECT_EQ(http().get("/lang/en?next=%2Fscenarios").header("location"), "/scenarios");
  EXPECT_EQ(http().get("/lang/zh?next=" + url_encode("/scenarios?q=%E5%B7%A1%E6%A3%80+a&page=2")).header("location"),
            "/scenarios?q=%E5%B7%A1%E6%A3%80+a&page=2");
  EXPECT_EQ(http().get("/lang/zh?next=" + url_encode("/scenarios?q=a%20b")).header("location"), "/scenarios?q=a%20b");
  EXPECT_EQ(http().get("/lang/en?next=/me").header("location"), "/me");
}

// Regression (breaking pass, finding 8): the publisher's invite form on a closed scenario made a
// match; the rule lives in the lifecycle, so the page refuses it as the API does.
TEST_F(PagesFront, TheInviteFormRefusesAClosedScenario) {
  json closed = scenario("pf-closed-1", "已关闭的页面场景", kFixturePublisher);
  closed["status"] = "closed";
  ASSERT_EQ(http().post("/v1/scenarios", env().publisher_key, closed).status, 201);
  std::string session = sign_in(env().publisher_key);
  ASSERT_FALSE(session.empty());
  std::string token = csrf(session);
  ASSERT_FALSE(token.empty());
  auto r = http().request("POST", "/invite", "",
                          "csrf=" + url_encode(token) + "&scenario_id=pf-closed-1&enterprise_id=" + url_encode(env().enterprise_id),
                          "application/x-www-form-urlencoded", {"Cookie: jb_session=" + session});
  EXPECT_EQ(r.status, 409) << r.body.substr(0, 400);
  auto matches = http().get("/v1/matches?scenario_id=pf-closed-1", env().operator_key);
  ASSERT_EQ(matches.status, 200);
  EXPECT_TRUE(matches.json()["matches"].empty()) << matches.body;
  // Its page says so in words, under the heading the count links to (it was a bare heading).
  auto page = http().request("GET", "/scenarios/pf-closed-1", "", "", "", {"Cookie: jb_session=" + session});
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<p class=\"empty\" id=\"scenario-matches-empty\">还没有企业揭榜或被邀请。</p>"), std::string::npos)
      << page.body.substr(page.body.find("id=\"matches\""), 400);
}

TEST_F(PagesFront, GapsAreServedToTheOperatorThroughTheReadPool) {
  auto r = http().get("/v1/gaps?threshold=0.9", env().operator_key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json().contains("groups"));
  EXPECT_EQ(http().get("/v1/gaps", env().publisher_key).status, 403);
  EXPECT_EQ(http().get("/v1/gaps").status, 401);
}

}  // namespace
}  // namespace jiebang::testing
