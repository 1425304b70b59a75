// The operator's pages: its desk (the funnel by publisher, region and industry, all matches, API keys)
// the supply gaps (open scenarios no enterprise fits well) and the weekly digest runs.
#include "pages_common.h"

#include <algorithm>

namespace jiebang::web {

std::string operator_desk(Ctx& c) {
  std::string body;
  body += "<h1>" + c.tr("运营工作台", "Operator's desk") + "</h1>";
  body += fmt::format("<p><a class=\"button\" href=\"/gaps\">{}</a> <a class=\"button\" href=\"/digests\">{}</a></p>",
                      c.tr("供给缺口", "Supply gaps"), c.tr("周报运行", "Digest runs"));
  body += funnel_legend(c);
  for (const char* group : {"publisher", "region", "industry"}) {
    auto [st, funnel] = c.call("GET", std::string("/v1/funnel?group_by=") + group);
    const std::string g = group;
    body += fmt::format("<h2>{}</h2>", g == "publisher" ? c.tr("漏斗 · 按发榜单位", "Funnel by publisher")
                                       : g == "region"  ? c.tr("漏斗 · 按地区", "Funnel by region")
                                                        : c.tr("漏斗 · 按行业", "Funnel by industry"));
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
                          c.tr("编号", "Id"), k.id, c.tr("角色", "Role"), esc(role_text(c, k.role)), c.tr("范围", "Scope"),
                          esc(k.role == Role::kEnterprise ? enterprise_name(c, k.scope) + " (" + k.scope + ")" : k.scope),
                          c.tr("创建", "Created"), time_html(c, k.created_at), c.tr("吊销", "Revoked"),
                          k.revoked_at.empty() ? "" : time_html(c, k.revoked_at));
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

namespace {

/// A cell of a stacking table: `label` shown before the value at phone width; `cls` its class
/// ("num": a count, right-aligned; "short": a word; both share a line at phone width).
std::string cell(const std::string& label, const std::string& html, const char* cls = "") {
  return fmt::format("<td data-label=\"{}\"{}>{}</td>", esc(label), *cls ? fmt::format(" class=\"{}\"", cls) : "", html);
}

}  // namespace

HttpResponse digests_page(Ctx& c) {
  auto [st, out] = c.call("GET", "/v1/digests");
  if (st != 200) return error_page(c, st, problem_text(out));
  std::string body = "<h1>" + c.tr("周报运行", "Digest runs") + "</h1>";
  body += "<p>" + c.tr("每周一向每家企业推送新的场景、向每个发榜单位推送候选企业和停滞的匹配；以下是各周的运行记录，最新的在前。",
                       "Each week every enterprise gets the new scenarios ranked for it and every publisher its candidates "
                       "and stalled matches; these are the weekly runs, newest first.") + "</p>";
  auto runs = out.value("runs", json::array());
  if (runs.empty())
    return page(c, 200, c.tr("周报运行", "Digest runs"),
                body + "<p id=\"digest-runs-empty\">" + c.tr("还没有运行过周报（jiebang digest 或 serve 的定时任务）。",
                                                            "No digest has run yet (jiebang digest, or serve's schedule).") + "</p>");
  const std::string week_h = c.tr("周", "Week"), covers_h = c.tr("覆盖日期", "Covers"), started_h = c.tr("开始", "Started"),
                    finished_h = c.tr("完成", "Finished"), recipients_h = c.tr("收件方", "Recipients"),
                    with_items_h = c.tr("有内容的", "With items"), items_h = c.tr("条目", "Items"), seconds_h = c.tr("耗时（秒）", "Seconds");
  body += "<div class=\"table-wrap\"><table class=\"stack\" id=\"digest-runs\"><thead><tr>";
  for (const auto* h : {&week_h, &covers_h, &started_h, &finished_h, &recipients_h, &with_items_h, &items_h, &seconds_h})
    body += "<th>" + esc(*h) + "</th>";
  body += "</tr></thead><tbody>";
  for (const auto& r : runs) {
    std::string week = r.value("week", ""), finished = r["finished_at"].is_string() ? r["finished_at"].get<std::string>() : "";
    const json& covers = r.contains("covers") ? r["covers"] : json::object();
    body += "<tr>" + cell(week_h, fmt::format("<a href=\"/digests/{}\">{}</a>", enc(week), esc(week))) +
            cell(covers_h, esc(covers.value("from", "") + " – " + covers.value("to", ""))) +
            cell(started_h, time_html(c, r.value("started_at", ""))) +
            cell(finished_h, finished.empty() ? "<span class=\"stage\">" + c.tr("未完成", "unfinished") + "</span>" : time_html(c, finished)) +
            cell(recipients_h, std::to_string(r.value("recipients", 0))) +
            cell(with_items_h, std::to_string(r.value("recipients_with_items", 0))) +
            cell(items_h, std::to_string(r.value("items", 0))) + cell(seconds_h, fmt::format("{:.1f}", r.value("seconds", 0.0))) +
            "</tr>";
  }
  body += "</tbody></table></div>";
  return page(c, 200, c.tr("周报运行", "Digest runs"), body);
}

HttpResponse digest_page(Ctx& c, const std::string& week) {
  auto [st, summary] = c.call("GET", "/v1/digests/" + enc(week));
  if (st != 200) return error_page(c, st, problem_text(summary));
  auto [st2, list] = c.call("GET", "/v1/digests/" + enc(week) + "/recipients");
  if (st2 != 200) return error_page(c, st2, problem_text(list));
  std::string title = c.tr("周报 ", "Digest ") + week;
  std::string body = fmt::format("<p><a href=\"/digests\">{}</a></p><h1>{}</h1><dl class=\"fields\">", c.tr("← 全部运行", "← All runs"), esc(title));
  auto row = [&](const std::string& k, const std::string& v) { body += fmt::format("<dt>{}</dt><dd>{}</dd>", esc(k), esc(v)); };
  const json& covers = summary.contains("covers") ? summary["covers"] : json::object();
  row(c.tr("覆盖日期", "Covers"), covers.value("from", "") + " – " + covers.value("to", ""));
  auto row_html = [&](const std::string& k, const std::string& html) { body += fmt::format("<dt>{}</dt><dd>{}</dd>", esc(k), html); };
  row_html(c.tr("开始", "Started"), time_html(c, summary.value("started_at", "")));
  row_html(c.tr("完成", "Finished"), summary["finished_at"].is_string() ? time_html(c, summary["finished_at"].get<std::string>())
                                                                        : esc(c.tr("未完成", "unfinished")));
  row(c.tr("收件方", "Recipients"), std::to_string(summary.value("recipients", 0)));
  row(c.tr("条目", "Items"), std::to_string(summary.value("items", 0)));
  row(c.tr("尝试次数", "Attempts"), std::to_string(summary.value("attempts", 0)));
  body += "</dl><h2>" + c.tr("收件方", "Recipients") + "</h2>";
  const std::string kind_h = c.tr("类型", "Kind"), name_h = c.tr("名称", "Name"), items_h = c.tr("条目", "Items"),
                    lang_h = c.tr("语言", "Language");
  // Those with something to read first (most items first), then the rest in the API's order; the
  // rest (nothing new this week) folded away so that the list stays short at a phone's width.
  auto recipients = list.value("recipients", json::array());
  std::stable_sort(recipients.begin(), recipients.end(),
                   [](const json& a, const json& b) { return a.value("items", 0) > b.value("items", 0); });
  auto table = [&](auto first, auto last) {
    // The name first: at phone width it takes the line, the short cells share the next one.
    std::string t = "<div class=\"table-wrap\"><table class=\"stack\"><thead><tr><th>" + esc(name_h) + "</th><th>" + esc(kind_h) +
                    "</th><th class=\"num\">" + esc(items_h) + "</th><th>" + esc(lang_h) + "</th></tr></thead><tbody>";
    for (auto it = first; it != last; ++it) {
      const json& r = *it;
      std::string kind = r.value("kind", ""), id = r.value("id", ""), name = r.value("name", "");
      std::string kind_text = kind == "enterprise" ? c.tr("企业", "enterprise") : kind == "publisher" ? c.tr("发榜单位", "publisher") : kind;
      // Each recipient's digest as a page.
      std::string link = fmt::format("/digests/{}/{}/{}", enc(week), enc(kind), enc(id));
      t += "<tr>" +
           cell(name_h, fmt::format("<a href=\"{}\">{}</a>{}", esc(link), esc(name.empty() ? id : name),
                                    name.empty() || name == id ? "" : " <span class=\"count\">" + esc(id) + "</span>")) +
           cell(kind_h, esc(kind_text), "short") + cell(items_h, std::to_string(r.value("items", 0)), "num") +
           cell(lang_h, esc(language_name(c, r.value("language", ""))), "short") + "</tr>";
    }
    return t + "</tbody></table></div>";
  };
  auto empty = std::find_if(recipients.begin(), recipients.end(), [](const json& r) { return r.value("items", 0) == 0; });
  body += "<div id=\"digest-recipients\">" + table(recipients.begin(), empty);
  if (empty != recipients.end()) {
    auto n = std::distance(empty, recipients.end());
    body += fmt::format("<details id=\"digest-recipients-empty\"><summary>{}</summary>{}</details>",
                        c.en ? fmt::format("{} recipients with nothing new this week", n)
                             : fmt::format("本周没有新内容的收件方（{} 个）", n),
                        table(empty, recipients.end()));
  }
  body += "</div>";
  return page(c, 200, title, body);
}

HttpResponse digest_recipient_page(Ctx& c, const std::string& week, const std::string& kind, const std::string& id) {
  auto [st, d] = c.call("GET", "/v1/digests/" + enc(week) + "/recipients/" + enc(id) + "?kind=" + enc(kind));
  if (st != 200) return error_page(c, st, problem_text(d));
  const json& r = d.contains("recipient") ? d["recipient"] : json::object();
  bool publisher = r.value("kind", "") == "publisher";
  std::string name = r.value("name", id);
  std::string title = c.tr("周报 ", "Digest ") + week + " · " + name;
  std::string body = fmt::format("<p><a href=\"/digests/{}\">{}</a></p><h1>{}</h1><dl class=\"fields\">", enc(week),
                                 esc(c.tr("← 本周全部收件方", "← All recipients of the week")), esc(title));
  auto row = [&](const std::string& k, const std::string& v) { body += fmt::format("<dt>{}</dt><dd>{}</dd>", esc(k), esc(v)); };
  const json& covers = d.contains("covers") ? d["covers"] : json::object();
  row(c.tr("收件方", "Recipient"), (publisher ? c.tr("发榜单位 ", "publisher ") : c.tr("企业 ", "enterprise ")) + name);
  row(c.tr("覆盖日期", "Covers"), covers.value("from", "") + " – " + covers.value("to", ""));
  row(c.tr("语言", "Language"), r.value("language", "") == "zh" ? "中文" : "English");
  body += "</dl>";
  body += "<h2>" + (publisher ? c.tr("为其场景推荐的企业", "Candidates for its scenarios") : c.tr("为其推荐的新场景", "New scenarios for it")) + "</h2>";
  auto items = d.value("items", json::array());
  if (items.empty()) body += "<p>" + c.tr("本周没有新的推荐。", "No new recommendations this week.") + "</p>";
  body += "<div id=\"digest-items\">";
  for (const auto& it : items) {
    const json& s = it.contains("scenario") ? it["scenario"] : json::object();
    std::string scenario_link = fmt::format("<a href=\"/scenarios/{}\">{}</a>", enc(s.value("id", "")),
                                            esc(s.value("title", s.value("id", ""))));
    std::string terms;
    for (const auto& t : it.value("matched_terms", json::array()))
      if (t.is_string()) terms += (terms.empty() ? "" : "、") + t.get<std::string>();
    body += "<article class=\"result\">";
    if (publisher) {
      const json& e = it.contains("enterprise") ? it["enterprise"] : json::object();
      body += fmt::format("<h3>{}. {}</h3><p class=\"meta\"><span>{}：{}</span></p>", it.value("rank", 0),
                          esc(e.value("name", e.value("id", ""))), c.tr("对应场景", "For the scenario"), scenario_link);
    } else {
      std::string deadline = s.value("deadline", "");
      body += fmt::format("<h3>{}. {}</h3><p class=\"meta\"><span>{}：{}</span><span>{}：{}</span></p>", it.value("rank", 0),
                          scenario_link, c.tr("发榜单位", "Publisher"), esc(s.value("publisher", "")), c.tr("截止", "Deadline"),
                          esc(deadline.empty() ? c.tr("未注明", "not given") : deadline));
    }
    body += fmt::format("<p class=\"meta\"><span>{} {:.3f}</span><span>{}：{}</span></p><p>{}</p>", c.tr("得分", "Score"),
                        it.value("score", 0.0), c.tr("匹配词", "Matched words"), esc(terms), esc(it.value("reason", "")));
    json components = json::object();  // the digest stores them as a list; the bars take them by name
    for (const auto& comp : it.value("components", json::array()))
      if (comp.is_object()) components[comp.value("name", "")] = comp;
    body += bars_html(c, components) + "</article>";
  }
  body += "</div>";
  auto stalled = d.value("stalled", json::array());
  if (!stalled.empty()) {
    body += "<h2>" + c.tr("停滞的匹配", "Stalled matches") + "</h2><ul id=\"digest-stalled\">";
    for (const auto& it : stalled) {
      const json& s = it.contains("scenario") ? it["scenario"] : json::object();
      body += fmt::format("<li><a href=\"/matches/{}\">{}</a> · {} · {}</li>", enc(it.value("match_id", "")),
                          esc(s.value("title", it.value("match_id", ""))), esc(c.stage(it.value("stage", ""))),
                          esc(it.value("reason", "")));
    }
    body += "</ul>";
  }
  return page(c, 200, title, body);
}

}  // namespace jiebang::web
