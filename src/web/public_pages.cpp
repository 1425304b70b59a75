// The public pages (no sign-in): the scenario search with facets and paging, a scenario's page, sign-in.
#include "pages_common.h"

#include <algorithm>

namespace jiebang::web {
namespace {

/// A Xapian snippet (HTML-escaped by Xapian, matches in <b>…</b>) with <mark> for the matches;
/// anything else that looks like markup is escaped again.
std::string snippet_html(const std::string& snippet) {
  std::string out;
  size_t i = 0;
  while (i < snippet.size()) {
    if (snippet.compare(i, 3, "<b>") == 0) {
      out += "<mark>";
      i += 3;
    } else if (snippet.compare(i, 4, "</b>") == 0) {
      out += "</mark>";
      i += 4;
    } else if (snippet[i] == '<' || snippet[i] == '>' || snippet[i] == '"' || snippet[i] == '\'') {
      out += esc(std::string_view(&snippet[i], 1));
      ++i;
    } else {
      out += snippet[i++];
    }
  }
  return out;
}


std::string search_url(const std::string& q, const std::string& region, const std::string& industry, size_t page_no) {
  std::string u = "/scenarios?q=" + enc(q);
  if (!region.empty()) u += "&region=" + enc(region);
  if (!industry.empty()) u += "&industry=" + enc(industry);
  if (page_no > 1) u += "&page=" + std::to_string(page_no);
  return u;
}

std::string results_html(Ctx& c, const std::string& q, const std::string& region, const std::string& industry,
                         size_t page_no, int& status) {
  SearchFilters filters;
  filters.region_code = region;
  filters.industry_code = industry;
  filters.status = "open";
  size_t limit = c.config.page_size;
  auto result = c.service.search_page(q, filters, (page_no - 1) * limit, limit, true);
  if (!result) {
    status = result.status().code() == ErrorCode::kInvalidArgument ? 400 : 500;
    return fmt::format("<p class=\"notice bad\" role=\"alert\">{}</p>", esc(result.status().message()));
  }
  const SearchPage& sp = *result;
  std::string facets = "<nav class=\"facets\" aria-label=\"" + c.tr("筛选", "Filters") + "\">";
  // Region: cities, or the chosen city's districts (exact counts over every result).
  facets += "<h2>" + c.tr("地区", "Region") + "</h2><ul>";
  facets += fmt::format("<li><a href=\"{}\"{}>{}</a></li>", esc(search_url(q, "", industry, 1)),
                        region.empty() ? " aria-current=\"true\"" : "", c.tr("全部地区", "All regions"));
  std::string city = region.size() == 6 && !region.ends_with("0000") ? region.substr(0, 4) + "00" : "";
  std::vector<std::pair<std::string, uint64_t>> regions;
  for (const auto& [code, n] : sp.region_counts) {
    bool is_city = code.size() == 6 && code.ends_with("00") && !code.ends_with("0000");
    bool is_district = code.size() == 6 && !code.ends_with("00");
    if (is_city || (is_district && !city.empty() && code.starts_with(city.substr(0, 4)))) regions.push_back({code, n});
  }
  for (const auto& [code, n] : regions) {
    bool district = !code.ends_with("00");
    facets += fmt::format("<li{}><a href=\"{}\"{}>{}</a> <span class=\"count\">{}</span></li>",
                          district ? " style=\"margin-left:1rem\"" : "", esc(search_url(q, code, industry, 1)),
                          code == region ? " aria-current=\"true\"" : "", esc(region_label(c, code)), n);
  }
  facets += "</ul><h2>" + c.tr("行业", "Industry") + "</h2><ul>";
  facets += fmt::format("<li><a href=\"{}\"{}>{}</a></li>", esc(search_url(q, region, "", 1)),
                        industry.empty() ? " aria-current=\"true\"" : "", c.tr("全部行业", "All industries"));
  std::vector<std::pair<std::string, uint64_t>> industries;
  for (const auto& [code, n] : sp.industry_counts)
    if (!c.service.industries().name(code).empty()) industries.push_back({code, n});
  std::stable_sort(industries.begin(), industries.end(), [](auto& a, auto& b) { return a.second > b.second; });
  if (industries.size() > 12) industries.resize(12);
  for (const auto& [code, n] : industries)
    facets += fmt::format("<li><a href=\"{}\"{}>{}</a> <span class=\"count\">{}</span></li>",
                          esc(search_url(q, region, code, 1)), code == industry ? " aria-current=\"true\"" : "",
                          esc(industry_label(c, code)), n);
  facets += "</ul></nav>";

  std::string list = fmt::format("<p role=\"status\">{}</p>",
                                 c.en ? fmt::format("{} open scenarios found", sp.total)
                                      : fmt::format("找到 {} 个开放的场景机会", sp.total));
  for (const auto& h : sp.hits) {
    auto s = c.service.get_scenario(h.id);
    std::string publisher = s ? s->publisher : "", deadline = s ? s->deadline : "", reg = s ? s->region : "";
    list += fmt::format(
        "<article class=\"result\"><h3><a href=\"/scenarios/{}\">{}</a></h3><p>{}</p><p class=\"meta\">"
        "<span>{}：{}</span><span>{}：{}</span><span>{}：{}</span></p></article>",
        enc(h.id), esc(h.title), snippet_html(h.snippet), c.tr("发榜单位", "Publisher"), esc(publisher),
        c.tr("截止", "Deadline"), esc(deadline.empty() ? c.tr("未注明", "not given") : deadline), c.tr("地区", "Region"),
        esc(reg.empty() ? "" : region_label(c, reg)));
  }
  size_t pages = (sp.total + limit - 1) / limit;
  if (pages > 1) {
    list += "<nav class=\"pager\" aria-label=\"" + c.tr("分页", "Pages") + "\">";
    if (page_no > 1)
      list += fmt::format("<a href=\"{}\" rel=\"prev\">{}</a>", esc(search_url(q, region, industry, page_no - 1)),
                          c.tr("上一页", "Previous"));
    list += fmt::format("<span>{}</span>", c.en ? fmt::format("page {} of {}", page_no, pages)
                                                 : fmt::format("第 {} / {} 页", page_no, pages));
    if (page_no < pages)
      list += fmt::format("<a href=\"{}\" rel=\"next\">{}</a>", esc(search_url(q, region, industry, page_no + 1)),
                          c.tr("下一页", "Next"));
    list += "</nav>";
  }
  return "<div class=\"layout\">" + facets + "<section aria-label=\"" + c.tr("结果", "Results") + "\">" + list +
         "</section></div>";
}


}  // namespace

HttpResponse scenarios_page(Ctx& c) {
  std::string q = c.q("q"), region = c.q("region"), industry = c.q("industry");
  size_t page_no = 1;
  if (auto p = c.q("page"); !p.empty() && p.size() < 6 && p.find_first_not_of("0123456789") == std::string::npos)
    page_no = std::max<size_t>(1, std::stoul(p));
  int status = 200;
  std::string results = results_html(c, q, region, industry, page_no, status);
  if (c.q("partial") == "1") return html_response(status, results, c);
  std::string body = fmt::format(
      "<h1>{}</h1><form id=\"search-form\" class=\"searchbar\" role=\"search\" method=\"get\" action=\"/scenarios\">"
      "<label class=\"visually-hidden\" for=\"q\">{}</label>"
      "<input type=\"search\" id=\"q\" name=\"q\" value=\"{}\" placeholder=\"{}\" autocomplete=\"off\">"
      "<input type=\"hidden\" name=\"region\" value=\"{}\"><input type=\"hidden\" name=\"industry\" value=\"{}\">"
      "<button type=\"submit\">{}</button></form><div id=\"results\" aria-live=\"polite\">{}</div>",
      c.tr("开放的场景机会", "Open scenarios"), c.tr("搜索场景", "Search scenarios"), esc(q),
      c.tr("例如：隧道巡检、信号配时", "e.g. tunnel inspection"), esc(region), esc(industry), c.tr("搜索", "Search"), results);
  return page(c, status, c.tr("场景机会", "Scenarios"), body);
}

HttpResponse scenario_page(Ctx& c, const std::string& id) {
  auto s = c.service.get_scenario(id);
  if (!s) return error_page(c, 404, c.tr("没有这个场景：", "No such scenario: ") + id);
  json j = to_json(*s);
  std::string industries;
  for (const auto& code : s->industries) industries += (industries.empty() ? "" : "、") + industry_label(c, code);
  std::string body = fmt::format("<p><a href=\"/scenarios\">{}</a></p><h1>{}</h1><p>{}</p><dl class=\"fields\">",
                                 c.tr("← 全部开放场景", "← All open scenarios"), esc(s->title), esc(s->description));
  auto row = [&](const std::string& k, const std::string& v) { body += fmt::format("<dt>{}</dt><dd>{}</dd>", k, esc(v)); };
  row(c.tr("发榜单位", "Publisher"), s->publisher);
  row(c.tr("地区", "Region"), s->region.empty() ? "" : region_label(c, s->region));
  row(c.tr("行业", "Industry"), industries);
  row(c.tr("技术成熟度要求", "Required TRL"), s->required_trl ? "TRL " + std::to_string(*s->required_trl) : c.tr("未注明", "not given"));
  row(c.tr("预算", "Budget"), budget_text(c, j));
  row(c.tr("截止日期", "Deadline"), s->deadline.empty() ? c.tr("未注明", "not given") : s->deadline);
  row(c.tr("状态", "Status"), scenario_status(c, *s));
  if (!s->list.empty()) row(c.tr("所属清单", "List"), s->list);
  body += "</dl>";
  if (!c.session && s->status == "open") {
    // The public sees how to take it, not a form it may not send.
    body += fmt::format("<p class=\"notice\" id=\"how-to-apply\">{} <a href=\"/signin\">{}</a></p>",
                        c.tr("企业用平台发放的密钥登录后，可在本页揭榜（提交申请）。", "Enterprises sign in with the key the platform issued them to apply (揭榜) here."),
                        c.tr("登录", "Sign in"));
  } else if (c.role() == Role::kEnterprise) {
    body += fmt::format(
        "<h2>{}</h2><form method=\"post\" action=\"/apply\">{}<input type=\"hidden\" name=\"scenario_id\" value=\"{}\">"
        "<label for=\"note\">{}</label><textarea id=\"note\" name=\"note\" maxlength=\"500\"></textarea>"
        "<p><button type=\"submit\">{}</button></p></form>",
        c.tr("揭榜", "Apply"), c.csrf_field(), esc(id), c.tr("揭榜说明", "Note with the application"), c.tr("揭榜（申请）", "Apply (揭榜)"));
  } else if (c.session && (c.role() == Role::kOperator || (c.role() == Role::kPublisher && c.session->key.scope == s->publisher))) {
    auto [status, ranked] = c.call("GET", "/v1/scenarios/" + enc(id) + "/matches?limit=10");
    body += "<h2>" + c.tr("为该场景推荐的企业", "Enterprises ranked for this scenario") + "</h2>";
    if (status == 200) body += ranked_html(c, ranked.value("results", json::array()), false, id);
    else body += fmt::format("<p class=\"notice bad\">{}</p>", esc(problem_text(ranked)));
    auto [st2, matches] = c.call("GET", "/v1/matches?scenario_id=" + enc(id));
    body += "<h2 id=\"matches\">" + c.tr("揭榜进展", "Matches") + "</h2>";
    const json list = st2 == 200 ? matches.value("matches", json::array()) : json::array();
    if (st2 != 200) {
      body += fmt::format("<p class=\"notice bad\">{}</p>", esc(problem_text(matches)));
    } else if (list.empty()) {
      body += "<p class=\"empty\" id=\"scenario-matches-empty\">" +
              c.tr("还没有企业揭榜或被邀请。", "No enterprise has applied or been invited yet.") + "</p>";
    } else {
      body += "<ul>";
      for (const auto& m : list)
        body += fmt::format("<li><a href=\"/matches/{}\">{}</a> · {} · <span class=\"stage\">{}</span></li>",
                            enc(m.value("id", "")), esc(m.value("id", "")), esc(m.value("enterprise_id", "")),
                            esc(c.stage(m.value("stage", ""))));
      body += "</ul>";
    }
  }
  return page(c, 200, s->title, body);
}

// ---- sign-in ----

HttpResponse signin_page(Ctx& c, const std::string& error) {
  std::string body = "<h1>" + c.tr("用密钥登录", "Sign in with your key") + "</h1>";
  if (!error.empty()) body += fmt::format("<p class=\"notice bad\" role=\"alert\" id=\"signin-error\">{}</p>", esc(error));
  body += fmt::format(
      "<form method=\"post\" action=\"/signin\"><label for=\"key\">{}</label>"
      "<input type=\"password\" id=\"key\" name=\"key\" autocomplete=\"current-password\" required aria-describedby=\"key-help\">"
      "<p id=\"key-help\" class=\"count\">{}</p><p><button type=\"submit\">{}</button></p></form>",
      c.tr("API 密钥", "API key"),
      c.tr("由平台运营方发放（jb_ 开头）。登录后密钥换成会话，密钥本身不会保存在浏览器中。",
           "Issued by the operator (starts with jb_). It is exchanged for a session; the key is not kept in the browser."),
      c.tr("登录", "Sign in"));
  return page(c, error.empty() ? 200 : 401, c.tr("登录", "Sign in"), body);
}

HttpResponse signin_post(Ctx& c, const Form& form) {
  auto key = form.find("key");
  auto s = c.service.open_session(key == form.end() ? "" : key->second, c.config.session_ttl);
  if (!s) {
    if (s.status().code() == ErrorCode::kUnauthenticated)
      return signin_page(c, c.tr("密钥无效或已被吊销。", "The key is invalid or revoked."));
    return error_page(c, 500, s.status().message());
  }
  c.set_cookies.push_back(cookie(c, api::kSessionCookie, s->token, static_cast<long>(c.config.session_ttl.count())));
  return redirect("/me", c);
}


}  // namespace jiebang::web
