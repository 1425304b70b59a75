// The digest's files: a JSON document and an HTML page per recipient, and the run summary.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "jiebang/core/html.h"
#include "jiebang/digest/digest.h"

namespace jiebang {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string str(const json& j, const char* key) { return json_string(j, key); }

/// Writes `bytes` to `path` through a temporary file and a rename (readers never see half a file).
Status write_atomically(const fs::path& path, const std::string& bytes) {
  // A name of this writer's own: two processes writing the same digest never share a temporary.
  static std::atomic<uint64_t> counter{0};
  fs::path tmp = path;
  tmp += fmt::format(".{}-{}.tmp", static_cast<long>(getpid()), counter++);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::unavailable(fmt::format("cannot write {}", tmp.string()));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) return Status::unavailable(fmt::format("cannot write {} (disk full?)", tmp.string()));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status::unavailable(fmt::format("cannot rename {} to {}: {}", tmp.string(), path.string(), ec.message()));
  return Status::ok();
}

struct Words {
  const char *title, *covers, *for_enterprise, *for_publisher, *scenarios, *candidates, *stalled, *none, *score,
      *deadline, *publisher, *for_scenario, *matched, *open_link, *footer;
};
constexpr Words kZh = {"每周匹配摘要", "本期收录 {} 至 {} 新发布的场景", "企业", "发榜单位", "为您推荐的新场景",
                       "为您的场景推荐的企业", "停滞的匹配", "本周没有新的推荐。", "匹配分", "截止日期", "发榜单位",
                       "对应场景", "匹配词", "查看", "由 jiebang 生成；同一推荐不会重复发送。"};
constexpr Words kEn = {"Weekly match digest", "New scenarios posted {} to {}", "Enterprise", "Publisher",
                       "New scenarios for you", "Candidates for your scenarios", "Stalled matches",
                       "No new recommendations this week.", "score", "deadline", "publisher", "for scenario",
                       "matched words", "open", "Made by jiebang; a recommendation is never sent twice."};

}  // namespace

std::string render_digest_html(const json& d) {
  const json& r = d.at("recipient");
  bool zh = str(r, "language") == "zh";
  const Words& w = zh ? kZh : kEn;
  bool is_publisher = str(r, "kind") == "publisher";
  std::string h;
  h += fmt::format("<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n", zh ? "zh-CN" : "en");
  h += fmt::format("<title>{} {} · {}</title>\n", html_escape(w.title), html_escape(str(d, "week")),
                   html_escape(str(r, "name")));
  h += "<style>body{font-family:sans-serif;max-width:48em;margin:2em auto;line-height:1.5}"
       "li{margin-bottom:1em}.why{color:#444}.meta{color:#666;font-size:90%}</style>\n</head>\n<body>\n";
  h += fmt::format("<h1>{} {}</h1>\n", html_escape(w.title), html_escape(str(d, "week")));
  h += fmt::format("<p>{}: <strong>{}</strong></p>\n", html_escape(is_publisher ? w.for_publisher : w.for_enterprise),
                   html_escape(str(r, "name")));
  const json& covers = d.at("covers");
  h += fmt::format("<p class=\"meta\">{}</p>\n",
                   html_escape(fmt::format(fmt::runtime(w.covers), str(covers, "from"), str(covers, "to"))));
  h += fmt::format("<h2>{}</h2>\n", html_escape(is_publisher ? w.candidates : w.scenarios));
  const json& items = d.at("items");
  if (items.empty()) h += fmt::format("<p>{}</p>\n", html_escape(w.none));
  else h += "<ol>\n";
  for (const auto& it : items) {
    const json& s = it.at("scenario");
    h += "<li>";
    if (is_publisher) {
      const json& e = it.at("enterprise");
      h += fmt::format("<a href=\"{}\">{}</a>", html_escape(str(it, "link")), html_escape(str(e, "name")));
      h += fmt::format(" <span class=\"meta\">{} {}</span>", html_escape(w.for_scenario), html_escape(str(s, "title")));
    } else {
      h += fmt::format("<a href=\"{}\">{}</a>", html_escape(str(it, "link")), html_escape(str(s, "title")));
      h += fmt::format(" <span class=\"meta\">{}: {}", html_escape(w.publisher), html_escape(str(s, "publisher")));
      if (!str(s, "deadline").empty()) h += fmt::format(" · {}: {}", html_escape(w.deadline), html_escape(str(s, "deadline")));
      h += "</span>";
    }
    h += fmt::format(" <span class=\"meta\">{} {:.2f}</span>", html_escape(w.score), it.value("score", 0.0));
    h += fmt::format("<br><span class=\"why\">{}</span>", html_escape(str(it, "reason")));
    std::string terms;
    for (const auto& t : it.value("matched_terms", json::array()))
      if (t.is_string()) terms += (terms.empty() ? "" : zh ? "、" : ", ") + t.get<std::string>();
    if (!terms.empty()) h += fmt::format("<br><span class=\"meta\">{}: {}</span>", html_escape(w.matched), html_escape(terms));
    h += "</li>\n";
  }
  if (!items.empty()) h += "</ol>\n";
  const json& stalled = d.at("stalled");
  if (!stalled.empty()) {
    h += fmt::format("<h2>{}</h2>\n<ul>\n", html_escape(w.stalled));
    for (const auto& it : stalled)
      h += fmt::format("<li><a href=\"{}\">{}</a> — {}</li>\n", html_escape(str(it, "link")),
                       html_escape(str(it.at("scenario"), "title")), html_escape(str(it, "reason")));
    h += "</ul>\n";
  }
  h += fmt::format("<p class=\"meta\">{}</p>\n</body>\n</html>\n", html_escape(w.footer));
  return h;
}

Result<size_t> DigestRunner::write_files(const IsoWeek& week, const std::string& out_dir,
                                         const DigestProgressFn& progress) const {
  auto run = summary(week);
  if (!run) return run.status();
  auto listed = recipients(week);  // their kinds checked
  if (!listed) return listed.status();
  std::error_code ec;
  for (RecipientKind k : {RecipientKind::kEnterprise, RecipientKind::kPublisher}) {
    std::string_view kind = recipient_kind_name(k);
    fs::create_directories(fs::path(out_dir) / kind, ec);
    if (ec) return Status::unavailable(fmt::format("cannot create {}: {}", (fs::path(out_dir) / kind).string(), ec.message()));
  }
  // The summary leaves out the timing of this call: the same stored run gives the same bytes.
  size_t files = 0, done = 0;
  if (Status st = write_atomically(fs::path(out_dir) / "summary.json", run->to_json().dump(2) + "\n"); !st) return st;
  ++files;
  for (const auto& r : *listed) {
    ++done;
    if (r.items == 0) continue;
    RecipientKind kind = r.kind;
    auto doc = recipient(week, kind, r.recipient_id);
    if (!doc) return doc.status();
    fs::path base = fs::path(out_dir) / recipient_kind_name(kind) / digest_file_name(r.recipient_id);
    fs::path json_path = base, html_path = base;
    json_path += ".json";
    html_path += ".html";
    if (Status st = write_atomically(json_path, doc->dump(2) + "\n"); !st) return st;
    if (Status st = write_atomically(html_path, render_digest_html(*doc)); !st) return st;
    files += 2;
    if (progress && done % 500 == 0) progress("files", done, listed->size());
  }
  if (progress) progress("files", listed->size(), listed->size());
  return files;
}

}  // namespace jiebang
