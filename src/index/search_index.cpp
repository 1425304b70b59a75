// SearchIndex: opening the Xapian databases, their state, and reads of single documents.
#include "jiebang/index/search_index.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <xapian.h>

#include "index_impl.h"
#include "summary_codec.h"
#include "jiebang/text/normalize.h"

namespace jiebang {
namespace index_detail {

Status from_xapian(const Xapian::Error& e, std::string_view what) {
  std::string msg = fmt::format("{}: {}: {}", what, e.get_type(), e.get_msg());
  std::string_view type = e.get_type();
  if (type == "DatabaseLockError" || type == "DatabaseOpeningError") return Status::unavailable(msg);
  return Status::internal(msg);
}

/// The applied seq in a database's metadata (0 when unset). A value that is not a number is a
/// damaged database: Xapian::DatabaseCorruptError, which every caller handles as a Xapian error.
int64_t read_applied(const Xapian::Database& db) {
  std::string v = db.get_metadata(kAppliedSeqKey);
  if (v.empty()) return 0;
  int64_t seq = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seq);
  if (ec != std::errc() || end != v.data() + v.size() || seq < 0)
    throw Xapian::DatabaseCorruptError("the applied seq in the metadata is not a number: \"" + v.substr(0, 40) + "\"");
  return seq;
}

}  // namespace index_detail

namespace {
namespace fs = std::filesystem;
namespace ix = index_detail;
using nlohmann::json;
using namespace index_detail;

constexpr int kLockRetries = 20;  // × 100 ms
}  // namespace

std::unique_ptr<Xapian::WritableDatabase> index_detail::open_writer_with_retry(const std::string& path, int flags) {
  for (int attempt = 0;; ++attempt) {
    try {
      return std::make_unique<Xapian::WritableDatabase>(path, flags);
    } catch (const Xapian::DatabaseLockError&) {
      if (attempt >= kLockRetries) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

Status SearchIndex::Impl::open_dbs() {
  try {
    fs::create_directories(dir);
    try {
      // Writable if the lock can be had (briefly waited for), else read-only.
      for (int i = 0; i < kDbCount; ++i) w_[i] = open_writer_with_retry(path(i), Xapian::DB_CREATE_OR_OPEN);
      writable = true;
      // A compaction's leftover (SearchIndex::compact crashed mid-way): the database at the path
      // is whole either way, and only the writer compacts.
      for (int i = 0; i < kDbCount; ++i) {
        std::error_code ec;
        fs::remove_all(path(i) + kCompactSuffix, ec);
      }
    } catch (const Xapian::DatabaseLockError&) {
      for (int i = 0; i < kDbCount; ++i) {
        w_[i].reset();
        r_[i] = std::make_unique<Xapian::Database>(path(i));
      }
      writable = false;
    }
  } catch (const Xapian::Error& e) {
    return from_xapian(e, fmt::format("cannot open the index in {}", dir));
  } catch (const fs::filesystem_error& e) {
    return Status::unavailable(fmt::format("cannot create the index directory {}: {}", dir, e.what()));
  }
  return Status::ok();
}

Xapian::Query SearchIndex::Impl::filter_query(const SearchFilters& f) const {
  std::vector<Xapian::Query> filters;
  if (!f.status.empty()) filters.emplace_back(ix::boolean_term(ix::kStatusPrefix, f.status));
  if (!f.region_code.empty()) filters.emplace_back(ix::boolean_term(ix::kRegionPrefix, f.region_code));
  if (!f.industry_code.empty()) filters.emplace_back(ix::boolean_term(ix::kIndustryPrefix, f.industry_code));
  if (f.status == "open" && !f.today.empty())
    filters.emplace_back(Xapian::Query::OP_VALUE_GE, ix::kSlotDeadline,
                         Xapian::sortable_serialise(ix::date_number(f.today, 0)));
  if (!f.posted_from.empty() || !f.posted_to.empty()) {
    // A missing posted_at is stored as 0, below every real date.
    Xapian::Query posted(Xapian::Query::OP_VALUE_RANGE, ix::kSlotPosted,
                         Xapian::sortable_serialise(std::max(1.0, ix::date_number(f.posted_from, 1))),
                         Xapian::sortable_serialise(ix::date_number(f.posted_to, 99991231)));
    if (!f.posted_also.empty()) {
      std::vector<Xapian::Query> ids;
      for (const auto& id : f.posted_also) ids.emplace_back(std::string(ix::kIdPrefix) + id);
      posted = Xapian::Query(Xapian::Query::OP_OR, posted, Xapian::Query(Xapian::Query::OP_OR, ids.begin(), ids.end()));
    }
    filters.push_back(std::move(posted));
  }
  if (filters.empty()) return Xapian::Query::MatchAll;
  return Xapian::Query(Xapian::Query::OP_AND, filters.begin(), filters.end());
}

SearchIndex::SearchIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SearchIndex::~SearchIndex() = default;

Result<std::unique_ptr<SearchIndex>> SearchIndex::open(const std::string& dir, const RegionTable& regions,
                                                       const IndustryTable& industries,
                                                       const text::SynonymTable* synonyms) {
  auto impl = std::make_unique<Impl>(dir, regions, industries, synonyms);
  if (Status st = impl->open_dbs(); !st) return st;
  return std::unique_ptr<SearchIndex>(new SearchIndex(std::move(impl)));
}

Result<std::unique_ptr<SearchIndex>> SearchIndex::open_reader(const std::string& dir, const RegionTable& regions,
                                                              const IndustryTable& industries,
                                                              const text::SynonymTable* synonyms) {
  auto impl = std::make_unique<Impl>(dir, regions, industries, synonyms);
  try {
    for (int i = 0; i < kDbCount; ++i) impl->r_[i] = std::make_unique<Xapian::Database>(impl->path(i));
    impl->writable = false;
  } catch (const Xapian::Error& e) {
    return from_xapian(e, fmt::format("cannot open the index in {}", dir));
  }
  return std::unique_ptr<SearchIndex>(new SearchIndex(std::move(impl)));
}

bool SearchIndex::writable() const { return impl_->writable; }

bool SearchIndex::outdated() const {
  try {
    for (int i = 0; i < kDbCount; ++i) {
      const Xapian::Database& d = impl_->db(i);
      std::string v = d.get_metadata(kFormatKey);
      if (v == std::to_string(kIndexFormat)) continue;
      if (d.get_doccount() > 0 || read_applied(d) > 0) return true;
    }
  } catch (const Xapian::Error&) {
    return false;  // a database that cannot be read is reported by the next query instead
  }
  return false;
}

Status SearchIndex::mark_current_format() {
  if (!impl_->writable) return Status::unavailable("the index is read-only here");
  try {
    for (int i = 0; i < kDbCount; ++i)
      if (impl_->db(i).get_metadata(kFormatKey) != std::to_string(kIndexFormat)) {
        impl_->wdb(i).set_metadata(kFormatKey, std::to_string(kIndexFormat));
        impl_->wdb(i).commit();
      }
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "cannot mark the index format");
  }
  return Status::ok();
}

Status SearchIndex::reopen() {
  if (impl_->writable) return Status::ok();
  try {
    bool moved = false;
    for (int i = 0; i < kDbCount; ++i) moved = impl_->r_[i]->reopen() || moved;
    if (moved) impl_->drop_attribute_caches();
  } catch (const Xapian::Error& e) {
    return from_xapian(e, fmt::format("cannot reopen the index in {}", impl_->dir));
  }
  return Status::ok();
}

Result<int64_t> SearchIndex::applied_seq() const {
  try {
    int64_t lowest = read_applied(impl_->db(0));
    for (int i = 1; i < kDbCount; ++i) lowest = std::min(lowest, read_applied(impl_->db(i)));
    return lowest;
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "cannot read the index's applied seq");
  }
}

Result<uint64_t> SearchIndex::doc_count(RecordKind kind) const {
  try {
    return uint64_t{impl_->db(kind).get_doccount()};
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "cannot count the index's documents");
  }
}

