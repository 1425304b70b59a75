// What every page file shares (internal to src/web): one request's context, the layout, responses,
// form and multipart parsing, names of codes and stages, and the pieces more than one role shows
// (ranked lists with explanation bars, match tables and pages, the funnel). Each role's pages live
// in their own file (public_pages.cpp, enterprise_pages.cpp, publisher_pages.cpp,
// operator_pages.cpp); pages.cpp routes, opens sessions and checks CSRF.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "jiebang/api/api.h"
#include "jiebang/core/html.h"
#include "jiebang/core/url.h"
#include "jiebang/service/service.h"
#include "jiebang/web/pages.h"

namespace jiebang::web {

using api::HttpRequest;
using api::HttpResponse;
using nlohmann::json;
/// A parsed application/x-www-form-urlencoded body (name → value; a repeated name keeps the last).
using Form = std::map<std::string, std::string>;

// ---- text and URLs ----

/// HTML-escapes text for element content and quoted attribute values (jiebang::html_escape).
inline std::string esc(std::string_view s) { return html_escape(s); }
/// Percent-encodes one path segment or query value (percent_encode_segment).
inline std::string enc(std::string_view s) { return percent_encode_segment(s); }
/// Decodes application/x-www-form-urlencoded text ('+' is a space); a bad escape is kept as written.
std::string form_decode(std::string_view s);
/// Parses a form body or query string.
Form parse_form(std::string_view s);

/// One part of a multipart/form-data body (RFC 7578).
struct Part {
  std::string name, filename, content_type, body;
};
/// The parts of a multipart/form-data body; none when the boundary is missing.
std::vector<Part> parse_multipart(const std::string& body, std::string_view content_type);

/// A match stage's Chinese name ("applied" → "揭榜"); an unknown stage as given.
std::string_view stage_zh(std::string_view s);

// ---- one request ----

/// One request to the pages: the request, the API and Service to answer it with, the language,
/// the session (if signed in) and cookies to set.
struct Ctx {
  const HttpRequest& req;
  api::Api& api;
  Service& service;
  const WebConfig& config;
  std::string path;
  Form query;
  bool en = false;
  bool secure = false;
  std::optional<Service::WebSession> session;
  std::string session_error;  ///< why a presented cookie did not sign in
  std::vector<std::string> set_cookies;

  std::string tr(std::string_view zh, std::string_view en_text) const { return std::string(en ? en_text : zh); }
  /// A stage's name in the page's language ("rd" → "研发" / "R&D").
  std::string stage(std::string_view s) const {
    return en ? (s == "rd" ? std::string("R&D") : std::string(s)) : std::string(stage_zh(s));
  }
  std::optional<Role> role() const { return session ? std::optional<Role>(session->key.role) : std::nullopt; }
  api::Caller caller() const { return {session->key.role, session->key.scope, session->key.id}; }
  std::string q(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? "" : it->second;
  }
  std::string csrf_field() const {
    return session ? fmt::format("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", esc(session->csrf)) : "";
  }

