// Handlers for /v1/scenarios: create, read, replace, patch, import a list, search, and matches.
#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "context.h"
#include "jiebang/api/summary_json.h"
#include "jiebang/core/encoding.h"
#include "jiebang/core/record_reader.h"

namespace jiebang::api {
namespace {

using nlohmann::json;

void deny_enterprise(const Principal& p) {
  require(p.role != Role::kEnterprise, "enterprise keys cannot write scenarios; use a publisher or operator key");
}

/// A publisher's scenarios are always its own organisation's: a missing publisher becomes the
/// key's organisation, another one is refused.
void claim_publisher(const Principal& p, json& body) {
  if (p.role != Role::kPublisher) return;
  auto it = body.find("publisher");
  if (it == body.end() || it->is_null()) {
    body["publisher"] = p.scope;
    return;
  }
  if (it->is_string() && it->get<std::string>() != p.scope)
    throw_problem(make_problem(403,
                               fmt::format("publisher: this key writes for \"{}\" only, not \"{}\"", p.scope,
                                           it->get<std::string>()),
                               "publisher"));
}

/// The path id, checked against (or filled into) the body's.
void claim_id(const std::string& id, json& body) {
  auto it = body.find("id");
  if (it == body.end() || it->is_null()) {
    body["id"] = id;
    return;
  }
  if (!it->is_string() || it->get<std::string>() != id)
    throw_problem(make_problem(400, fmt::format("id: the body's id ({}) differs from the path's (\"{}\")", it->dump(), id),
                               "id"));
}

Scenario validated(const RequestContext& ctx, const json& body) {
  std::vector<FieldError> errors;
  auto s = ctx.service.validate_scenario(body, errors);
  if (!s) throw_problem(validation_problem(errors));
  return std::move(*s);
}

void require_owner(const Principal& p, const Scenario& s) {
  require(p.is_operator() || p.is_publisher_of(s.publisher),
          fmt::format("scenario \"{}\" belongs to \"{}\"; this key writes for \"{}\" only", s.id, s.publisher, p.scope));
}

HttpResponse stored_scenario(RequestContext& ctx, const std::string& id, int status) {
  HttpResponse r = HttpResponse::json(status, to_json(take(ctx.service.get_scenario(id))));
  if (status == 201) r.headers.set("Location", "/v1/scenarios/" + percent_encode_segment(id));
  return r;
}

FileFormat import_format(const RequestContext& ctx) {
  auto ct = ctx.request.headers.get("Content-Type");
  std::string type = ct ? media_type(*ct) : "";
  if (type == "text/csv") return FileFormat::kCsv;
  if (type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") return FileFormat::kXlsx;
  if (type == "application/x-ndjson" || type == "application/jsonl" || type == "application/x-jsonlines" ||
      type == "application/jsonlines" || type == "application/json-lines")
    return FileFormat::kJsonLines;
  throw_problem(make_problem(415, fmt::format("Content-Type \"{}\": send text/csv, application/x-ndjson (JSON Lines) or an .xlsx workbook",
                                              type)));
}

/// A publisher's import: every record's publisher is claimed (missing → the key's organisation;
/// another → that line is rejected), then the good records go through the ordinary import as
/// JSON Lines, with line numbers mapped back to the caller's body.
ImportReport import_as_publisher(RequestContext& ctx, const Principal& p, FileFormat format) {
  auto start = std::chrono::steady_clock::now();
  std::istringstream raw(ctx.request.body);
  // A workbook's XML declares its own encoding; text formats are detected (UTF-8 or GB18030).
  Utf8Input text = format == FileFormat::kXlsx ? Utf8Input{} : take(open_as_utf8(raw));
  std::istream& source = format == FileFormat::kXlsx ? static_cast<std::istream&>(raw) : *text.stream;
  ImportReport pre;
  std::string jsonl;
  std::vector<size_t> lines;  // line of the caller's body for each JSON Lines record
  ReadOptions options;
  options.columns = ctx.columns;
  check(read_records(source, format, RecordKind::kScenario, options, [&](RawRecord&& r) {
    if (!r.error.empty() || !r.object.is_object()) {
      ++pre.read;
      ++pre.rejected;
      pre.errors.push_back({r.line, "", "", r.error.empty() ? "not a JSON object" : r.error});
      return true;
    }
    auto pub = r.object.find("publisher");
    if (pub == r.object.end() || pub->is_null()) {
      r.object["publisher"] = p.scope;
    } else if (pub->is_string() && pub->get<std::string>() != p.scope) {
      ++pre.read;
      ++pre.rejected;
      std::string id = r.object.contains("id") && r.object["id"].is_string() ? r.object["id"].get<std::string>() : "";
      pre.errors.push_back({r.line, id, "publisher",
                            fmt::format("this key imports for \"{}\" only, not \"{}\"", p.scope, pub->get<std::string>())});
      return true;
    }
    jsonl += r.object.dump(-1, ' ', false, json::error_handler_t::replace);
    jsonl += '\n';
    lines.push_back(r.line);
    return true;
  }));
  std::istringstream records(jsonl);
  ImportReport report = take(ctx.service.import_stream(RecordKind::kScenario, records, FileFormat::kJsonLines));
  for (auto& e : report.errors) e.line = e.line >= 1 && e.line <= lines.size() ? lines[e.line - 1] : e.line;
  report.read += pre.read;
  report.rejected += pre.rejected;
  report.errors.insert(report.errors.end(), pre.errors.begin(), pre.errors.end());
  std::stable_sort(report.errors.begin(), report.errors.end(),
                   [](const ImportError& a, const ImportError& b) { return a.line < b.line; });
  report.encoding = format == FileFormat::kXlsx ? "" : std::string(encoding_name(text.encoding));
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace

HttpResponse post_scenario(RequestContext& ctx) {
  ctx.allow_query({});
  const Principal& p = ctx.who();
  deny_enterprise(p);
  json body = json_object_body(ctx);
  claim_publisher(p, body);
  Scenario s = validated(ctx, body);
  auto existing = ctx.service.get_scenario(s.id);
  if (existing)
    throw_problem(make_problem(
        409, fmt::format("id: scenario \"{}\" already exists; PUT /v1/scenarios/{} replaces it", s.id, s.id), "id"));
  if (existing.status().code() != ErrorCode::kNotFound) throw_status(existing.status());
  take(ctx.service.put_scenario(s));
  return stored_scenario(ctx, s.id, 201);
}

HttpResponse get_scenario(RequestContext& ctx) {
  ctx.allow_query({});
  return HttpResponse::json(200, to_json(take(ctx.service.get_scenario(ctx.params.at("id")))));
}

HttpResponse put_scenario(RequestContext& ctx) {
  ctx.allow_query({});
  const Principal& p = ctx.who();
  deny_enterprise(p);
  const std::string& id = ctx.params.at("id");
  json body = json_object_body(ctx);
  claim_id(id, body);
  auto existing = ctx.service.get_scenario(id);
  if (existing) require_owner(p, *existing);
  else if (existing.status().code() != ErrorCode::kNotFound) throw_status(existing.status());
  claim_publisher(p, body);
  Scenario s = validated(ctx, body);
  UpsertOutcome outcome = take(ctx.service.put_scenario(s));
  return stored_scenario(ctx, id, outcome == UpsertOutcome::kInserted ? 201 : 200);
}

HttpResponse patch_scenario(RequestContext& ctx) {
  ctx.allow_query({});
  const Principal& p = ctx.who();
  deny_enterprise(p);
  const std::string& id = ctx.params.at("id");
  json patch = json_object_body(ctx);
  Scenario current = take(ctx.service.get_scenario(id));
  require_owner(p, current);
  json merged = to_json(current);
  merged.merge_patch(patch);  // RFC 7396: null removes a key
  if (!merged.contains("id") || merged["id"] != id)
    throw_problem(make_problem(400, fmt::format("id: a patch cannot change the id of \"{}\"", id), "id"));
  claim_publisher(p, merged);
  Scenario s = validated(ctx, merged);
  take(ctx.service.put_scenario(s));
  return stored_scenario(ctx, id, 200);
}

HttpResponse import_scenarios(RequestContext& ctx) {
  ctx.allow_query({});
  const Principal& p = ctx.who();
  deny_enterprise(p);
  FileFormat format = import_format(ctx);
  if (ctx.request.body.empty()) throw_problem(make_problem(400, "the request body is empty; send the list"));
  // Counted first, stopping one past the bound: a list too large for one request writes nothing.
  {
    const size_t bound = ctx.config.max_import_records;
    std::istringstream raw(ctx.request.body);
    Utf8Input text = format == FileFormat::kXlsx ? Utf8Input{} : take(open_as_utf8(raw));
    std::istream& source = format == FileFormat::kXlsx ? static_cast<std::istream&>(raw) : *text.stream;
    ReadOptions options;
    options.columns = ctx.columns;
    size_t records = 0;
    // A file the reader refuses whole is refused below by the import itself, with its reason.
    (void)read_records(source, format, RecordKind::kScenario, options, [&](RawRecord&&) { return ++records <= bound; });
    if (records > bound)
      throw_problem(make_problem(413, fmt::format("the list has more than {} records, the most one import request takes "
                                                  "(max_import_records): send it in parts, or import it on the server "
                                                  "with `jiebang import`",
                                                  bound)));
  }
  ImportReport report;
  if (p.is_operator()) {
    std::istringstream in(ctx.request.body);
    report = take(ctx.service.import_stream(RecordKind::kScenario, in, format));
  } else {
    report = import_as_publisher(ctx, p, format);
  }
  json errors = json::array();
  for (const auto& e : report.errors)
    errors.push_back({{"line", e.line}, {"id", e.id}, {"field", e.key}, {"message", e.message}});
  return HttpResponse::json(200, {{"read", report.read},
                                  {"inserted", report.inserted},
                                  {"updated", report.updated},
                                  {"unchanged", report.unchanged},
                                  {"rejected", report.rejected},
                                  {"encoding", report.encoding},
                                  {"seconds", report.seconds},
                                  {"errors", std::move(errors)}});
}

HttpResponse search_scenarios(RequestContext& ctx) {
  ctx.allow_query({"q", "region", "industry", "status", "limit", "cursor", "consistent"});
  std::string q = ctx.query_value("q"), region = ctx.query_value("region"), industry = ctx.query_value("industry");
  std::string status = ctx.query_value("status", "open");
  if (status != "open" && status != "closed" && status != "awarded" && status != "any")
    throw_problem(make_problem(400, fmt::format("status: expected open, closed, awarded or any, got \"{}\"", status),
                               "status"));
  size_t limit = ctx.limit(10);
  std::string fingerprint = search_fingerprint(q, region, industry, status);
  uint64_t offset = 0;
  if (auto c = ctx.query.find("cursor"); c != ctx.query.end()) {
    auto cursor = decode_cursor(c->second, ctx.cursor_key);
    if (!cursor) throw_problem(make_problem(400, "cursor: not a cursor of this API", "cursor"));
    if (cursor->second != fingerprint)
      throw_problem(make_problem(
          400, "cursor: it continues another search; repeat the query and filters it came with", "cursor"));
    offset = cursor->first;
  }
  if (ctx.flag("consistent")) check(ctx.service.sync_index());
  SearchFilters filters;
  filters.region_code = region;
  filters.industry_code = industry;
  filters.status = status == "any" ? "" : status;
  SearchPage page = take(ctx.service.search_page(q, filters, offset, limit, true));
  json results = json::array();
  for (const auto& h : page.hits)
    results.push_back({{"id", h.id},
                       {"title", h.title},
                       {"snippet", h.snippet},
                       {"score", h.score},
                       {"matched_terms", h.matched_terms},
                       {"attributes", summary_json(h.summary)}});
  uint64_t next = offset + page.hits.size();
  json out = {{"query", q},
              {"total", page.total},
              {"offset", offset},
              {"results", std::move(results)},
              {"facets", {{"region", page.region_counts}, {"industry", page.industry_counts}}},
              {"next_cursor", next < page.total && !page.hits.empty() ? json(encode_cursor(next, fingerprint, ctx.cursor_key)) : json(nullptr)}};
  return HttpResponse::json(200, out);
}

HttpResponse publisher_scenarios(RequestContext& ctx) {
  ctx.allow_query({"limit", "cursor"});
  const Principal& p = ctx.who();
  const std::string& publisher = ctx.params.at("publisher");
  require(p.is_operator() || p.is_publisher_of(publisher),
          fmt::format("the scenarios of publisher \"{}\" are listed for that publisher and the operator", publisher));
  size_t limit = ctx.limit(50);
  // A cursor continues one publisher's list only (the fingerprint of its name; not a search's).
  const std::string fingerprint = search_fingerprint("publisher-scenarios", publisher, "", "");
  uint64_t offset = 0;
  if (auto c = ctx.query.find("cursor"); c != ctx.query.end()) {
    auto cursor = decode_cursor(c->second, ctx.cursor_key);
    if (!cursor) throw_problem(make_problem(400, "cursor: not a cursor of this API", "cursor"));
    if (cursor->second != fingerprint)
      throw_problem(make_problem(400, "cursor: it continues another list; ask again without it", "cursor"));
    offset = cursor->first;
  }
  // The same list as the /my-scenarios page: every scenario of the publisher (closed ones too), the
  // last posted or changed first.
  std::vector<Scenario> all = take(ctx.service.publisher_scenarios(publisher));
  json list = json::array();
  for (uint64_t i = offset; i < all.size() && list.size() < limit; ++i) list.push_back(to_json(all[i]));
  uint64_t next = offset + list.size();
  json out = {{"publisher", publisher},
              {"total", all.size()},
              {"offset", offset},
              {"scenarios", std::move(list)},
              {"next_cursor", next < all.size() ? json(encode_cursor(next, fingerprint, ctx.cursor_key)) : json(nullptr)}};
  return HttpResponse::json(200, out);
}

HttpResponse scenario_matches(RequestContext& ctx) {
  ctx.allow_query({"limit"});
  const Principal& p = ctx.who();
  const std::string& id = ctx.params.at("id");
  Scenario s = take(ctx.service.get_scenario(id));
  require(p.is_operator() || p.is_publisher_of(s.publisher),
          fmt::format("the matches of scenario \"{}\" are for its publisher (\"{}\") and the operator", id, s.publisher));
  size_t limit = ctx.limit(10);
  auto results = take(ctx.service.match_scenario(id, limit));
  json list = json::array();
  for (size_t i = 0; i < results.size(); ++i) list.push_back(match_result_json(results[i], i + 1, p));
  return HttpResponse::json(200, {{"scenario_id", id}, {"results", std::move(list)}});
}

}  // namespace jiebang::api