std::optional<RecordSummary> SearchIndex::summary(RecordKind kind, const std::string& id) const {
  try {
    const Xapian::Database& d = impl_->db(kind);
    std::string idterm = std::string(ix::kIdPrefix) + id;
    auto post = d.postlist_begin(idterm);
    if (post == d.postlist_end(idterm)) return std::nullopt;
    return ix::summary_from_data(kind == RecordKind::kEnterprise, d.get_document(*post).get_data());
  } catch (const Xapian::Error&) {
    return std::nullopt;
  }
}

std::vector<std::string> SearchIndex::matched_terms(RecordKind target, const std::string& id,
                                                    std::vector<std::string> query_terms,
                                                    const std::vector<std::string>& query_words) const {
  try {
    const Xapian::Database& d = impl_->db(target);
    std::string idterm = std::string(ix::kIdPrefix) + id;
    auto post = d.postlist_begin(idterm);
    if (post == d.postlist_end(idterm)) return {};
    // Looked up in term order, reported in the query's order (most informative first).
    std::vector<std::string> sorted = query_terms;
    std::sort(sorted.begin(), sorted.end());
    std::set<std::string> present;
    auto t = d.termlist_begin(*post);
    for (const auto& q : sorted) {
      t.skip_to(q);
      if (t == d.termlist_end(*post)) break;
      if (*t == q) present.insert(q);
    }
    std::vector<std::string> raw, spelled;
    for (size_t i = 0; i < query_terms.size(); ++i)
      if (present.count(query_terms[i])) {
        raw.push_back(query_terms[i]);
        spelled.push_back(i < query_words.size() ? query_words[i] : std::string());
      }
    return impl_->analyzer.readable_matches(raw, spelled);
  } catch (const Xapian::Error&) {
    return {};  // explanations are best effort: a vanished document has no matched terms
  }
}

}  // namespace jiebang
