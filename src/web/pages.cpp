// The marketplace's pages: routing, sessions and CSRF, and every page (public search, sign-in,
// enterprise, publisher, operator). Signed-in reads and writes go through the JSON API in-process.
#include "jiebang/web/pages.h"
#include "jiebang/core/log.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "jiebang/core/url.h"
#include "jiebang/service/service.h"
#include "jiebang/web/assets.h"

namespace jiebang::web {
namespace {

using api::HttpRequest;
using api::HttpResponse;
using nlohmann::json;

// ---- text and URLs ----

/// HTML-escapes text for element content and quoted attribute values.
std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string enc(std::string_view s) { return percent_encode_segment(s); }

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Decodes application/x-www-form-urlencoded text ('+' is a space); a bad escape is kept as written.
std::string form_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') out += ' ';
    else if (s[i] == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out += static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else out += s[i];
  }
  return out;
}

std::map<std::string, std::string> parse_form(std::string_view s) {
  std::map<std::string, std::string> out;
  while (!s.empty()) {
    size_t amp = s.find('&');
    std::string_view pair = s.substr(0, amp);
    s = amp == std::string_view::npos ? std::string_view() : s.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    out[form_decode(pair.substr(0, eq))] = eq == std::string_view::npos ? "" : form_decode(pair.substr(eq + 1));
  }
  return out;
}

/// One part of a multipart/form-data body (RFC 7578).
struct Part {
  std::string name, filename, content_type, body;
};

std::vector<Part> parse_multipart(const std::string& body, std::string_view content_type) {
  std::vector<Part> parts;
  size_t b = content_type.find("boundary=");
  if (b == std::string_view::npos) return parts;
  std::string boundary(content_type.substr(b + 9));
  if (auto semi = boundary.find(';'); semi != std::string::npos) boundary.resize(semi);
  if (boundary.size() >= 2 && boundary.front() == '"') boundary = boundary.substr(1, boundary.size() - 2);
  std::string delim = "--" + boundary;
  size_t pos = body.find(delim);
  while (pos != std::string::npos) {
    pos += delim.size();
    if (body.compare(pos, 2, "--") == 0) break;
    if (body.compare(pos, 2, "\r\n") == 0) pos += 2;
    size_t head_end = body.find("\r\n\r\n", pos);
    if (head_end == std::string::npos) break;
    std::string head = body.substr(pos, head_end - pos);
    size_t next = body.find("\r\n" + delim, head_end + 4);
    if (next == std::string::npos) break;
    Part p;
    p.body = body.substr(head_end + 4, next - head_end - 4);
    auto attr = [&](const std::string& key) {
      size_t k = head.find(key + "=\"");
      if (k == std::string::npos) return std::string();
      size_t start = k + key.size() + 2, end = head.find('"', start);
      return head.substr(start, end == std::string::npos ? std::string::npos : end - start);
    };
    p.name = attr(" name");
    p.filename = attr("filename");
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (size_t ct = lower.find("content-type:"); ct != std::string::npos) {
      size_t end = head.find("\r\n", ct);
      p.content_type = head.substr(ct + 13, end == std::string::npos ? std::string::npos : end - ct - 13);
      while (!p.content_type.empty() && p.content_type.front() == ' ') p.content_type.erase(0, 1);
    }
    parts.push_back(std::move(p));
    pos = next + 2;
  }
  return parts;
}

std::string_view stage_zh(std::string_view s) {
  static const std::map<std::string_view, std::string_view> kNames = {
      {"recommended", "推荐"}, {"applied", "揭榜"},     {"selected", "挂帅"},     {"rd", "研发"},
      {"validation", "验证"},  {"commercialized", "商业化"}, {"withdrawn", "撤回"}, {"rejected", "未入选"},
      {"failed", "失败"}};
  auto it = kNames.find(s);
  return it == kNames.end() ? s : it->second;
}

// ---- one request ----

struct Ctx {
  const HttpRequest& req;
  api::Api& api;
  Service& service;
  const WebConfig& config;
  std::string path;
  std::map<std::string, std::string> query;
  bool en = false;
  bool secure = false;
  std::optional<Service::WebSession> session;
  std::string session_error;  ///< why a presented cookie did not sign in
  std::vector<std::string> set_cookies;

  std::string tr(std::string_view zh, std::string_view en_text) const { return std::string(en ? en_text : zh); }
  std::string stage(std::string_view s) const { return en ? std::string(s) : std::string(stage_zh(s)); }
  std::optional<Role> role() const { return session ? std::optional<Role>(session->key.role) : std::nullopt; }
  api::Caller caller() const { return {session->key.role, session->key.scope, session->key.id}; }
  std::string q(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? "" : it->second;
  }
  std::string csrf_field() const {
    return session ? fmt::format("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", esc(session->csrf)) : "";
  }

