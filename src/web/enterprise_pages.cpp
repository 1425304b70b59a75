// The enterprise's pages: its desk (profile, scenarios ranked for it, its matches) and applying (揭榜).
#include "pages_common.h"

#include <algorithm>

namespace jiebang::web {

std::string enterprise_desk(Ctx& c) {
  const auto& key = c.session->key;
  std::string body;
  auto e = c.service.get_enterprise(key.scope);
  body += fmt::format("<h1>{}</h1>", esc(e ? e->name : key.scope));
  if (e) {
    body += fmt::format("<p>{}</p><h2>{}</h2><ul>", esc(e->description), c.tr("过往案例", "Past cases"));
    for (const auto& cs : e->cases)
      body += fmt::format("<li>{} · {} {}</li>", esc(cs.title), esc(cs.customer), cs.year ? std::to_string(*cs.year) : "");
    body += "</ul>";
  }
  auto [st, ranked] = c.call("GET", "/v1/enterprises/" + enc(key.scope) + "/matches?limit=10");
  body += "<h2>" + c.tr("为您推荐的开放场景", "Open scenarios ranked for you") + "</h2>";
  body += st == 200 ? ranked_html(c, ranked.value("results", json::array()), true, "")
                    : fmt::format("<p class=\"notice bad\">{}</p>", esc(problem_text(ranked)));
  auto [st2, matches] = c.call("GET", "/v1/matches");
  body += "<h2>" + c.tr("我的揭榜", "My matches") + "</h2>";
  if (st2 == 200) body += matches_table(c, matches.value("matches", json::array()));
  return body;
}

HttpResponse apply_post(Ctx& c, Form& form) {
  json body = {{"scenario_id", form["scenario_id"]}, {"enterprise_id", c.session->key.scope}, {"note", form["note"]}};
  auto [st, out] = c.call("POST", "/v1/matches", &body);
  return st == 201 ? redirect("/matches/" + enc(out.value("id", "")), c) : error_page(c, st, problem_text(out));
}

}  // namespace jiebang::web
