// The operator's pages: its desk (the funnel by publisher, region and industry, all matches, API keys)
// and the supply gaps (open scenarios no enterprise fits well).
#include "pages_common.h"

#include <algorithm>

namespace jiebang::web {

std::string operator_desk(Ctx& c) {
  std::string body;
  body += "<h1>" + c.tr("运营工作台", "Operator's desk") + "</h1>";
  body += fmt::format("<p><a class=\"button\" href=\"/gaps\">{}</a></p>", c.tr("供给缺口", "Supply gaps"));
  for (const char* group : {"publisher", "region", "industry"}) {
    auto [st, funnel] = c.call("GET", std::string("/v1/funnel?group_by=") + group);
    body += fmt::format("<h2>{} · {}</h2>", c.tr("漏斗", "Funnel"),
                        c.en ? group : std::string(group) == "publisher" ? "按发榜单位" : std::string(group) == "region" ? "按地区" : "按行业");
    body += st == 200 ? funnel_html(c, funnel) : fmt::format("<p class=\"notice bad\">{}</p>", esc(problem_text(funnel)));
  }
  auto [st2, matches] = c.call("GET", "/v1/matches");
  body += "<h2>" + c.tr("全部匹配", "All matches") + "</h2>";
  if (st2 == 200) body += matches_table(c, matches.value("matches", json::array()));
  // API keys (the operator's desk only): who may act, and which keys are revoked.
  if (auto keys = c.service.list_keys()) {
    body += "<h2>" + c.tr("API 密钥", "API keys") + "</h2><div class=\"table-wrap\"><table class=\"stack\" id=\"keys\"><thead><tr><th>" +
            c.tr("编号", "Id") + "</th><th>" + c.tr("角色", "Role") + "</th><th>" + c.tr("范围", "Scope") + "</th><th>" +
            c.tr("创建", "Created") + "</th><th>" + c.tr("吊销", "Revoked") + "</th></tr></thead><tbody>";
    for (const auto& k : *keys)
      body += fmt::format("<tr><td data-label=\"{}\">{}</td><td data-label=\"{}\">{}</td><td data-label=\"{}\">{}</td>"
                          "<td data-label=\"{}\">{}</td><td data-label=\"{}\">{}</td></tr>",
                          c.tr("编号", "Id"), k.id, c.tr("角色", "Role"), esc(role_name(k.role)), c.tr("范围", "Scope"),
                          esc(k.scope), c.tr("创建", "Created"), esc(k.created_at), c.tr("吊销", "Revoked"), esc(k.revoked_at));
    body += "</tbody></table></div><p class=\"count\">" +
            c.tr("新建与吊销密钥：jiebang keys create / jiebang keys revoke ID。", "Create and revoke keys with jiebang keys create / jiebang keys revoke ID.") + "</p>";
  }
  return body;
}

HttpResponse gaps_page(Ctx& c) {
  std::string threshold = c.q("threshold");
  auto [st, gaps] = c.call("GET", threshold.empty() ? std::string("/v1/gaps") : "/v1/gaps?threshold=" + enc(threshold));
  std::string error = st == 200 ? "" : problem_text(gaps);
  std::string shown = threshold;
  if (st == 200 && threshold.empty()) shown = fmt::format("{:g}", gaps.value("threshold", 0.0));
  std::string body = "<h1>" + c.tr("供给缺口", "Supply gaps") + "</h1>";
  body += "<p>" + c.tr("没有企业能很好匹配的开放场景，按行业（GB/T 4754）和城市（GB/T 2260）分组，缺口多的组在前：政府据此寻找新的供给方。",
                       "Open scenarios that no enterprise fits well, grouped by industry (GB/T 4754) and city (GB/T 2260), "
                       "the groups with most gaps first: where to go and find new suppliers.") + "</p>";
  body += fmt::format(
      "<form class=\"searchbar\" method=\"get\" action=\"/gaps\" id=\"gaps-form\"><label for=\"threshold\">{}</label>"
      "<input type=\"text\" inputmode=\"decimal\" id=\"threshold\" name=\"threshold\" value=\"{}\" aria-describedby=\"threshold-help{}\"{}>"
      "<button type=\"submit\">{}</button></form><p class=\"count\" id=\"threshold-help\">{}</p>",
      c.tr("匹配度阈值", "Fit threshold"), esc(shown), error.empty() ? "" : " err-threshold",
      error.empty() ? "" : " aria-invalid=\"true\"", c.tr("更新", "Update"),
      c.tr("最佳候选企业的绝对文本匹配度（0–1）低于此值的场景算作缺口。",
           "A scenario is a gap when its best candidate's absolute text fit (0 to 1) is below this."));
  if (!error.empty()) {
    body += fmt::format("<p class=\"error\" id=\"err-threshold\" role=\"alert\">{}</p>", esc(error));
    return page(c, st, c.tr("供给缺口", "Supply gaps"), body);
  }
  body += fmt::format("<p role=\"status\" id=\"gaps-summary\">{}</p>",
                      c.en ? fmt::format("{} of {} open scenarios are gaps.", gaps.value("gaps", 0), gaps.value("open_scenarios", 0))
                           : fmt::format("{} 个开放场景中有 {} 个缺口。", gaps.value("open_scenarios", 0), gaps.value("gaps", 0)));
  for (const auto& g : gaps.value("groups", json::array())) {
    std::string industry = g.value("industry", ""), region = g.value("region", "");
    std::string industry_text = industry.empty() ? c.tr("未注明行业", "No industry given") : industry_label(c, industry);
    std::string region_text = region.empty() ? c.tr("未注明地区", "No region given") : region_label(c, region);
    auto scenarios = g.value("scenarios", json::array());
    body += fmt::format("<section class=\"gap-group\"><h2>{} · {} <span class=\"count\">{}</span></h2><ul class=\"gaps\">",
                        esc(industry_text), esc(region_text),
                        c.en ? fmt::format("{} gaps", scenarios.size()) : fmt::format("{} 个缺口", scenarios.size()));
    for (const auto& s : scenarios) {
      const json& best = s.contains("best_enterprise") ? s["best_enterprise"] : json();
      std::string best_text = best.is_object() ? esc(best.value("name", best.value("id", "")))
                                               : c.tr("没有任何企业匹配", "no enterprise matched at all");
      std::string deadline = s.value("deadline", "");
      body += fmt::format(
          "<li><a href=\"/scenarios/{}\">{}</a><span class=\"meta\"><span>{}：{}</span><span>{}：{}</span>"
          "<span>{}：{:.2f} ({})</span></span></li>",
          enc(s.value("id", "")), esc(s.value("title", "")), c.tr("发榜单位", "Publisher"), esc(s.value("publisher", "")),
          c.tr("截止", "Deadline"), esc(deadline.empty() ? c.tr("未注明", "not given") : deadline),
          c.tr("最佳匹配度", "Best fit"), s.value("best_text_fit", 0.0), best_text);
    }
    body += "</ul></section>";
  }
  return page(c, 200, c.tr("供给缺口", "Supply gaps"), body);
}

}  // namespace jiebang::web
