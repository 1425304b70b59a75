// The marketplace's pages: routing, sessions and CSRF. The pages themselves are in one file per
// role (public_pages.cpp, enterprise_pages.cpp, publisher_pages.cpp, operator_pages.cpp) and
// pages_common.cpp; signed-in reads and writes go through the JSON API in-process.
#include "jiebang/web/pages.h"

#include <algorithm>
#include <string>

#include "jiebang/core/log.h"
#include "jiebang/core/url.h"
#include "jiebang/web/assets.h"
#include "pages_common.h"

namespace jiebang::web {
namespace {

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


HttpResponse me_page(Ctx& c) {
  Role role = c.session->key.role;
  std::string body = role == Role::kEnterprise ? enterprise_desk(c) : role == Role::kPublisher ? publisher_desk(c) : operator_desk(c);
  return page(c, 200, c.tr("我的工作台", "My desk"), body);
}

}  // namespace

Pages::Pages(WebConfig config) : config_(std::move(config)) {}

bool Pages::owns(std::string_view path) const {
  for (std::string_view p : {"/scenarios", "/signin", "/signout", "/me", "/publish", "/import", "/apply", "/invite", "/gaps", "/digests", "/profile", "/my-scenarios", "/regions.json"})
    if (path == p) return true;
  for (std::string_view p : {"/scenarios/", "/matches/", "/digests/", "/assets/", "/lang/"})
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
    if (path == "/regions.json") {
      HttpResponse r = regions_json(c);
      r.route = "page /regions.json";
      return r;
    }
    if (path.starts_with("/lang/")) {
      std::string to = path.substr(6) == "en" ? "en" : "zh";
      c.set_cookies.push_back(fmt::format("lang={}; Path=/; Max-Age=31536000; SameSite=Lax", to));
      // Only a path on this host (no open redirect: "//x", "/\x", "/%09/x" lead elsewhere).
      std::string next = c.q("next");
      if (!is_local_redirect_target(next)) next = "/";
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

    Form form;
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
      r = apply_post(c, form);
    } else if (path == "/invite" && req.method == "POST") {
      r = invite_post(c, form);
    } else if (path.starts_with("/matches/") && path.ends_with("/move") && req.method == "POST") {
      r = match_move_post(c, path.substr(9, path.size() - 9 - 5), form);
    } else if (path.starts_with("/matches/") && req.method != "POST") {
      r = match_page(c, path.substr(9), "");
    } else if (path == "/gaps" && req.method != "POST") {
      r = c.role() == Role::kOperator ? gaps_page(c)
                                      : error_page(c, 403, c.tr("只有运营方能查看供给缺口。", "Only the operator sees the supply gaps."));
    } else if (path == "/profile") {
      if (c.role() != Role::kEnterprise)
        r = error_page(c, 403, c.tr("只有企业账号能编辑企业资料。", "Only an enterprise key edits its profile."));
      else r = req.method == "POST" ? profile_post(c, form) : profile_page(c, c.q("saved") == "1");
    } else if (path == "/my-scenarios" && req.method != "POST") {
      r = c.role() == Role::kPublisher
              ? my_scenarios_page(c)
              : error_page(c, 403, c.tr("只有发榜单位的账号有自己发布的场景。", "Only a publisher key has scenarios of its own."));
    } else if ((path == "/digests" || path.starts_with("/digests/")) && req.method != "POST") {
      if (c.role() != Role::kOperator)
        r = error_page(c, 403, c.tr("只有运营方能查看周报运行。", "Only the operator sees the digest runs."));
      else if (path == "/digests") r = digests_page(c);
      else {
        // /digests/{week} or /digests/{week}/{kind}/{id} (an id may hold a '/': the rest of the path)
        std::string rest = path.substr(9);
        size_t a = rest.find('/'), b = a == std::string::npos ? a : rest.find('/', a + 1);
        if (a == std::string::npos) r = digest_page(c, rest);
        else if (b == std::string::npos || b + 1 >= rest.size()) r = error_page(c, 404, c.tr("没有这个页面。", "No such page."));
        else r = digest_recipient_page(c, rest.substr(0, a), rest.substr(a + 1, b - a - 1), rest.substr(b + 1));
      }
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
                                                    : path.starts_with("/digests/") ? std::string(std::count(path.begin(), path.end(), '/') > 2 ? "/digests/{week}/{kind}/{id}" : "/digests/{week}")
                                                    : owns(path) && !path.starts_with("/lang/") ? path : std::string("/other"));
    // HEAD keeps the body: the front sends the head only, with the GET's Content-Length (RFC
    // 9110 §9.3.2; cleared here, it said 0).
    return r;
  } catch (const std::exception& e) {
    log_event(LogLevel::kError, "page_failed", {{"target", std::string_view(req.target).substr(0, 256)}, {"error", e.what()}});
    return error_page(c, 500, "internal error; the server log has the details");
  }
}

}  // namespace jiebang::web
