// The operator's pages: its desk (the funnel by publisher, region and industry, all matches, API keys).
#include "pages_common.h"

#include <algorithm>

namespace jiebang::web {

std::string operator_desk(Ctx& c) {
  std::string body;
  body += "<h1>" + c.tr("运营工作台", "Operator's desk") + "</h1>";
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

}  // namespace jiebang::web
