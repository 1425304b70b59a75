// The enterprise's pages: its desk (profile, scenarios ranked for it, its matches), editing its
// profile, and applying (揭榜).
#include "pages_common.h"

#include <algorithm>

namespace jiebang::web {

std::string enterprise_desk(Ctx& c) {
  const auto& key = c.session->key;
  std::string body;
  auto e = c.service.get_enterprise(key.scope);
  body += fmt::format("<h1>{}</h1>", esc(e ? e->name : key.scope));
  body += fmt::format("<p><a class=\"button\" href=\"/profile\">{}</a></p>", c.tr("编辑资料", "Edit the profile"));
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

namespace {

const std::vector<FormField>& profile_fields() {
  static const std::vector<FormField> kFields = {
      {"name", "企业名称", "Name", "text"},
      {"capabilities", "技术能力", "Capabilities", "lines", "每行一项，例如：机器视觉缺陷检测", "One a line, e.g. machine-vision defect detection"},
      {"description", "企业简介", "Description", "textarea"},
      {"region", "所在地区", "Region", "region", "输入地名或 6 位代码，例如：杭州市西湖区、330106", "A place name or 6-digit code, e.g. 杭州市西湖区 or 330106"},
      {"industries", "所属行业（GB/T 4754 代码）", "Industries (GB/T 4754 codes)", "text", "用逗号分隔，例如：C34, I65",
       "Separated by commas, e.g. C34, I65"},
      {"trl", "技术成熟度（TRL 1–9）", "Technology readiness (TRL 1–9)", "number"},
      {"qualifications", "资质", "Qualifications", "lines", "每行一项，例如：高新技术企业", "One a line, e.g. high-tech enterprise"},
  };
  return kFields;
}

/// Items of a list field as typed: one a line, or (`by_line` false) also separated by commas
/// (, ，) or 、 — not spaces, which a tag may hold.
json split_items(const std::string& text, bool by_line) {
  json out = json::array();
  std::string item;
  auto flush = [&] {
    size_t a = item.find_first_not_of(" \t\r"), b = item.find_last_not_of(" \t\r");
    if (a != std::string::npos) out.push_back(item.substr(a, b - a + 1));
    item.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    bool sep = text[i] == '\n' || (!by_line && text[i] == ',');
    if (!by_line && (text.compare(i, 3, "，") == 0 || text.compare(i, 3, "、") == 0)) {
      flush();
      i += 2;
    } else if (sep) {
      flush();
    } else {
      item += text[i];
    }
  }
  flush();
  return out;
}

std::string join_items(const json& list, const char* sep) {
  std::string out;
  if (list.is_array())
    for (const auto& v : list)
      if (v.is_string()) out += (out.empty() ? "" : sep) + v.get<std::string>();
  return out;
}

HttpResponse profile_form(Ctx& c, const Form& values, const std::map<std::string, std::string>& errors,
                          const std::string& general, bool saved) {
  std::string body = "<h1>" + c.tr("编辑企业资料", "Edit the enterprise profile") + "</h1>";
  if (saved) body += "<p class=\"notice\" role=\"status\" id=\"profile-saved\">" + c.tr("已保存。", "Saved.") + "</p>";
  if (!general.empty()) body += fmt::format("<p class=\"notice bad\" role=\"alert\">{}</p>", esc(general));
  body += errors_summary(c, errors);
  body += "<form method=\"post\" action=\"/profile\" novalidate>" + c.csrf_field();
  body += form_fields_html(c, profile_fields(), values, errors);
  body += "<p><button type=\"submit\">" + c.tr("保存", "Save") + "</button></p></form>";
  return page(c, errors.empty() && general.empty() ? 200 : 400, c.tr("企业资料", "Profile"), body);
}

}  // namespace

HttpResponse profile_page(Ctx& c, bool saved) {
  const std::string& id = c.session->key.scope;
  auto [st, e] = c.call("GET", "/v1/enterprises/" + enc(id));
  if (st != 200 && st != 404) return error_page(c, st, problem_text(e));
  Form values;
  if (st == 200) {
    for (const char* k : {"name", "description", "region"}) values[k] = e.value(k, "");
    values["capabilities"] = join_items(e.value("capabilities", json::array()), "\n");
    values["qualifications"] = join_items(e.value("qualifications", json::array()), "\n");
    values["industries"] = join_items(e.value("industries", json::array()), ", ");
    if (e.contains("trl") && e["trl"].is_number_integer()) values["trl"] = std::to_string(e["trl"].get<int>());
  }
  return profile_form(c, values, {}, "", saved);
}

HttpResponse profile_post(Ctx& c, const Form& form) {
  const std::string& id = c.session->key.scope;
  auto [st, body] = c.call("GET", "/v1/enterprises/" + enc(id));
  if (st == 404) body = json::object();  // a first profile: PUT creates it
  else if (st != 200) return error_page(c, st, problem_text(body));
  auto get = [&](const char* k) {
    auto it = form.find(k);
    return it == form.end() ? std::string() : it->second;
  };
  body["id"] = id;
  for (const char* k : {"name", "description"}) {
    if (get(k).empty()) body.erase(k);
    else body[k] = get(k);
  }
  std::string region_error;
  auto region = region_field(c, get("region"), region_error);
  if (!region) return profile_form(c, form, {{"region", region_error}}, "", false);
  if (region->empty()) body.erase("region");
  else body["region"] = *region;
  body["capabilities"] = split_items(get("capabilities"), true);
  body["qualifications"] = split_items(get("qualifications"), true);
  body["industries"] = split_items(get("industries"), false);
  std::string trl = get("trl");
  if (trl.empty()) body.erase("trl");
  // Digits are sent as a number; anything else as typed, for the API's validator to name.
  else body["trl"] = trl.size() < 3 && trl.find_first_not_of("0123456789") == std::string::npos ? json(std::stoi(trl)) : json(trl);
  auto [put_status, out] = c.call("PUT", "/v1/enterprises/" + enc(id), &body);
  if (put_status == 200 || put_status == 201) return redirect("/profile?saved=1", c);
  std::string general;
  auto errors = field_errors(c, out, profile_fields(), general);
  HttpResponse r = profile_form(c, form, errors, general, false);
  if (put_status != 400) r.status = put_status;
  return r;
}

HttpResponse apply_post(Ctx& c, Form& form) {
  json body = {{"scenario_id", form["scenario_id"]}, {"enterprise_id", c.session->key.scope}, {"note", form["note"]}};
  auto [st, out] = c.call("POST", "/v1/matches", &body);
  return st == 201 ? redirect("/matches/" + enc(out.value("id", "")), c) : error_page(c, st, problem_text(out));
}

}  // namespace jiebang::web
