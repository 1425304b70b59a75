// Shared by every page file: form and multipart parsing, the request context, layout and
// responses, names of codes, and the pieces more than one role shows (see pages_common.h).
#include "pages_common.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <regex>

#include "jiebang/core/calendar.h"
#include "jiebang/core/url.h"

namespace jiebang::web {

// ---- text and URLs ----

/// Decodes application/x-www-form-urlencoded text ('+' is a space); a bad escape is kept as written.
std::string form_decode(std::string_view s) { return *percent_decode(s, true, BadEscape::kKeep); }

Form parse_form(std::string_view s) {
  Form out;
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

std::pair<int, json> Ctx::call(const std::string& method, const std::string& target, const json* body) {
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
    if (c.role() == Role::kEnterprise) nav += fmt::format("<a href=\"/profile\">{}</a>", c.tr("企业资料", "Profile"));
    if (c.role() == Role::kPublisher || c.role() == Role::kOperator)
      nav += fmt::format("{}<a href=\"/publish\">{}</a><a href=\"/import\">{}</a>",
                         c.role() == Role::kPublisher ? "<a href=\"/my-scenarios\">" + c.tr("我的场景", "My scenarios") + "</a>" : "",
                         c.tr("发布场景", "Post a scenario"), c.tr("导入清单", "Import a list"));
    if (c.role() == Role::kOperator)
      nav += fmt::format("<a href=\"/gaps\">{}</a><a href=\"/digests\">{}</a>", c.tr("供给缺口", "Supply gaps"),
                         c.tr("周报", "Digests"));
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

std::string region_label(const Ctx& c, const std::string& code) {
  std::string name = c.service.regions().name(code);
  if (name.empty()) return code;
  // GB/T 2260 names a municipality's city level "市辖区" (or "县"): say the province instead.
  auto is_placeholder = [](const std::string& n) { return n == "市辖区" || n == "县"; };
  if (code.size() == 6 && code.ends_with("00") && !code.ends_with("0000") && is_placeholder(name)) {
    std::string province = c.service.regions().name(code.substr(0, 2) + "0000");
    return province.empty() ? name : province;
  }
  if (code.size() == 6 && !code.ends_with("00")) {
    std::string city = c.service.regions().name(code.substr(0, 4) + "00");
    if (is_placeholder(city)) city = c.service.regions().name(code.substr(0, 2) + "0000");
    if (!city.empty()) name = city + name;
  }
  return name;
}

std::string industry_label(const Ctx& c, const std::string& code) {
  std::string name = c.service.industries().name(code);
  return name.empty() ? code : name + " (" + code + ")";
}

std::string scenario_status(const Ctx& c, const Scenario& s) {
  if (s.status == "open")
    return !s.deadline.empty() && s.deadline < c.service.today() ? c.tr("已截止", "deadline passed") : c.tr("开放征集", "open");
  if (s.status == "closed") return c.tr("已关闭", "closed");
  if (s.status == "awarded") return c.tr("已授予", "awarded");
  return s.status;
}

std::string time_html(const Ctx& c, const std::string& iso) {
  // The API's instants are UTC, "2026-12-07T09:14:32Z"; a date alone or other text is shown as it is.
  auto t = iso.size() > 10 && iso[10] == 'T' ? parse_iso_time(iso) : std::nullopt;
  if (!t) return esc(iso);
  return fmt::format("<time datetime=\"{}\" title=\"{}\">{}</time>", esc(iso),
                     esc(c.tr("北京时间（UTC+8）；UTC ", "Beijing time (UTC+8); UTC ") + iso), format_shanghai_minute(*t));
}

std::string language_name(const Ctx& c, const std::string& code) {
  if (code == "zh") return c.tr("中文", "Chinese");
  if (code == "en") return c.tr("英文", "English");
  return code;
}

std::string role_text(const Ctx& c, Role role) {
  switch (role) {
    case Role::kPublisher: return c.tr("发榜单位", "publisher");
    case Role::kEnterprise: return c.tr("企业", "enterprise");
    case Role::kOperator: return c.tr("运营方", "operator");
  }
  return std::string(role_name(role));
}

std::string scenario_title(const Ctx& c, const std::string& id) {
  auto s = c.service.get_scenario(id);
  return s && !s->title.empty() ? s->title : id;
}

std::string enterprise_name(const Ctx& c, const std::string& id) {
  auto e = c.service.get_enterprise(id);
  return e && !e->name.empty() ? e->name : id;
}

std::string date_field(const std::string& typed) {
  // Full-width digits (as a Chinese input method types them) count as digits.
  std::string text;
  for (size_t i = 0; i < typed.size(); ++i) {
    unsigned char b0 = typed[i];
    if (b0 == 0xEF && i + 2 < typed.size() && static_cast<unsigned char>(typed[i + 1]) == 0xBC) {
      unsigned char b2 = typed[i + 2];
      if (b2 >= 0x90 && b2 <= 0x99) {
        text += static_cast<char>('0' + (b2 - 0x90));
        i += 2;
        continue;
      }
    }
    text += typed[i];
  }
  static const std::regex kDate(
      R"(^\s*(\d{4})\s*(?:-|/|\.|年|－|／|．)\s*(\d{1,2})\s*(?:-|/|\.|月|－|／|．)\s*(\d{1,2})\s*(?:日|号)?\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, kDate)) return typed;
  return fmt::format("{}-{:02}-{:02}", m[1].str(), std::stoi(m[2].str()), std::stoi(m[3].str()));
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


// ---- forms ----

namespace {

/// The region field: a text input holding a place name (a stored code is shown by its name when
/// the name leads back to it); `data-code` carries the code it resolves to, for app.js's selects.
std::string region_input(const Ctx& c, const std::string& attrs, const std::string& value) {
  const RegionTable& regions = c.service.regions();
  std::string shown = value, code;
  if (RegionTable::is_code(value) && regions.contains(value)) {
    code = value;
    std::string label = region_label(c, value);
    if (regions.resolve(label) == value) shown = label;
  } else if (!value.empty()) {
    code = regions.resolve(value).value_or("");
  }
  return fmt::format("<input type=\"text\" {} value=\"{}\" data-region-picker data-code=\"{}\" autocomplete=\"off\">", attrs, esc(shown),
                     esc(code));
}

std::string industry_select(const Ctx& c, const std::string& attrs, const std::string& value) {
  std::string out = fmt::format("<select {}><option value=\"\">{}</option>", attrs, c.tr("请选择", "Choose"));
  for (const auto& sec : c.service.industries().children("")) {
    out += fmt::format("<optgroup label=\"{} {}\">", sec, esc(c.service.industries().name(sec)));
    for (const auto& div : c.service.industries().children(sec))
      out += fmt::format("<option value=\"{}\"{}>{} {}</option>", div, value == div ? " selected" : "", div,
                         esc(c.service.industries().name(div)));
    out += "</optgroup>";
  }
  return out + "</select>";
}

}  // namespace

std::string form_fields_html(const Ctx& c, const std::vector<FormField>& fields, const Form& values,
                             const std::map<std::string, std::string>& errors) {
  std::string body;
  for (const auto& f : fields) {
    auto v = values.find(f.name);
    std::string value = v == values.end() ? "" : v->second;
    auto err = errors.find(f.name);
    std::string described;
    if (!f.help_zh.empty()) described += fmt::format("help-{}", f.name);
    if (err != errors.end()) described += fmt::format("{}err-{}", described.empty() ? "" : " ", f.name);
    std::string attrs = fmt::format("id=\"f-{}\" name=\"{}\"{}{}", f.name, f.name,
                                    described.empty() ? "" : " aria-describedby=\"" + described + "\"",
                                    err == errors.end() ? "" : " aria-invalid=\"true\"");
    body += fmt::format("<label for=\"f-{}\">{}</label>", f.name, c.tr(f.zh, f.en));
    std::string type = f.type;
    if (type == "textarea" || type == "lines") body += fmt::format("<textarea {}>{}</textarea>", attrs, esc(value));
    else if (type == "region") body += region_input(c, attrs, value);
    else if (type == "industry") body += industry_select(c, attrs, value);
    else if (type == "date")  // not the browser's date input: its "mm/dd/yyyy" follows the browser's locale, not the page's
      body += fmt::format("<input type=\"text\" {} value=\"{}\" placeholder=\"{}\" autocomplete=\"off\" spellcheck=\"false\">", attrs,
                          esc(value), c.tr("年-月-日", "YYYY-MM-DD"));
    else body += fmt::format("<input type=\"{}\" {} value=\"{}\">", type == "number" ? "text" : type, attrs, esc(value));
    if (!f.help_zh.empty()) body += fmt::format("<p class=\"count\" id=\"help-{}\">{}</p>", f.name, esc(c.tr(f.help_zh, f.help_en)));
    if (err != errors.end()) body += fmt::format("<p class=\"error\" id=\"err-{}\">{}</p>", f.name, esc(err->second));
  }
  return body;
}

namespace {

/// A field's label for a sentence: without its parenthesis ("技术成熟度要求（TRL 1–9）" → "技术成熟度要求").
std::string short_label(const Ctx& c, const FormField& f) {
  std::string label = c.tr(f.zh, f.en);
  for (std::string_view open : {"（", " ("})
    if (auto at = label.find(open); at != std::string::npos && at > 0) label.resize(at);
  return label;
}

}  // namespace

std::string field_message(const Ctx& c, const FormField& f, const std::string& message) {
  const std::string label = short_label(c, f);
  std::smatch m;
  auto is = [&](const char* pattern) { return std::regex_search(message, m, std::regex(pattern)); };
  if (is("^(is required|must not be empty)$"))
    return c.en ? fmt::format("{} is required: fill it in.", label) : fmt::format("请填写{}。", label);
  if (is("^is (\\d+) bytes, at most (\\d+) allowed per item$"))
    return c.en ? fmt::format("An item of {} is too long (at most {} bytes): shorten it.", label, m[2].str())
                : fmt::format("{}中有一项太长（每项最多 {} 字节，约 {} 个汉字），请删减。", label, m[2].str(), std::stoul(m[2].str()) / 3);
  if (is("^is (\\d+) bytes, at most (\\d+) allowed$"))
    return c.en ? fmt::format("{} is too long ({} bytes, at most {}): shorten it.", label, m[1].str(), m[2].str())
                : fmt::format("{}太长（{} 字节，最多 {} 字节，约 {} 个汉字），请删减。", label, m[1].str(), m[2].str(),
                              std::stoul(m[2].str()) / 3);
  if (is("^has (\\d+) items, at most (\\d+) allowed$"))
    return c.en ? fmt::format("{} has {} items, at most {}: remove some.", label, m[1].str(), m[2].str())
                : fmt::format("{}最多 {} 项（现有 {} 项），请删减。", label, m[2].str(), m[1].str());
  if (is("^contains the control character"))
    return c.en ? fmt::format("{} contains an invisible control character: delete it and type the text again.", label)
                : fmt::format("{}含有不可见的控制字符，请删除后重新输入。", label);
  if (is("^(expected an integer|must be) (\\d+)–(\\d+), got"))
    return c.en ? fmt::format("{} must be a whole number from {} to {}: correct it.", label, m[2].str(), m[3].str())
                : fmt::format("{}应为 {} 到 {} 之间的整数，请改正。", label, m[2].str(), m[3].str());
  if (is("^expected a date YYYY-MM-DD, got \"(\\d{4}-\\d{2}-\\d{2})\"$"))  // the right shape, a day the calendar has not
    return c.en ? fmt::format("{}: {} is not a day of the calendar: correct it.", label, m[1].str())
                : fmt::format("{}“{}”这一天不存在，请改正。", label, m[1].str());
  if (is("^expected a date YYYY-MM-DD"))
    return c.en ? fmt::format("{} must be a date such as 2026-12-31: correct it.", label)
                : fmt::format("{}应为日期，格式如 2026-12-31，请改正。", label);
  if (is("^(expected a number of major units|must be a non-negative amount)"))
    return c.en ? fmt::format("{} must be an amount in yuan, digits only (e.g. 1000000): correct it.", label)
                : fmt::format("{}应为以元为单位的金额，只填数字（例如 1000000），请改正。", label);
  if (is("^amount_min is greater than amount_max$"))
    return c.en ? std::string("The budget's lower bound is above its upper bound: correct one of them.")
                : std::string("预算下限高于预算上限，请改正其中一项。");
  if (is("^has a character outside"))
    return c.en ? fmt::format("{} may hold only letters, digits and . _ : - : correct it.", label)
                : fmt::format("{}只能包含字母、数字和 . _ : -，请改正。", label);
  if (is("^\"(.*)\" is not a GB/T 2260 region code$"))
    return c.en ? fmt::format("\"{}\" is not a GB/T 2260 region: choose the region from the list.", m[1].str())
                : fmt::format("“{}”不是有效的 GB/T 2260 地区，请从列表中选择地区。", m[1].str());
  if (is("^\"(.*)\" is not a GB/T 4754-2017 industry code$"))
    return c.en ? fmt::format("\"{}\" is not a GB/T 4754 industry code: correct it (e.g. C34).", m[1].str())
                : fmt::format("“{}”不是有效的 GB/T 4754 行业代码，请改正（例如 C34）。", m[1].str());
  if (is("scenario \"(.*)\" already exists"))
    return c.en ? fmt::format("The id \"{}\" is already taken: choose another.", m[1].str())
                : fmt::format("编号“{}”已被使用，请换一个编号。", m[1].str());
  if (is("^expected (a string|an array)"))
    return c.en ? fmt::format("{} is not in the expected form: type it again.", label)
                : fmt::format("{}的格式不对，请重新填写。", label);
  return c.en ? fmt::format("{}: {}", label, message) : fmt::format("{}有误：{}", label, message);
}

std::optional<std::string> region_field(const Ctx& c, const std::string& typed, std::string& error) {
  size_t a = typed.find_first_not_of(" \t\r\n"), b = typed.find_last_not_of(" \t\r\n");
  if (a == std::string::npos) return std::string();
  std::string text = typed.substr(a, b - a + 1);
  if (RegionTable::is_code(text)) return text;  // a code: the API says when it is not in GB/T 2260
  if (auto code = c.service.regions().resolve(text)) return *code;
  error = c.en ? fmt::format("No region is called \"{}\": type its full name (e.g. 杭州市西湖区) or its 6-digit code (e.g. 330106), "
                             "or choose it from the lists.", text)
               : fmt::format("找不到地区“{}”：请输入完整地名（例如 杭州市西湖区）或 6 位代码（例如 330106），或从列表中选择。", text);
  return std::nullopt;
}

HttpResponse regions_json(Ctx& c) {
  const RegionTable& regions = c.service.regions();
  json children = json::object();
  std::vector<std::string> parents = {""};
  for (size_t i = 0; i < parents.size(); ++i) {
    json list = json::array();
    for (const auto& code : regions.children(parents[i])) {
      // Provinces and cities by region_label (a municipality's "市辖区" is its province); areas by their own name.
      list.push_back(json::array({code, code.ends_with("00") ? region_label(c, code) : regions.name(code)}));
      if (parents[i].empty() || parents[i].ends_with("0000")) parents.push_back(code);  // provinces and cities have children
    }
    if (!list.empty()) children[parents[i]] = std::move(list);
  }
  HttpResponse r = HttpResponse::json(200, json{{"children", std::move(children)}});
  r.headers.set("Cache-Control", "public, max-age=86400");
  return r;
}

std::string errors_summary(const Ctx& c, const std::map<std::string, std::string>& errors) {
  if (errors.empty()) return "";
  return fmt::format("<p class=\"notice bad\" role=\"alert\" id=\"form-errors\">{}</p>",
                     c.en ? fmt::format("{} field{} to correct: see the message under each.", errors.size(), errors.size() == 1 ? "" : "s")
                          : fmt::format("有 {} 处需要修改，请看各项下方的红字说明。", errors.size()));
}

std::map<std::string, std::string> field_errors(const Ctx& c, const json& problem, const std::vector<FormField>& fields,
                                                std::string& general) {
  std::map<std::string, std::string> errors;
  auto add = [&](std::string field, std::string message) {
    if (auto bracket = field.find('['); bracket != std::string::npos) field.resize(bracket);  // "industries[1]" → "industries"
    if (field == "budget") field = "budget.amount_min";  // min above max: said at the lower bound
    // A problem's detail names its field first ("id: …"): the message is what follows.
    if (!field.empty() && message.starts_with(field + ": ")) message.erase(0, field.size() + 2);
    auto f = std::find_if(fields.begin(), fields.end(), [&](const FormField& ff) { return field == ff.name; });
    if (f == fields.end()) {  // a field the form does not show: said at the top
      general += (general.empty() ? "" : "; ") + (field.empty() ? message : field + ": " + message);
      return;
    }
    errors[field] += (errors[field].empty() ? "" : c.tr("；", "; ")) + field_message(c, *f, message);
  };
  for (const auto& e : problem.value("errors", json::array())) add(e.value("field", ""), e.value("message", ""));
  if (errors.empty() && general.empty()) add(problem.value("field", ""), problem_text(problem));
  return errors;
}

// ---- pieces shown to more than one role ----

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
    if (scenarios) {  // who publishes it and until when, as the public list says
      auto s = c.service.get_scenario(id);
      if (s)
        out += fmt::format("<p class=\"meta\"><span>{}：{}</span><span>{}：{}</span></p>", c.tr("发榜单位", "Publisher"), esc(s->publisher),
                           c.tr("截止", "Deadline"), esc(s->deadline.empty() ? c.tr("未注明", "not given") : s->deadline));
    }
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


std::string matches_table(const Ctx& c, const json& matches) {
  if (matches.empty()) return "<p class=\"empty\">" + c.tr("还没有匹配。", "No matches yet.") + "</p>";
  std::string out = "<div class=\"table-wrap\"><table class=\"stack\"><thead><tr><th>" + c.tr("编号", "Match") + "</th><th>" +
                    c.tr("场景", "Scenario") + "</th><th>" + c.tr("企业", "Enterprise") + "</th><th>" +
                    c.tr("阶段", "Stage") + "</th><th>" + c.tr("更新", "Updated") + "</th></tr></thead><tbody>";
  for (const auto& m : matches) {
    std::string scenario = m.value("scenario_id", ""), enterprise = m.value("enterprise_id", "");
    out += fmt::format(
        "<tr><td data-label=\"{}\"><a href=\"/matches/{}\">{}</a></td><td data-label=\"{}\"><a href=\"/scenarios/{}\">{}</a></td>"
        "<td data-label=\"{}\">{}</td><td data-label=\"{}\"><span class=\"stage\">{}</span></td><td data-label=\"{}\">{}</td></tr>",
        c.tr("编号", "Match"), enc(m.value("id", "")), esc(m.value("id", "")), c.tr("场景", "Scenario"), enc(scenario),
        esc(scenario_title(c, scenario)), c.tr("企业", "Enterprise"), esc(enterprise_name(c, enterprise)), c.tr("阶段", "Stage"),
        esc(c.stage(m.value("stage", ""))), c.tr("更新", "Updated"), time_html(c, m.value("updated_at", "")));
  }
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

std::string funnel_legend(const Ctx& c) {
  return "<p class=\"funnel-legend\">" +
         c.tr("每个阶段：到达该阶段的匹配数 → 其中进入下一阶段的比例 · 在该阶段停留天数的中位数。",
              "For each stage: matches that reached it → the share of them that went on to the next · median days spent in it.") +
         "</p>";
}


HttpResponse match_page(Ctx& c, const std::string& id, const std::string& error) {
  auto [st, m] = c.call("GET", "/v1/matches/" + enc(id));
  if (st != 200) return error_page(c, st, problem_text(m));
  std::string body = fmt::format("<h1>{} {}</h1>", c.tr("匹配", "Match"), esc(id));
  if (!error.empty()) body += fmt::format("<p class=\"notice bad\" role=\"alert\">{}</p>", esc(error));
  const std::string scenario = m.value("scenario_id", ""), enterprise = m.value("enterprise_id", "");
  const std::string enterprise_text = enterprise_name(c, enterprise);
  body += fmt::format("<dl class=\"fields\"><dt>{}</dt><dd><a href=\"/scenarios/{}\">{}</a> <span class=\"count\">{}</span></dd>"
                      "<dt>{}</dt><dd>{}{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd><span class=\"stage\" id=\"stage\">{}</span></dd></dl>",
                      c.tr("场景", "Scenario"), enc(scenario), esc(scenario_title(c, scenario)), esc(scenario), c.tr("企业", "Enterprise"),
                      esc(enterprise_text), enterprise_text == enterprise ? "" : " <span class=\"count\">" + esc(enterprise) + "</span>",
                      c.tr("发榜单位", "Publisher"), esc(m.value("publisher", "")), c.tr("阶段", "Stage"), esc(c.stage(m.value("stage", ""))));
  body += "<h2>" + c.tr("历史", "History") + "</h2><div class=\"table-wrap\"><table class=\"stack\"><thead><tr><th>" +
          c.tr("时间（北京时间）", "When (Beijing time)") + "</th><th>" + c.tr("由", "By") + "</th><th>" + c.tr("变更", "Change") +
          "</th><th>" + c.tr("说明", "Note") + "</th><th>" + c.tr("证据", "Evidence") + "</th></tr></thead><tbody>";
  for (const auto& e : m.value("history", json::array())) {
    std::string from = e["from"].is_string() ? c.stage(e["from"].get<std::string>()) + " → " : "";
    std::string evidence = e.value("evidence", "");
    std::string ev_html = evidence.starts_with("https://") || evidence.starts_with("http://")
                              ? fmt::format("<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>", esc(evidence), esc(evidence))
                              : esc(evidence);
    std::string actor = e.contains("actor") && e["actor"].is_object() ? e["actor"].value("id", "") : "";
    if (actor == enterprise) actor = enterprise_text;  // the enterprise acts under its USCC: say its name
    body += fmt::format("<tr><td data-label=\"{}\">{}</td><td data-label=\"{}\">{}</td><td data-label=\"{}\">{}{}</td>"
                        "<td data-label=\"{}\">{}</td><td data-label=\"{}\">{}</td></tr>",
                        c.tr("时间", "When"), time_html(c, e.value("at", "")), c.tr("由", "By"), esc(actor), c.tr("变更", "Change"),
                        esc(from), esc(c.stage(e.value("to", ""))), c.tr("说明", "Note"), esc(e.value("note", "")), c.tr("证据", "Evidence"),
                        ev_html);
  }
  body += "</tbody></table></div>";
  auto next = m.value("allowed_next", json::array());
  if (!next.empty()) {
    body += fmt::format("<h2>{}</h2><form method=\"post\" action=\"/matches/{}/move\">{}<label for=\"to\">{}</label><select id=\"to\" name=\"to\">",
                        c.tr("推进到下一阶段", "Move to another stage"), enc(id), c.csrf_field(), c.tr("新阶段", "New stage"));
    for (const auto& s : next)
      body += fmt::format("<option value=\"{}\">{}</option>", esc(s.get<std::string>()), esc(c.stage(s.get<std::string>())));
    // The contract value only where a move may reach commercialisation (an enterprise may only withdraw).
    bool commercial = std::find(next.begin(), next.end(), json("commercialized")) != next.end();
    body += fmt::format(
        "</select><label for=\"note\">{}</label><input type=\"text\" id=\"note\" name=\"note\" maxlength=\"500\">"
        "<label for=\"evidence\">{}</label><input type=\"url\" id=\"evidence\" name=\"evidence\" placeholder=\"https://…\">{}"
        "<p><button type=\"submit\">{}</button></p></form>",
        c.tr("说明", "Note"), c.tr("证据链接", "Evidence link"),
        commercial ? fmt::format("<label for=\"contract_value\">{}</label><input type=\"text\" id=\"contract_value\" "
                                 "name=\"contract_value\" inputmode=\"decimal\">",
                                 c.tr("合同金额（元，商业化时填写）", "Contract value (yuan, when commercialised)"))
                   : std::string(),
        c.tr("提交", "Submit"));
  }
  return page(c, 200, c.tr("匹配 ", "Match ") + id, body);
}


HttpResponse match_move_post(Ctx& c, const std::string& id, Form& form) {
  json body = {{"to", form["to"]}};
  if (!form["note"].empty()) body["note"] = form["note"];
  if (!form["evidence"].empty()) body["evidence"] = form["evidence"];
  if (!form["contract_value"].empty()) body["contract_value"] = form["contract_value"];
  auto [st, out] = c.call("POST", "/v1/matches/" + enc(id) + "/events", &body);
  if (st == 200) return redirect("/matches/" + enc(id), c);
  HttpResponse r = match_page(c, id, problem_text(out));
  r.status = st;
  return r;
}

}  // namespace jiebang::web
