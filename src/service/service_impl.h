// Internal: Service::Impl, the state the service's parts share (service module only).
#pragma once

#include <filesystem>
#include <memory>
#include <type_traits>
#include <vector>

#include "jiebang/core/column_map.h"
#include "jiebang/service/service.h"

namespace jiebang {

namespace service_detail {
/// Checks that need the code tables: a 6-digit region must be a GB/T 2260 code, a code-shaped
/// industry a GB/T 4754 code. Problems are appended to `errors` (key + message).
void check_codes(const std::string& region, const std::vector<std::string>& industries, const RegionTable& regions,
                 const IndustryTable& table, std::vector<FieldError>& errors);
}  // namespace service_detail

struct Service::Impl {
  ServiceConfig config;
  RegionTable regions;
  IndustryTable industries;
  text::SynonymTable synonyms;
  ColumnMap columns;  ///< published CSV/.xlsx headers → record keys (index/columns.tsv)
  MatchWeights weights;
  std::unique_ptr<Store> store;
  std::unique_ptr<SearchIndex> index;
  std::unique_ptr<Matcher> matcher;
  std::unique_ptr<Lifecycle> lifecycle;
  std::unique_ptr<DigestRunner> digest;

  Status catch_up(const ProgressFn& progress) {
    if (!index->writable()) return Status::ok();  // another process owns the index and keeps it current
    if (index->outdated()) {
      // Written by an older jiebang whose terms differ: rebuilt from the store (the source of truth).
      if (progress) progress("index written by an older jiebang: rebuilding", 0, 0);
      auto r = index->rebuild(*store, [&](const IndexProgress& p) {
        if (progress) progress("reindex", static_cast<size_t>(p.applied_seq), static_cast<size_t>(p.store_seq));
      });
      return r.status();
    }
    auto scenarios = index->doc_count(RecordKind::kScenario);
    auto enterprises = index->doc_count(RecordKind::kEnterprise);
    auto applied = index->applied_seq();
    if (!scenarios) return scenarios.status();
    if (!enterprises) return enterprises.status();
    if (!applied) return applied.status();
    if (*scenarios == 0 && *enterprises == 0 && *applied == 0)
      if (Status st = index->mark_current_format(); !st) return st;
    auto r = index->catch_up(*store, 5000, [&](const IndexProgress& p) {
      if (progress) progress("index", static_cast<size_t>(p.applied_seq), static_cast<size_t>(p.store_seq));
    });
    return r.status();
  }

  /// Refuses (kUnavailable, naming the free and needed space) a write that would leave the data
  /// directory's file system below ServiceConfig::min_free_bytes, before anything is written, so
  /// a record is either stored and indexed or refused whole. OK for a read-only service (it
  /// writes nothing through the index).
  Status writable_space() const {
    if (!index->writable()) return Status::ok();
    return index->check_free_space();
  }

  /// After an import that wrote `written` records of `kind`: a bulk import leaves Xapian's blocks
  /// partly filled, so the index is compacted (SearchIndex::compact, ~45 % smaller) when the
  /// import wrote at least kCompactAfterRecords records and a tenth of those of its kind now
  /// stored. A no-op when another process owns the index.
  static constexpr size_t kCompactAfterRecords = 1000;
  Status compact_after_import(RecordKind kind, size_t written) {
    if (!index->writable() || written < kCompactAfterRecords) return Status::ok();
    auto stored = store->count(kind);
    if (!stored) return stored.status();
    if (static_cast<int64_t>(written) * 10 < *stored) return Status::ok();
    Status st = index->compact();
    // Too little free space for the compacted copy: the import stands, uncompacted (compaction
    // only saves space). Still writable, so it was not another process taking the lock.
    if (!st && st.code() == ErrorCode::kUnavailable && index->writable()) return Status::ok();
    return st;
  }

  template <typename Record>
  Status flush(std::vector<Record>& batch, std::vector<size_t>& lines, ImportReport& report) {
    if (batch.empty()) return Status::ok();
    Result<std::vector<Result<UpsertOutcome>>> outcomes = [&] {
      if constexpr (std::is_same_v<Record, Scenario>) return store->upsert_scenarios(batch);
      else return store->upsert_enterprises(batch);
    }();
    if (!outcomes) return outcomes.status();
    for (size_t i = 0; i < outcomes->size(); ++i) {
      const auto& o = (*outcomes)[i];
      if (!o) {
        ++report.rejected;
        report.errors.push_back({lines[i], batch[i].id, "id", o.status().message()});
        continue;
      }
      switch (o.value()) {
        case UpsertOutcome::kInserted: ++report.inserted; break;
        case UpsertOutcome::kUpdated: ++report.updated; break;
        case UpsertOutcome::kUnchanged: ++report.unchanged; break;
      }
    }
    batch.clear();
    lines.clear();
    return catch_up({});
  }
};

}  // namespace jiebang