  /// Calls the JSON API as the signed-in caller.
  std::pair<int, json> call(const std::string& method, const std::string& target, const json* body = nullptr) {
    HttpRequest r;
    r.method = method;
    r.target = target;
    if (body) {
      r.headers.set("Content-Type", "application/json");
      r.body = body->dump();
    }
    HttpResponse out = api.handle_as(r, caller(), service);
    json j = json::parse(out.body, nullptr, false);
    return {out.status, j.is_discarded() ? json::object() : j};
  }
};

HttpResponse html_response(int status, std::string body, Ctx& c) {
  HttpResponse r = HttpResponse::text(status, "text/html; charset=utf-8", std::move(body));
  r.headers.set("Content-Security-Policy",
                "default-src 'none'; style-src 'self'; style-src-attr 'unsafe-inline'; script-src 'self'; img-src 'self'; connect-src 'self'; "
                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  r.headers.set("Referrer-Policy", "same-origin");
  r.headers.set("X-Frame-Options", "DENY");
  r.headers.set("Cache-Control", "no-store");
  for (const auto& cookie : c.set_cookies) r.headers.add("Set-Cookie", cookie);
  return r;
}

HttpResponse redirect(const std::string& location, Ctx& c) {
  HttpResponse r;
  r.status = 303;
  r.headers.set("Location", location);
  r.headers.set("Cache-Control", "no-store");
  for (const auto& cookie : c.set_cookies) r.headers.add("Set-Cookie", cookie);
  return r;
}

std::string cookie(const Ctx& c, std::string_view name, const std::string& value, long max_age) {
  return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", name, value, max_age,
                     c.secure ? "; Secure" : "");
}

/// The whole page around `body`.
std::string layout(const Ctx& c, const std::string& title, const std::string& body) {
  std::string nav;
  nav += fmt::format("<a href=\"/scenarios\">{}</a>", c.tr("场景机会", "Scenarios"));
  if (c.session) {
    nav += fmt::format("<a href=\"/me\">{}</a>", c.tr("我的工作台", "My desk"));
    if (c.role() == Role::kPublisher || c.role() == Role::kOperator)
      nav += fmt::format("<a href=\"/publish\">{}</a><a href=\"/import\">{}</a>", c.tr("发布场景", "Post a scenario"),
                         c.tr("导入清单", "Import a list"));
    nav += fmt::format("<form method=\"post\" action=\"/signout\">{}<button type=\"submit\">{}</button></form>",
                       c.csrf_field(), c.tr("退出", "Sign out"));
  } else {
    nav += fmt::format("<a href=\"/signin\">{}</a>", c.tr("登录", "Sign in"));
  }
  std::string back = c.req.target.size() < 1000 ? c.req.target : "/scenarios";
  nav += fmt::format("<a href=\"/lang/{}?next={}\" lang=\"{}\">{}</a>", c.en ? "zh" : "en", enc(back), c.en ? "zh" : "en",
                     c.en ? "中文" : "English");
  return fmt::format(
      "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>{} · {}</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body>"
      "<header class=\"top\"><a class=\"brand\" href=\"/scenarios\">{}</a><nav class=\"topnav\" aria-label=\"{}\">{}</nav></header>"
      "<main id=\"main\">{}</main><footer>{}</footer><script src=\"/assets/app.js\"></script></body></html>",
      c.en ? "en" : "zh-CN", esc(title), c.tr("揭榜挂帅", "jiebang"), c.tr("揭榜挂帅 · 场景机会", "jiebang · scenarios"),
      c.tr("主导航", "Main"), nav, body, c.tr("揭榜挂帅场景机会平台 · jiebang", "jiebang scenario marketplace"));
}

HttpResponse page(Ctx& c, int status, const std::string& title, const std::string& body) {
  return html_response(status, layout(c, title, body), c);
}

HttpResponse error_page(Ctx& c, int status, const std::string& message) {
  return page(c, status, c.tr("出错了", "Something went wrong"),
              fmt::format("<h1>{}</h1><p class=\"notice bad\" role=\"alert\">{}</p><p><a href=\"/scenarios\">{}</a></p>",
                          c.tr("无法完成", "Could not be done"), esc(message), c.tr("返回场景机会", "Back to the scenarios")));
}

/// The problem an API call answered, as a line of text.
std::string problem_text(const json& j) {
  std::string s = j.value("detail", std::string("error"));
  return s;
}

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

std::string region_label(const Ctx& c, const std::string& code) {
  std::string name = c.service.regions().name(code);
  if (name.empty()) return code;
  if (code.size() == 6 && !code.ends_with("00")) {
    std::string city = c.service.regions().name(code.substr(0, 4) + "00");
    if (!city.empty() && city != "市辖区") name = city + name;
  }
  return name;
}

std::string industry_label(const Ctx& c, const std::string& code) {
  std::string name = c.service.industries().name(code);
  return name.empty() ? code : name + " (" + code + ")";
}

std::string budget_text(const Ctx& c, const json& s) {
  if (!s.contains("budget") || !s["budget"].is_object()) return c.tr("未注明", "not given");
  const json& b = s["budget"];
  auto wan = [](const json& v) {
    double yuan = v.is_number() ? v.get<double>() : v.is_string() ? std::atof(v.get<std::string>().c_str()) : 0;
    return fmt::format("{:g}", yuan / 10000.0);
  };
  std::string lo = b.contains("amount_min") ? wan(b["amount_min"]) : "", hi = b.contains("amount_max") ? wan(b["amount_max"]) : "";
  std::string range = lo.empty() ? hi : hi.empty() ? lo : lo + "–" + hi;
  return range.empty() ? c.tr("未注明", "not given") : range + c.tr(" 万元", " ×10,000 yuan");
}

// ---- public search ----

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

std::string bars_html(const Ctx& c, const json& components) {
  static const std::map<std::string, std::pair<std::string_view, std::string_view>> kNames = {
      {"text", {"文本相关度", "text"}},      {"industry", {"行业", "industry"}},  {"region", {"地区", "region"}},
      {"readiness", {"技术成熟度", "readiness"}}, {"budget", {"预算", "budget"}}, {"track_record", {"往绩", "track record"}}};
  std::string out = "<div class=\"bars\">";
  for (const auto& [name, comp] : components.items()) {
    auto it = kNames.find(name);
    std::string label = it == kNames.end() ? name : std::string(c.en ? it->second.second : it->second.first);
    double fit = std::clamp(comp.value("fit", 0.0), 0.0, 1.0);
    out += fmt::format(
        "<span>{}</span><span class=\"bar\" role=\"img\" aria-label=\"{} {:.0f}%\" title=\"{}\"><span style=\"width:{:.0f}%\"></span></span>"
        "<span>{:+.3f}</span>",
        esc(label), esc(label), fit * 100, esc(comp.value("reason", std::string())), fit * 100, comp.value("contribution", 0.0));
  }
  return out + "</div>";
}

std::string ranked_html(const Ctx& c, const json& results, bool scenarios, const std::string& action_scenario) {
  std::string out;
  for (const auto& r : results) {
    std::string id = r.value("id", std::string()), name = r.value("name", std::string());
    std::string terms;
    for (const auto& t : r.value("matched_terms", json::array())) terms += (terms.empty() ? "" : "、") + t.get<std::string>();
    std::string link = scenarios ? "/scenarios/" + enc(id) : "";
    out += fmt::format("<article class=\"result\"><h3>{}. {}</h3>", r.value("rank", 0),
                       link.empty() ? esc(name) : fmt::format("<a href=\"{}\">{}</a>", link, esc(name)));
    out += fmt::format("<p class=\"meta\"><span>{} {:.3f}</span><span>{}：{}</span></p>", c.tr("得分", "Score"),
                       r.value("score", 0.0), c.tr("匹配词", "Matched words"), esc(terms));
    out += fmt::format("<p>{}</p>", esc(r.value("reason", std::string())));
    out += bars_html(c, r.value("components", json::object()));
    if (scenarios && c.role() == Role::kEnterprise) {
      out += fmt::format(
          "<form method=\"post\" action=\"/apply\">{}<input type=\"hidden\" name=\"scenario_id\" value=\"{}\">"
          "<label for=\"note-{}\">{}</label><input type=\"text\" id=\"note-{}\" name=\"note\" maxlength=\"500\">"
          "<p><button type=\"submit\">{}</button></p></form>",
          c.csrf_field(), esc(id), esc(id), c.tr("揭榜说明", "Note with the application"), esc(id), c.tr("揭榜（申请）", "Apply (揭榜)"));
    } else if (!scenarios && !action_scenario.empty()) {
      out += fmt::format(
          "<form method=\"post\" action=\"/invite\">{}<input type=\"hidden\" name=\"scenario_id\" value=\"{}\">"
          "<input type=\"hidden\" name=\"enterprise_id\" value=\"{}\"><button type=\"submit\" class=\"secondary\">{}</button></form>",
          c.csrf_field(), esc(action_scenario), esc(id), c.tr("邀请揭榜", "Invite"));
    }
    out += "</article>";
  }
  return out;
}

HttpResponse scenario_page(Ctx& c, const std::string& id) {
  auto s = c.service.get_scenario(id);
  if (!s) return error_page(c, 404, c.tr("没有这个场景：", "No such scenario: ") + id);
  json j = to_json(*s);
  std::string industries;
  for (const auto& code : s->industries) industries += (industries.empty() ? "" : "、") + industry_label(c, code);
  std::string body = fmt::format("<h1>{}</h1><p>{}</p><dl class=\"fields\">", esc(s->title), esc(s->description));
  auto row = [&](const std::string& k, const std::string& v) { body += fmt::format("<dt>{}</dt><dd>{}</dd>", k, esc(v)); };
  row(c.tr("发榜单位", "Publisher"), s->publisher);
  row(c.tr("地区", "Region"), s->region.empty() ? "" : region_label(c, s->region));
  row(c.tr("行业", "Industry"), industries);
  row(c.tr("技术成熟度要求", "Required TRL"), s->required_trl ? "TRL " + std::to_string(*s->required_trl) : c.tr("未注明", "not given"));
  row(c.tr("预算", "Budget"), budget_text(c, j));
  row(c.tr("截止日期", "Deadline"), s->deadline.empty() ? c.tr("未注明", "not given") : s->deadline);
  row(c.tr("状态", "Status"), s->status);
  if (!s->list.empty()) row(c.tr("所属清单", "List"), s->list);
  body += "</dl>";
  if (c.role() == Role::kEnterprise) {
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
    body += "<h2>" + c.tr("揭榜进展", "Matches") + "</h2>";
    if (st2 == 200) {
      body += "<ul>";
      for (const auto& m : matches.value("matches", json::array()))
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

HttpResponse signin_post(Ctx& c, const std::map<std::string, std::string>& form) {
  auto key = form.find("key");
  auto s = c.service.open_session(key == form.end() ? "" : key->second, c.config.session_ttl);
  if (!s) {
    if (s.status().code() == ErrorCode::kPermissionDenied)
      return signin_page(c, c.tr("密钥无效或已被吊销。", "The key is invalid or revoked."));
    return error_page(c, 500, s.status().message());
  }
  c.set_cookies.push_back(cookie(c, api::kSessionCookie, s->token, static_cast<long>(c.config.session_ttl.count())));
  return redirect("/me", c);
}

// ---- signed-in pages ----

std::string matches_table(const Ctx& c, const json& matches) {
  std::string out = "<div class=\"table-wrap\"><table class=\"stack\"><thead><tr><th>" + c.tr("编号", "Match") + "</th><th>" +
                    c.tr("场景", "Scenario") + "</th><th>" + c.tr("企业", "Enterprise") + "</th><th>" +
                    c.tr("阶段", "Stage") + "</th><th>" + c.tr("更新", "Updated") + "</th></tr></thead><tbody>";
  for (const auto& m : matches)
    out += fmt::format(
        "<tr><td data-label=\"{}\"><a href=\"/matches/{}\">{}</a></td><td data-label=\"{}\"><a href=\"/scenarios/{}\">{}</a></td>"
        "<td data-label=\"{}\">{}</td><td data-label=\"{}\"><span class=\"stage\">{}</span></td><td data-label=\"{}\">{}</td></tr>",
        c.tr("编号", "Match"), enc(m.value("id", "")), esc(m.value("id", "")), c.tr("场景", "Scenario"), enc(m.value("scenario_id", "")), esc(m.value("scenario_id", "")),
        c.tr("企业", "Enterprise"), esc(m.value("enterprise_id", "")), c.tr("阶段", "Stage"), esc(c.stage(m.value("stage", ""))),
        c.tr("更新", "Updated"), esc(m.value("updated_at", "")));
  return out + "</tbody></table></div>";
}

std::string funnel_html(const Ctx& c, const json& funnel) {
  std::string out;
  for (const auto& g : funnel.value("groups", json::array())) {
    std::string group = g.value("group", ""), label = group;
    if (RegionTable::is_code(group)) label = region_label(c, group) + " (" + group + ")";
    else if (!c.service.industries().name(group).empty()) label = industry_label(c, group);
    out += fmt::format("<h3>{}</h3><div class=\"bars\" style=\"grid-template-columns:7rem 1fr 9rem\">", esc(label));
    uint64_t top = 1;
    for (const auto& st : g.value("stages", json::array())) top = std::max<uint64_t>(top, st.value("reached", 0));
    for (const auto& st : g.value("stages", json::array())) {
      uint64_t n = st.value("reached", 0);
      std::string conv = st.contains("conversion_to_next") && st["conversion_to_next"].is_number()
                             ? fmt::format(" → {:.0f}%", st["conversion_to_next"].get<double>() * 100) : "";
      std::string days = st.contains("median_days") && st["median_days"].is_number()
                             ? fmt::format(" · {:.1f}{}", st["median_days"].get<double>(), c.tr("天", "d")) : "";
      out += fmt::format("<span>{}</span><span class=\"bar\" role=\"img\" aria-label=\"{} {}\"><span style=\"width:{:.0f}%\"></span></span><span>{}{}{}</span>",
                         esc(c.stage(st.value("stage", ""))), esc(c.stage(st.value("stage", ""))), n,
                         100.0 * static_cast<double>(n) / static_cast<double>(top), n, conv, days);
    }
    out += "</div>";
    size_t stalled = g.value("stalled", json::array()).size();
    if (stalled) out += fmt::format("<p class=\"notice\">{} {}</p>", c.tr("停滞的匹配：", "Stalled matches: "), stalled);
  }
  return out.empty() ? "<p>" + c.tr("暂无数据。", "No matches yet.") + "</p>" : out;
}

HttpResponse me_page(Ctx& c) {
  const auto& key = c.session->key;
  std::string body;
  if (key.role == Role::kEnterprise) {
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
  } else if (key.role == Role::kPublisher) {
    body += fmt::format("<h1>{}</h1>", esc(key.scope));
    body += fmt::format("<p><a class=\"button\" href=\"/publish\">{}</a> <a class=\"button\" href=\"/import\">{}</a></p>",
                        c.tr("发布场景", "Post a scenario"), c.tr("导入清单", "Import a list"));
    auto [st2, matches] = c.call("GET", "/v1/matches");
    body += "<h2>" + c.tr("揭榜进展", "Matches") + "</h2>";
    if (st2 == 200) body += matches_table(c, matches.value("matches", json::array()));
    auto [st3, funnel] = c.call("GET", "/v1/funnel?group_by=publisher");
    body += "<h2>" + c.tr("漏斗", "Funnel") + "</h2>";
    if (st3 == 200) body += funnel_html(c, funnel);
  } else {
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
    // API keys (this branch is the operator's only): who may act, and which keys are revoked.
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
  }
  return page(c, 200, c.tr("我的工作台", "My desk"), body);
}

HttpResponse match_page(Ctx& c, const std::string& id, const std::string& error) {
  auto [st, m] = c.call("GET", "/v1/matches/" + enc(id));
  if (st != 200) return error_page(c, st, problem_text(m));
  std::string body = fmt::format("<h1>{} {}</h1>", c.tr("匹配", "Match"), esc(id));
  if (!error.empty()) body += fmt::format("<p class=\"notice bad\" role=\"alert\">{}</p>", esc(error));
  body += fmt::format("<dl class=\"fields\"><dt>{}</dt><dd><a href=\"/scenarios/{}\">{}</a></dd><dt>{}</dt><dd>{}</dd>"
                      "<dt>{}</dt><dd>{}</dd><dt>{}</dt><dd><span class=\"stage\" id=\"stage\">{}</span></dd></dl>",
                      c.tr("场景", "Scenario"), enc(m.value("scenario_id", "")), esc(m.value("scenario_id", "")),
                      c.tr("企业", "Enterprise"), esc(m.value("enterprise_id", "")), c.tr("发榜单位", "Publisher"),
                      esc(m.value("publisher", "")), c.tr("阶段", "Stage"), esc(c.stage(m.value("stage", ""))));
  body += "<h2>" + c.tr("历史", "History") + "</h2><div class=\"table-wrap\"><table class=\"stack\"><thead><tr><th>" + c.tr("时间", "When") +
          "</th><th>" + c.tr("由", "By") + "</th><th>" + c.tr("变更", "Change") + "</th><th>" + c.tr("说明", "Note") +
          "</th><th>" + c.tr("证据", "Evidence") + "</th></tr></thead><tbody>";
  for (const auto& e : m.value("history", json::array())) {
    std::string from = e["from"].is_string() ? c.stage(e["from"].get<std::string>()) + " → " : "";
    std::string evidence = e.value("evidence", "");
    std::string ev_html = evidence.starts_with("https://") || evidence.starts_with("http://")
                              ? fmt::format("<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>", esc(evidence), esc(evidence))
                              : esc(evidence);
    body += fmt::format("<tr><td data-label=\"{}\">{}</td><td data-label=\"{}\">{}</td><td data-label=\"{}\">{}{}</td>"
                        "<td data-label=\"{}\">{}</td><td data-label=\"{}\">{}</td></tr>",
                        c.tr("时间", "When"), esc(e.value("at", "")), c.tr("由", "By"), esc(e["actor"].value("id", "")),
                        c.tr("变更", "Change"), esc(from), esc(c.stage(e.value("to", ""))), c.tr("说明", "Note"),
                        esc(e.value("note", "")), c.tr("证据", "Evidence"), ev_html);
  }
  body += "</tbody></table></div>";
  auto next = m.value("allowed_next", json::array());
  if (!next.empty()) {
    body += fmt::format("<h2>{}</h2><form method=\"post\" action=\"/matches/{}/move\">{}<label for=\"to\">{}</label><select id=\"to\" name=\"to\">",
                        c.tr("推进到下一阶段", "Move to another stage"), enc(id), c.csrf_field(), c.tr("新阶段", "New stage"));
    for (const auto& s : next)
      body += fmt::format("<option value=\"{}\">{}</option>", esc(s.get<std::string>()), esc(c.stage(s.get<std::string>())));
    body += fmt::format(
        "</select><label for=\"note\">{}</label><input type=\"text\" id=\"note\" name=\"note\" maxlength=\"500\">"
        "<label for=\"evidence\">{}</label><input type=\"url\" id=\"evidence\" name=\"evidence\" placeholder=\"https://…\">"
        "<label for=\"contract_value\">{}</label><input type=\"text\" id=\"contract_value\" name=\"contract_value\" inputmode=\"decimal\">"
        "<p><button type=\"submit\">{}</button></p></form>",
        c.tr("说明", "Note"), c.tr("证据链接", "Evidence link"), c.tr("合同金额（元，商业化时填写）", "Contract value (yuan, when commercialised)"),
        c.tr("提交", "Submit"));
  }
  return page(c, 200, c.tr("匹配 ", "Match ") + id, body);
}

struct FormField {
  const char* name;
  std::string_view zh, en;
  const char* type;  ///< "text", "textarea", "number", "date", "region", "industry"
};

const std::vector<FormField>& scenario_fields() {
  static const std::vector<FormField> kFields = {
      {"id", "编号", "Id", "text"},
      {"title", "场景名称", "Title", "text"},
      {"description", "需求描述", "Description", "textarea"},
      {"region", "地区", "Region", "region"},
      {"industries", "行业", "Industry", "industry"},
      {"required_trl", "技术成熟度要求（TRL 1–9）", "Required TRL (1–9)", "number"},
      {"budget.amount_min", "预算下限（元）", "Budget from (yuan)", "number"},
      {"budget.amount_max", "预算上限（元）", "Budget up to (yuan)", "number"},
      {"deadline", "截止日期", "Deadline", "date"},
  };
  return kFields;
}

HttpResponse publish_page(Ctx& c, const std::map<std::string, std::string>& values, const std::map<std::string, std::string>& errors,
                          const std::string& general) {
  std::string body = "<h1>" + c.tr("发布场景", "Post a scenario") + "</h1>";
  if (!general.empty()) body += fmt::format("<p class=\"notice bad\" role=\"alert\">{}</p>", esc(general));
  body += "<form method=\"post\" action=\"/publish\" novalidate>" + c.csrf_field();
  for (const auto& f : scenario_fields()) {
    auto v = values.find(f.name);
    std::string value = v == values.end() ? "" : v->second;
    auto err = errors.find(f.name);
    std::string described = err == errors.end() ? "" : fmt::format(" aria-invalid=\"true\" aria-describedby=\"err-{}\"", f.name);
    body += fmt::format("<label for=\"f-{}\">{}</label>", f.name, c.tr(f.zh, f.en));
    std::string type = f.type;
    if (type == "textarea") {
      body += fmt::format("<textarea id=\"f-{}\" name=\"{}\"{}>{}</textarea>", f.name, f.name, described, esc(value));
    } else if (type == "region") {
      body += fmt::format("<select id=\"f-{}\" name=\"{}\"{}><option value=\"\">{}</option>", f.name, f.name, described, c.tr("请选择", "Choose"));
      for (const auto& prov : c.service.regions().children("")) {
        body += fmt::format("<optgroup label=\"{}\">", esc(c.service.regions().name(prov)));
        for (const auto& city : c.service.regions().children(prov)) {
          body += fmt::format("<option value=\"{}\"{}>{}</option>", city, value == city ? " selected" : "", esc(c.service.regions().name(city)));
          for (const auto& area : c.service.regions().children(city))
            if (prov.starts_with("33"))  // districts listed for the platform's own province; cities elsewhere
              body += fmt::format("<option value=\"{}\"{}>　{}</option>", area, value == area ? " selected" : "",
                                  esc(c.service.regions().name(area)));
        }
        body += "</optgroup>";
      }
      body += "</select>";
    } else if (type == "industry") {
      body += fmt::format("<select id=\"f-{}\" name=\"{}\"{}><option value=\"\">{}</option>", f.name, f.name, described, c.tr("请选择", "Choose"));
      for (const auto& sec : c.service.industries().children("")) {
        body += fmt::format("<optgroup label=\"{} {}\">", sec, esc(c.service.industries().name(sec)));
        for (const auto& div : c.service.industries().children(sec))
          body += fmt::format("<option value=\"{}\"{}>{} {}</option>", div, value == div ? " selected" : "", div,
                              esc(c.service.industries().name(div)));
        body += "</optgroup>";
      }
      body += "</select>";
    } else {
      body += fmt::format("<input type=\"{}\" id=\"f-{}\" name=\"{}\" value=\"{}\"{}>", type == "number" ? "text" : type, f.name, f.name,
                          esc(value), described);
    }
    if (err != errors.end()) body += fmt::format("<p class=\"error\" id=\"err-{}\">{}</p>", f.name, esc(err->second));
  }
  body += "<p><button type=\"submit\">" + c.tr("发布", "Post") + "</button></p></form>";
  return page(c, errors.empty() && general.empty() ? 200 : 400, c.tr("发布场景", "Post a scenario"), body);
}

HttpResponse publish_post(Ctx& c, const std::map<std::string, std::string>& form) {
  json body = json::object();
  auto get = [&](const char* k) {
    auto it = form.find(k);
    return it == form.end() ? std::string() : it->second;
  };
  for (const char* k : {"id", "title", "description", "region", "deadline"})
    if (!get(k).empty()) body[k] = get(k);
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
  std::map<std::string, std::string> errors;
  for (const auto& e : out.value("errors", json::array())) {
    std::string field = e.value("field", "");
    if (field.starts_with("industries")) field = "industries";
    errors[field] += (errors[field].empty() ? "" : "; ") + e.value("message", "");
  }
  std::string general;
  if (errors.empty()) {
    std::string field = out.value("field", "");
    if (!field.empty()) errors[field] = problem_text(out);
    else general = problem_text(out);
  }
  for (auto it = errors.begin(); it != errors.end();) {  // a field the form does not show: said at the top
    bool shown = std::any_of(scenario_fields().begin(), scenario_fields().end(), [&](const FormField& f) { return it->first == f.name; });
    if (!shown) {
      general += (general.empty() ? "" : "; ") + it->first + ": " + it->second;
      it = errors.erase(it);
    } else {
      ++it;
    }
  }
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
    report += "<div class=\"table-wrap\"><table id=\"import-errors\"><thead><tr><th>" + c.tr("行", "Line") + "</th><th>" +
              c.tr("编号", "Id") + "</th><th>" + c.tr("字段", "Field") + "</th><th>" + c.tr("原因", "Reason") + "</th></tr></thead><tbody>";
    for (const auto& e : errors)
      report += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", e.value("line", 0), esc(e.value("id", "")),
                            esc(e.value("field", "")), esc(e.value("message", "")));
    report += "</tbody></table></div>";
  }
  return import_page(c, report);
}

/// True when a POST comes from this origin: Origin (sent by browsers on every POST) names this
/// host, or, without Origin, Sec-Fetch-Site says same-origin; a request with neither is not a
/// browser's cross-site form (curl, tests) and is let through to the token check.
bool same_origin(const Ctx& c) {
  auto host = c.req.headers.get("Host");
  if (auto origin = c.req.headers.get("Origin")) {
    if (!host) return false;
    std::string_view o = *origin;
    size_t scheme = o.find("://");
    return scheme != std::string_view::npos && o.substr(scheme + 3) == *host;
  }
  if (auto site = c.req.headers.get("Sec-Fetch-Site")) return *site == "same-origin" || *site == "none";
  return true;
}

}  // namespace

Pages::Pages(WebConfig config) : config_(std::move(config)) {}

bool Pages::owns(std::string_view path) const {
  for (std::string_view p : {"/scenarios", "/signin", "/signout", "/me", "/publish", "/import", "/apply", "/invite"})
    if (path == p) return true;
  for (std::string_view p : {"/scenarios/", "/matches/", "/assets/", "/lang/"})
    if (path.starts_with(p)) return true;
  return path == "/";
}

size_t Pages::body_limit(std::string_view method, std::string_view path, const api::ApiConfig& config) const {
  if (method != "POST") return 0;
  // A workbook or list as large as the API's import takes, in a multipart envelope.
  if (path == "/import") return config.max_body_bytes + kMultipartSlack;
  if (path == "/signin") return kSigninBodyBytes;
  return std::min(config.max_json_body_bytes, config.max_body_bytes);
}

bool Pages::needs_session(std::string_view method, std::string_view path) const {
  return method == "POST" && path != "/signin";
}

HttpResponse Pages::handle(const HttpRequest& req, api::Api& api, Service& service) {
  Ctx c{req, api, service, config_, "", {}, false, false, std::nullopt, "", {}};
  try {
    std::string_view target = req.target;
    size_t qm = target.find('?');
    c.path = form_decode(target.substr(0, qm));
    if (qm != std::string_view::npos) c.query = parse_form(target.substr(qm + 1));
    if (auto proto = req.headers.get("X-Forwarded-Proto")) c.secure = api::iequals(*proto, "https");
    for (const auto& [name, value] : req.headers.fields())
      if (api::iequals(name, "Cookie") && (value.find("lang=en") != std::string::npos)) c.en = true;
    if (c.q("lang") == "en") c.en = true;
    const std::string& path = c.path;

    if (path.starts_with("/assets/")) {
      for (const auto& a : assets())
        if (path.substr(8) == a.name) {
          HttpResponse r = HttpResponse::text(200, std::string(a.content_type), std::string(a.bytes));
          r.headers.set("Cache-Control", "public, max-age=3600");
          r.route = "page /assets/{name}";
          return r;
        }
      return error_page(c, 404, "no such asset");
    }
    if (path.starts_with("/lang/")) {
      std::string to = path.substr(6) == "en" ? "en" : "zh";
      c.set_cookies.push_back(fmt::format("lang={}; Path=/; Max-Age=31536000; SameSite=Lax", to));
      std::string next = c.q("next");
      if (!next.starts_with("/") || next.starts_with("//")) next = "/scenarios";
      return redirect(next, c);
    }

    auto creds = api::credentials_from_head(req.headers);
    if (creds.session) {
      auto s = c.service.session(*creds.session);
      if (s) c.session = std::move(*s);
      else {
        c.session_error = s.status().message();
        c.set_cookies.push_back(cookie(c, api::kSessionCookie, "", 0));  // ended: drop the cookie
      }
    }

    std::map<std::string, std::string> form;
    if (req.method == "POST") {
      if (!same_origin(c)) return error_page(c, 403, c.tr("拒绝跨站提交的表单。", "A form sent from another site is refused."));
      auto ct = req.headers.get("Content-Type");
      bool multipart = ct && ct->find("multipart/form-data") != std::string_view::npos;
      if (!multipart) form = parse_form(req.body);
      if (path != "/signin") {
        if (!c.session) return redirect("/signin", c);
        std::string token;
        if (multipart) {
          for (const auto& p : parse_multipart(req.body, *ct))
            if (p.name == "csrf") token = p.body;
        } else if (auto it = form.find("csrf"); it != form.end()) {
          token = it->second;
        }
        if (token.empty() || token != c.session->csrf)
          return error_page(c, 403, c.tr("表单已过期或来源不明，请刷新页面后重试。", "The form is stale or not from this site; reload and retry."));
      }
    } else if (req.method != "GET" && req.method != "HEAD") {
      HttpResponse r = error_page(c, 405, "GET or POST");
      r.headers.set("Allow", "GET, HEAD, POST");
      return r;
    }

    HttpResponse r;
    if (path == "/") {
      r = redirect("/scenarios", c);
    } else if (path == "/scenarios") {
      r = scenarios_page(c);
    } else if (path.starts_with("/scenarios/") && path.size() > 11) {
      r = scenario_page(c, path.substr(11));
    } else if (path == "/signin") {
      r = req.method == "POST" ? signin_post(c, form) : signin_page(c, "");
    } else if (path == "/signout" && req.method == "POST") {
      if (creds.session) (void)c.service.end_session(*creds.session);
      c.set_cookies.push_back(cookie(c, api::kSessionCookie, "", 0));
      r = redirect("/scenarios", c);
    } else if (!c.session) {
      r = c.session_error.empty() ? redirect("/signin", c)
                                  : signin_page(c, c.tr("会话已结束，请重新登录。", "Your session has ended; sign in again."));
    } else if (path == "/me") {
      r = me_page(c);
    } else if (path == "/apply" && req.method == "POST") {
      json body = {{"scenario_id", form["scenario_id"]}, {"enterprise_id", c.session->key.scope}, {"note", form["note"]}};
      auto [st, out] = c.call("POST", "/v1/matches", &body);
      r = st == 201 ? redirect("/matches/" + enc(out.value("id", "")), c) : error_page(c, st, problem_text(out));
    } else if (path == "/invite" && req.method == "POST") {
      json body = {{"scenario_id", form["scenario_id"]}, {"enterprise_id", form["enterprise_id"]}};
      auto [st, out] = c.call("POST", "/v1/matches", &body);
      r = st == 201 ? redirect("/matches/" + enc(out.value("id", "")), c) : error_page(c, st, problem_text(out));
    } else if (path.starts_with("/matches/") && path.ends_with("/move") && req.method == "POST") {
      std::string id = path.substr(9, path.size() - 9 - 5);
      json body = {{"to", form["to"]}};
      if (!form["note"].empty()) body["note"] = form["note"];
      if (!form["evidence"].empty()) body["evidence"] = form["evidence"];
      if (!form["contract_value"].empty()) body["contract_value"] = form["contract_value"];
      auto [st, out] = c.call("POST", "/v1/matches/" + enc(id) + "/events", &body);
      r = st == 200 ? redirect("/matches/" + enc(id), c) : match_page(c, id, problem_text(out));
      if (st != 200) r.status = st;
    } else if (path.starts_with("/matches/") && req.method != "POST") {
      r = match_page(c, path.substr(9), "");
    } else if ((path == "/publish" || path == "/import") && c.role() == Role::kEnterprise) {
      r = error_page(c, 403, c.tr("企业账号不能发布场景。", "Enterprise keys cannot post scenarios."));
    } else if (path == "/publish") {
      r = req.method == "POST" ? publish_post(c, form) : publish_page(c, {}, {}, "");
    } else if (path == "/import") {
      r = req.method == "POST" ? import_post(c) : import_page(c, "");
    } else {
      r = error_page(c, 404, c.tr("没有这个页面。", "No such page."));
    }
    if (r.route == "unmatched") r.route = "page " + (path.starts_with("/scenarios/") ? std::string("/scenarios/{id}")
                                                    : path.starts_with("/matches/") ? std::string("/matches/{id}")
                                                    : owns(path) && !path.starts_with("/lang/") ? path : std::string("/other"));
    if (req.method == "HEAD") r.body.clear();
    return r;
  } catch (const std::exception& e) {
    log_event(LogLevel::kError, "page_failed", {{"target", std::string_view(req.target).substr(0, 256)}, {"error", e.what()}});
    return error_page(c, 500, "internal error; the server log has the details");
  }
}

}  // namespace jiebang::web
