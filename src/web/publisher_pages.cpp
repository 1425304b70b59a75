// The publisher's pages: its desk, posting a scenario (form with per-field messages), importing a list, inviting.
#include "pages_common.h"

#include <algorithm>

namespace jiebang::web {

std::string publisher_desk(Ctx& c) {
  const auto& key = c.session->key;
  std::string body;
  body += fmt::format("<h1>{}</h1>", esc(key.scope));
  body += fmt::format("<p class=\"actions\"><a class=\"button\" href=\"/my-scenarios\">{}</a> <a class=\"button\" href=\"/publish\">{}</a> "
                      "<a class=\"button\" href=\"/import\">{}</a></p>",
                      c.tr("我发布的场景", "My scenarios"), c.tr("发布场景", "Post a scenario"), c.tr("导入清单", "Import a list"));
  auto [st2, matches] = c.call("GET", "/v1/matches");
  body += "<h2>" + c.tr("揭榜进展", "Matches") + "</h2>";
  if (st2 == 200) body += matches_table(c, matches.value("matches", json::array()));
  auto [st3, funnel] = c.call("GET", "/v1/funnel?group_by=publisher");
  body += "<h2>" + c.tr("漏斗", "Funnel") + "</h2>";
  if (st3 == 200) body += (funnel.value("groups", json::array()).empty() ? "" : funnel_legend(c)) + funnel_html(c, funnel);
  return body;
}

HttpResponse my_scenarios_page(Ctx& c) {
  const std::string& publisher = c.session->key.scope;
  const std::string title = c.tr("我发布的场景", "My scenarios");
  auto scenarios = c.service.publisher_scenarios(publisher);
  if (!scenarios) return error_page(c, 500, scenarios.status().message());
  // Each scenario's funnel from the API (the publisher's own matches, one group per scenario).
  auto [st, funnel] = c.call("GET", "/v1/funnel?group_by=scenario");
  if (st != 200) return error_page(c, st, problem_text(funnel));
  std::map<std::string, json> by_scenario;
  for (auto& g : funnel.value("groups", json::array())) by_scenario[g.value("group", "")] = g;
  const std::vector<Scenario>& list = *scenarios;  // the last posted or changed first

  std::string body = fmt::format("<h1>{}</h1>", esc(title));
  body += "<p>" + c.tr("您的单位发布的全部场景（含已关闭的），最近发布或修改的在前；各阶段的数字是到达过该阶段的匹配数。",
                       "Every scenario your organisation published (closed ones too), the last posted or changed first; a "
                       "stage's number is how many matches reached it.") + "</p>";
  if (list.empty())
    return page(c, 200, title,
                body + "<p id=\"my-scenarios-empty\">" + c.tr("还没有发布场景。", "No scenario posted yet.") +
                    fmt::format(" <a href=\"/publish\">{}</a></p>", c.tr("发布第一个场景", "Post the first one")));
  const std::string scenario_h = c.tr("场景", "Scenario"), status_h = c.tr("状态", "Status"), deadline_h = c.tr("截止", "Deadline"),
                    matches_h = c.tr("匹配", "Matches"), ended_h = c.tr("已结束", "Ended");
  body += "<div class=\"table-wrap\"><table class=\"stack\" id=\"my-scenarios\"><thead><tr><th>" + esc(scenario_h) + "</th><th>" +
          esc(status_h) + "</th><th>" + esc(deadline_h) + "</th><th>" + esc(matches_h) + "</th>";
  for (Stage s : kForwardStages) body += "<th class=\"num\">" + esc(c.stage(stage_name(s))) + "</th>";
  body += "<th class=\"num\" title=\"" + c.tr("撤回、未入选或失败", "withdrawn, rejected or failed") + "\">" + esc(ended_h) +
          "</th></tr></thead><tbody>";
  auto cell = [](const std::string& label, const std::string& html, const char* cls = "") {
    return fmt::format("<td data-label=\"{}\"{}>{}</td>", esc(label), *cls ? fmt::format(" class=\"{}\"", cls) : "", html);
  };
  for (const auto& s : list) {
    auto it = by_scenario.find(s.id);
    const json g = it == by_scenario.end() ? json::object() : it->second;
    size_t matches = g.value("matches", size_t{0});
    std::string link = "/scenarios/" + enc(s.id);
    body += fmt::format("<tr data-id=\"{}\">", esc(s.id));
    body += cell(scenario_h, fmt::format("<a href=\"{}\">{}</a> <span class=\"count\">{}</span>", link, esc(s.title), esc(s.id)));
    body += cell(status_h, esc(scenario_status(c, s)));
    body += cell(deadline_h, esc(s.deadline.empty() ? c.tr("未注明", "not given") : s.deadline));
    body += cell(matches_h, matches ? fmt::format("<a class=\"matches\" href=\"{}#matches\">{}</a>", link, matches) : "0", "num");
    auto stages = g.value("stages", json::array());
    for (size_t i = 0; i < kForwardStages.size(); ++i) {
      size_t n = i < stages.size() ? stages[i].value("reached", size_t{0}) : 0;
      body += cell(c.stage(stage_name(kForwardStages[i])), std::to_string(n), "num");
    }
    body += cell(ended_h, std::to_string(g.value("withdrawn", size_t{0}) + g.value("rejected", size_t{0}) + g.value("failed", size_t{0})),
                 "num");
    body += "</tr>";
  }
  body += "</tbody></table></div>";
  return page(c, 200, title, body);
}

namespace {

const std::vector<FormField>& scenario_fields() {
  static const std::vector<FormField> kFields = {
      {"id", "编号", "Id", "text", "本单位清单中的编号：字母、数字和 . _ : -，例如 hz-2026-04-001",
       "The number in your list: letters, digits and . _ : -, e.g. hz-2026-04-001"},
      {"title", "场景名称", "Title", "text"},
      {"description", "需求描述", "Description", "textarea"},
      {"region", "地区", "Region", "region", "输入地名或 6 位代码，例如：杭州市西湖区、330106", "A place name or 6-digit code, e.g. 杭州市西湖区 or 330106"},
      {"industries", "行业", "Industry", "industry"},
      {"required_trl", "技术成熟度要求（TRL 1–9）", "Required TRL (1–9)", "number"},
      {"budget.amount_min", "预算下限（元）", "Budget from (yuan)", "number"},
      {"budget.amount_max", "预算上限（元）", "Budget up to (yuan)", "number"},
      {"deadline", "截止日期", "Deadline", "date", "年-月-日，例如 2026-12-31（也可写 2026年12月31日 或 2026/12/31）",
       "Year-month-day, e.g. 2026-12-31 (2026/12/31 is fine too)"},
  };
  return kFields;
}

}  // namespace

HttpResponse publish_page(Ctx& c, const Form& values, const std::map<std::string, std::string>& errors,
                          const std::string& general) {
  std::string body = "<h1>" + c.tr("发布场景", "Post a scenario") + "</h1>";
  if (!general.empty()) body += fmt::format("<p class=\"notice bad\" role=\"alert\">{}</p>", esc(general));
  body += errors_summary(c, errors);
  body += "<form method=\"post\" action=\"/publish\" novalidate>" + c.csrf_field();
  body += form_fields_html(c, scenario_fields(), values, errors);
  body += "<p><button type=\"submit\">" + c.tr("发布", "Post") + "</button></p></form>";
  return page(c, errors.empty() && general.empty() ? 200 : 400, c.tr("发布场景", "Post a scenario"), body);
}

HttpResponse publish_post(Ctx& c, const Form& form) {
  json body = json::object();
  auto get = [&](const char* k) {
    auto it = form.find(k);
    return it == form.end() ? std::string() : it->second;
  };
  for (const char* k : {"id", "title", "description"})
    if (!get(k).empty()) body[k] = get(k);
  if (!get("deadline").empty()) body["deadline"] = date_field(get("deadline"));
  std::string region_error;
  auto region = region_field(c, get("region"), region_error);
  if (!region) return publish_page(c, form, {{"region", region_error}}, "");
  if (!region->empty()) body["region"] = *region;
  if (!get("industries").empty()) body["industries"] = json::array({get("industries")});
  if (!get("required_trl").empty()) {
    std::string t = get("required_trl");
    body["required_trl"] = t.find_first_not_of("0123456789") == std::string::npos && t.size() < 3 ? json(std::stoi(t)) : json(t);
  }
  for (const char* k : {"amount_min", "amount_max"}) {
    std::string v = get((std::string("budget.") + k).c_str());
    if (v.empty()) continue;
    // A whole number of yuan is sent as a number; anything else as written, for the validator to name.
    bool whole = v.size() < 16 && v.find_first_not_of("0123456789") == std::string::npos;
    body["budget"][k] = whole ? json(std::stoll(v)) : json(v);
  }
  if (body.contains("budget")) body["budget"]["currency"] = "CNY";
  auto [st, out] = c.call("POST", "/v1/scenarios", &body);
  if (st == 201) return redirect("/scenarios/" + enc(out.value("id", "")), c);
  std::string general;
  auto errors = field_errors(c, out, scenario_fields(), general);
  return publish_page(c, form, errors, general);
}

HttpResponse import_page(Ctx& c, const std::string& report) {
  std::string body = "<h1>" + c.tr("导入场景清单", "Import a list of scenarios") + "</h1>" + report;
  body += fmt::format(
      "<form method=\"post\" action=\"/import\" enctype=\"multipart/form-data\">{}<label for=\"file\">{}</label>"
      "<input type=\"file\" id=\"file\" name=\"file\" accept=\".csv,.jsonl,.json,.xlsx\" required>"
      "<p class=\"count\">{}</p><p><button type=\"submit\">{}</button></p></form>",
      c.csrf_field(), c.tr("清单文件（CSV、XLSX 或 JSON Lines）", "List file (CSV, XLSX or JSON Lines)"),
      c.tr("每个被拒绝的行都会列出原因；合格的行照常导入。", "Every rejected line is listed with its reason; the good lines are imported."),
      c.tr("导入", "Import"));
  return page(c, 200, c.tr("导入清单", "Import a list"), body);
}

HttpResponse import_post(Ctx& c) {
  auto ct = c.req.headers.get("Content-Type");
  auto parts = parse_multipart(c.req.body, ct ? *ct : "");
  const Part* file = nullptr;
  for (const auto& p : parts)
    if (p.name == "file") file = &p;
  if (!file || file->body.empty()) return import_page(c, "<p class=\"notice bad\" role=\"alert\">" + c.tr("请选择一个文件。", "Choose a file.") + "</p>");
  std::string name = file->filename;
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
  std::string type = name.ends_with(".csv") ? "text/csv"
                     : name.ends_with(".xlsx") ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                                               : "application/x-ndjson";
  HttpRequest r;
  r.method = "POST";
  r.target = "/v1/scenarios/import";
  r.headers.set("Content-Type", type);
  r.body = file->body;
  HttpResponse out = c.api.handle_as(r, c.caller(), c.service);
  json j = json::parse(out.body, nullptr, false);
  if (out.status != 200 || j.is_discarded())
    return import_page(c, fmt::format("<p class=\"notice bad\" role=\"alert\">{}</p>", esc(j.is_discarded() ? out.body : problem_text(j))));
  std::string report = fmt::format(
      "<p class=\"notice\" role=\"status\" id=\"import-summary\">{}</p>",
      c.en ? fmt::format("Read {}, new {}, updated {}, unchanged {}, rejected {}.", j.value("read", 0), j.value("inserted", 0),
                         j.value("updated", 0), j.value("unchanged", 0), j.value("rejected", 0))
           : fmt::format("读取 {} 条，新增 {} 条，更新 {} 条，未变 {} 条，拒绝 {} 条。", j.value("read", 0), j.value("inserted", 0),
                         j.value("updated", 0), j.value("unchanged", 0), j.value("rejected", 0)));
  auto errors = j.value("errors", json::array());
  if (!errors.empty()) {
    const std::string line_h = c.tr("行", "Line"), id_h = c.tr("编号", "Id"), field_h = c.tr("字段", "Field"), reason_h = c.tr("原因", "Reason");
    report += "<div class=\"table-wrap\"><table class=\"stack\" id=\"import-errors\"><thead><tr><th class=\"num\">" + line_h +
              "</th><th>" + id_h + "</th><th>" + field_h + "</th><th>" + reason_h + "</th></tr></thead><tbody>";
    for (const auto& e : errors) {
      // The field by its form label and the reason in the page's language, as the post-a-scenario form says them.
      std::string field = e.value("field", ""), message = e.value("message", ""), base = field.substr(0, field.find('['));
      const auto& fields = scenario_fields();
      auto f = std::find_if(fields.begin(), fields.end(), [&](const FormField& ff) { return base == ff.name; });
      std::string field_text = f == fields.end() ? field : c.tr(f->zh, f->en);
      std::string reason = f == fields.end() ? message : field_message(c, *f, message);
      report += fmt::format("<tr><td data-label=\"{}\" class=\"num\">{}</td><td data-label=\"{}\" class=\"short\">{}</td>"
                            "<td data-label=\"{}\" class=\"short\">{}</td><td data-label=\"{}\">{}</td></tr>",
                            esc(line_h), e.value("line", 0), esc(id_h), esc(e.value("id", "")), esc(field_h), esc(field_text),
                            esc(reason_h), esc(reason));
    }
    report += "</tbody></table></div>";
  }
  return import_page(c, report);
}


HttpResponse invite_post(Ctx& c, Form& form) {
  json body = {{"scenario_id", form["scenario_id"]}, {"enterprise_id", form["enterprise_id"]}};
  auto [st, out] = c.call("POST", "/v1/matches", &body);
  return st == 201 ? redirect("/matches/" + enc(out.value("id", "")), c) : error_page(c, st, problem_text(out));
}

}  // namespace jiebang::web
