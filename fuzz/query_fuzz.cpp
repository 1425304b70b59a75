// libFuzzer target: the search box's text path on arbitrary bytes — normalisation (normalize,
// normalize_name, display_form, truncate_utf8), tokenisation and jieba's word cut, the
// search-box query (build_search_query, with the index definition's synonyms), the long-text query
// terms, and the query run on a small in-memory Xapian database.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <xapian.h>

#include "../src/index/analysis.h"
#include "../src/index/query_builder.h"
#include "jiebang/core/taxonomy.h"
#include "jiebang/core/utf8.h"
#include "jiebang/text/normalize.h"
#include "jiebang/text/segment.h"
#include "jiebang/text/word_segmenter.h"

namespace {

namespace ix = jiebang::index_detail;
namespace text = jiebang::text;

struct Fixture {
  std::shared_ptr<const text::WordSegmenter> words;
  std::unique_ptr<ix::Analyzer> analyzer;
  text::SynonymTable synonyms;
  Xapian::WritableDatabase db{std::string(), Xapian::DB_BACKEND_INMEMORY};

  Fixture() {
    auto seg = text::WordSegmenter::for_index_dir(jiebang::default_index_dir());
    if (!seg) {
      std::fprintf(stderr, "fuzz fixture: %s\n", seg.status().to_string().c_str());
      std::abort();
    }
    words = *seg;
    analyzer = std::make_unique<ix::Analyzer>();
    auto syn = text::SynonymTable::load(jiebang::default_index_dir() + "/synonyms.txt");
    if (syn) synonyms = std::move(*syn);
    for (const char* t : {"电力隧道智能巡检机器人应用场景", "Inspection robot platform for 5G base stations, h200",
                          "智慧城市 AI 平台 \"交通信号\" 优化", "機器人 ＡＩ５Ｇ 场(chǎng)景(jǐng)"}) {
      Xapian::TermGenerator tg = analyzer->term_generator();
      Xapian::Document doc;
      tg.set_document(doc);
      analyzer->index_field(tg, text::normalize(t), 2, true, ix::Analyzer::Terms::kSearch);
      db.add_document(doc);
    }
  }
};

Fixture* fixture = nullptr;

[[noreturn]] void fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "query: %s (input %zu bytes)\n", what, input.size());
  std::abort();
}

bool utf8(std::string_view s) { return jiebang::invalid_utf8_offset(s) == std::string_view::npos; }

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fixture = new Fixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string raw(reinterpret_cast<const char*>(data), size);

  std::string norm = text::normalize(raw);
  if (!utf8(norm)) fail("normalize gave invalid UTF-8", raw);
  std::string name = text::normalize_name(raw);
  if (!utf8(name)) fail("normalize_name gave invalid UTF-8", raw);
  if (!name.empty() && (name.front() == ' ' || name.back() == ' ')) fail("normalize_name left a space at an end", raw);
  if (!utf8(text::display_form(raw))) fail("display_form gave invalid UTF-8", raw);
  size_t cut_at = size ? data[0] : 0;
  std::string cut = text::truncate_utf8(raw, cut_at);
  if (cut.size() > cut_at || raw.compare(0, cut.size(), cut) != 0) fail("truncate_utf8 is not a prefix within the limit", raw);
  if (utf8(raw) && !utf8(cut)) fail("truncate_utf8 split a character", raw);

  // Tokens of the normalised text are where they say they are.
  std::string han;
  for (const auto& t : text::tokenize(norm, *fixture->words)) {
    if (t.begin >= t.end || t.end > norm.size() || norm.compare(t.begin, t.end - t.begin, t.text) != 0)
      fail("a token's offsets do not give its text", raw);
  }
  // tokenize is public: text that was not normalised first must not break it either.
  for (const auto& t : text::tokenize(raw, *fixture->words))
    if (t.begin >= t.end || t.end > raw.size()) fail("a token of raw text lies outside it", raw);

  for (const auto& c : ix::han_chars(norm)) han += c;
  std::string joined;
  for (auto w : fixture->words->cut(han)) joined += w;
  if (joined != han) fail("jieba's cut does not concatenate to its run", raw);
  for (auto w : fixture->words->cut_for_search(han))
    if (han.find(w) == std::string::npos) fail("cut_for_search gave a word not in its run", raw);

  Xapian::Query q = ix::build_search_query(raw, *fixture->analyzer, &fixture->synonyms);
  (void)q.get_description();
  (void)fixture->analyzer->query_terms({{raw, 1}});
  if (!q.empty()) {
    Xapian::Enquire enquire(fixture->db);
    enquire.set_query(q);
    (void)enquire.get_mset(0, 10);
  }
  return 0;
}