  /// Calls the JSON API as the signed-in caller: (status, body as JSON; {} when not JSON).
  std::pair<int, json> call(const std::string& method, const std::string& target, const json* body = nullptr);
};

/// An HTML answer with the pages' security headers (CSP without inline script, no framing) and
/// the context's cookies.
HttpResponse html_response(int status, std::string body, Ctx& c);
/// A 303 to `location` with the context's cookies.
HttpResponse redirect(const std::string& location, Ctx& c);
/// A Set-Cookie value: HttpOnly, SameSite=Strict, Path=/, Secure behind TLS. `max_age` in seconds (0 ends it).
std::string cookie(const Ctx& c, std::string_view name, const std::string& value, long max_age);
/// The whole page around `body` (header with the role's links, language switch, footer).
std::string layout(const Ctx& c, const std::string& title, const std::string& body);
/// layout() as a response.
HttpResponse page(Ctx& c, int status, const std::string& title, const std::string& body);
/// A page saying `message` (escaped) with `status`.
HttpResponse error_page(Ctx& c, int status, const std::string& message);
/// The problem an API call answered, as a line of text.
std::string problem_text(const json& j);

// ---- names and values ----

/// A GB/T 2260 code's name, a district with its city ("杭州市上城区"), a municipality's "市辖区" as its
/// province ("北京市", "北京市朝阳区"); the code when unknown.
std::string region_label(const Ctx& c, const std::string& code);
/// A GB/T 4754 code's name with the code ("电力、热力生产和供应业 (D44)"); the code when unknown.
std::string industry_label(const Ctx& c, const std::string& code);
/// A scenario's status in words ("开放征集", "已关闭", "已授予"); an open one whose deadline has
/// passed (Service::today) is "已截止".
std::string scenario_status(const Ctx& c, const Scenario& s);
/// An API instant (UTC, "2026-12-07T09:14:32Z") as Beijing time for reading: `<time
/// datetime="…" title="…UTC…">2026-12-07 17:14</time>` (read by calendar.h's parse_iso_time,
/// written by its format_shanghai_minute). Text of another shape is returned escaped, as given.
std::string time_html(const Ctx& c, const std::string& iso);
/// A digest language code's name in the page's language ("zh" → "中文" / "Chinese"); other codes as given.
std::string language_name(const Ctx& c, const std::string& code);
/// A key role's name in the page's language ("发榜单位", "企业", "运营方").
std::string role_text(const Ctx& c, Role role);
/// A scenario's title (the id when unknown or untitled); one store read.
std::string scenario_title(const Ctx& c, const std::string& id);
/// An enterprise's name (the id when unknown or unnamed); one store read.
std::string enterprise_name(const Ctx& c, const std::string& id);
/// A date field as typed → "YYYY-MM-DD" when it has the shape of a date written the ways people
/// write one: 2026-12-31, 2026/12/31, 2026.12.31, 2026年12月31日 (号), one-digit months and days,
/// full-width digits. Anything else is returned unchanged for the API's validation to name
/// (that the date exists is the API's rule, not this function's). Pure, thread-safe.
std::string date_field(const std::string& typed);
/// A scenario's budget (JSON form) in 万元, or "not given".
std::string budget_text(const Ctx& c, const json& s);

// ---- forms ----

/// One field of a form that writes a record through the API.
struct FormField {
  const char* name;        ///< the form name and the API's field (dotted: "budget.amount_min")
  std::string_view zh, en;  ///< the label
  /// "text", "textarea", "lines" (a textarea, one item a line), "number" (a text input the API
  /// validates), "date" (a text input with a year-month-day hint in the page's language; see
  /// date_field), "region" (GB/T 2260: a text input taking a place name or code, which
  /// app.js turns into province → city → county selects; see region_field), "industry" (GB/T 4754 picker)
  const char* type;
  std::string_view help_zh = {}, help_en = {};  ///< a hint under the field; empty for none
};
/// The fields with labels, the values given (`values`, by name) and each field's message
/// (`errors`, by name: aria-invalid and an element #err-<name> tied by aria-describedby).
std::string form_fields_html(const Ctx& c, const std::vector<FormField>& fields, const Form& values,
                             const std::map<std::string, std::string>& errors);
/// The validation problem an API write answered, as a message per field of `fields` ("industries[1]"
/// is the "industries" field, "budget" (min above max) the "budget.amount_min" field, several
/// messages joined by "；"), each said by field_message in the page's language; a problem naming no
/// field, or a field the form does not show, goes to `general`.
std::map<std::string, std::string> field_errors(const Ctx& c, const json& problem, const std::vector<FormField>& fields,
                                                std::string& general);
/// A region field as typed (a place name such as "杭州市西湖区" or a 6-digit GB/T 2260 code) → its
/// code (RegionTable::resolve); "" when empty. nullopt, with `error` set to a message in the page's
/// language, when it names no known region: the form is shown again without writing.
std::optional<std::string> region_field(const Ctx& c, const std::string& typed, std::string& error);
/// GET /regions.json: the GB/T 2260 table for the region picker, {"children": {"": [[code, name],
/// …provinces], "330000": [[code, name], …cities], "330100": […areas]}}; a municipality's city
/// level ("市辖区") named by its province.
HttpResponse regions_json(Ctx& c);
/// One validation message of the API's record rules (English, as src/core/records.cpp and the
/// code checks word them) for a form's reader, in the page's language: which field (its label
/// without the parenthesis), what is wrong, what to do ("请填写场景名称。", "技术成熟度要求应为 1 到
/// 9 之间的整数，请改正。"). A message of no known shape is kept, after the label.
std::string field_message(const Ctx& c, const FormField& field, const std::string& message);
/// "有 2 处需要修改……" above a form that came back with `errors` (role=alert); "" when none.
std::string errors_summary(const Ctx& c, const std::map<std::string, std::string>& errors);

// ---- pieces shown to more than one role ----

/// A ranked result's components as labelled bars (fit 0..1 as width) with their contributions.
std::string bars_html(const Ctx& c, const json& components);
/// Ranked results (GET /v1/enterprises/{id}/matches or /v1/scenarios/{id}/matches): scores,
/// reasons, matched words, bars; an apply form per scenario for an enterprise, an invite form
/// per enterprise when `action_scenario` is given (the publisher's or operator's view).
std::string ranked_html(const Ctx& c, const json& results, bool scenarios, const std::string& action_scenario);
/// Matches (GET /v1/matches) as a table that stacks at phone width.
std::string matches_table(const Ctx& c, const json& matches);
/// A funnel (GET /v1/funnel) as bars: reach per stage, conversion, median days, stalled count.
std::string funnel_html(const Ctx& c, const json& funnel);
/// What the figures after a funnel's bars are (once above a page's funnels).
std::string funnel_legend(const Ctx& c);
/// A match with its history and, when the caller may move it, the move form (`error` shown on top).
HttpResponse match_page(Ctx& c, const std::string& id, const std::string& error);
/// POST /matches/{id}/move: moves the match through the API; the match page again on a refusal.
HttpResponse match_move_post(Ctx& c, const std::string& id, Form& form);

// ---- each role's pages ----

// public_pages.cpp (no sign-in): the search, a scenario's page, sign-in.
HttpResponse scenarios_page(Ctx& c);
HttpResponse scenario_page(Ctx& c, const std::string& id);
HttpResponse signin_page(Ctx& c, const std::string& error);
HttpResponse signin_post(Ctx& c, const Form& form);

// enterprise_pages.cpp
/// The enterprise's desk: profile, past cases, open scenarios ranked for it, its matches.
std::string enterprise_desk(Ctx& c);
/// GET /profile (enterprise only; the caller checks the role): the enterprise's own profile as a
/// form (name, capabilities, description, region, industries, TRL, qualifications); `saved` shows
/// that the last edit was stored.
HttpResponse profile_page(Ctx& c, bool saved);
/// POST /profile: the edited fields over the stored profile (cases, size, contact and the rest
/// kept), written with PUT /v1/enterprises/{id} so the API's validation decides; the form again
/// with a message per bad field, or a 303 to /profile?saved=1.
HttpResponse profile_post(Ctx& c, const Form& form);
/// POST /apply (揭榜): a match for the signed-in enterprise.
HttpResponse apply_post(Ctx& c, Form& form);

// publisher_pages.cpp
/// GET /my-scenarios (publisher only; the caller checks the role): the scenarios the publisher's
/// organisation published, the last posted or changed first, each with its match count (linking to the scenario's
/// matches) and its funnel (GET /v1/funnel?group_by=scenario: matches that reached each stage,
/// and those that ended withdrawn, rejected or failed).
HttpResponse my_scenarios_page(Ctx& c);
/// The publisher's desk: links to post and import, its matches, its funnel.
std::string publisher_desk(Ctx& c);
HttpResponse publish_page(Ctx& c, const Form& values, const std::map<std::string, std::string>& errors,
                          const std::string& general);
HttpResponse publish_post(Ctx& c, const Form& form);
HttpResponse import_page(Ctx& c, const std::string& report);
HttpResponse import_post(Ctx& c);
/// POST /invite: the publisher (or operator) invites an enterprise to a scenario.
HttpResponse invite_post(Ctx& c, Form& form);

// operator_pages.cpp
/// The operator's desk: the funnel by publisher, region and industry, all matches, API keys.
std::string operator_desk(Ctx& c);
/// GET /gaps (operator only; the caller checks the role): the supply gaps (GET /v1/gaps) grouped
/// by GB/T 4754 industry and GB/T 2260 city, most gaps first, with a threshold field
/// (`?threshold=`, an absolute text fit in [0, 1]; empty = the ranking weights' default).
HttpResponse gaps_page(Ctx& c);
/// GET /digests (operator only; the caller checks the role): the digest runs (GET /v1/digests),
/// newest first, each week a link to its page.
HttpResponse digests_page(Ctx& c);
/// GET /digests/{week} (operator only): a run's summary and recipients, each linking to its digest.
HttpResponse digest_page(Ctx& c, const std::string& week);
/// GET /digests/{week}/{kind}/{id} (operator only): one recipient's digest
/// (GET /v1/digests/{week}/recipients/{id}?kind=) as a page: its items ranked, each with score,
/// reason, matched words and bars, linking to the scenario's page; its stalled matches, each
/// linking to the match's page. Links are made from the ids, not the stored `link`.
HttpResponse digest_recipient_page(Ctx& c, const std::string& week, const std::string& kind, const std::string& id);

}  // namespace jiebang::web
