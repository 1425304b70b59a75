// SearchIndex catch-up and rebuild: the Xapian databases kept in step with the store's change log.
#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <xapian.h>

#include "index_impl.h"
#include "jiebang/index/fit_rules.h"

namespace jiebang {
namespace {

namespace ix = index_detail;
using namespace index_detail;

/// Writes records' documents into an index's writable databases.
struct Writer {
  SearchIndex::Impl& impl;
  Xapian::WritableDatabase& wdb(int i) { return impl.wdb(i); }

  /// Writes a scenario's document.
  void put(const Scenario& rec, IndexProgress& p) {
    wdb(kScenarios).replace_document(std::string(ix::kIdPrefix) + rec.id,
                                     ix::scenario_document(rec, impl.analyzer, impl.regions, impl.industries));
    ++p.documents_written;
  }
  /// Writes an enterprise's profile document (when `profile`) and its case documents (when `cases`).
  Status put(const Enterprise& rec, const Store& store, IndexProgress& p, bool profile, bool cases) {
    if (profile) {
      auto outcomes = store.match_outcomes(rec.id, track_record_stages());
      if (!outcomes) return outcomes.status();
      wdb(kEnterprises).replace_document(std::string(ix::kIdPrefix) + rec.id,
                                         ix::enterprise_document(rec, impl.analyzer, impl.regions, impl.industries, *outcomes));
      ++p.documents_written;
    }
    if (cases) {
      wdb(kCases).delete_document(std::string(ix::kEnterprisePrefix) + rec.id);
      for (size_t i : ix::distinct_cases(rec)) {
        wdb(kCases).add_document(ix::case_document(rec, i, impl.analyzer));
        ++p.documents_written;
      }
    }
    return Status::ok();
  }

  /// Applies the current stored state of one record to the databases that have not seen
  /// change `seq` yet.
  Status apply(const Change& c, const int64_t applied[kDbCount], const Store& store, IndexProgress& p) {
    std::string idterm = std::string(ix::kIdPrefix) + c.record_id;
    if (c.kind == RecordKind::kScenario) {
      if (c.seq <= applied[kScenarios]) return Status::ok();
      auto rec = store.get_scenario(c.record_id);
      if (rec) {
        put(*rec, p);
      } else if (rec.status().code() == ErrorCode::kNotFound) {
        wdb(kScenarios).delete_document(idterm);
        ++p.documents_removed;
      } else {
        return rec.status();
      }
      return Status::ok();
    }
    bool profile = c.seq > applied[kEnterprises], cases = c.seq > applied[kCases];
    if (!profile && !cases) return Status::ok();
    auto rec = store.get_enterprise(c.record_id);
    if (rec) {
      if (Status st = put(*rec, store, p, profile, cases); !st) return st;
    } else if (rec.status().code() == ErrorCode::kNotFound) {
      if (profile) wdb(kEnterprises).delete_document(idterm);
      if (cases) wdb(kCases).delete_document(std::string(ix::kEnterprisePrefix) + c.record_id);
      ++p.documents_removed;
    } else {
      return rec.status();
    }
    return Status::ok();
  }

  /// Records `seq` as applied in every database and commits each.
  void commit_all(int64_t seq) {
    for (int i = 0; i < kDbCount; ++i) {
      wdb(i).set_metadata(kAppliedSeqKey, std::to_string(seq));
      wdb(i).commit();
    }
  }
};

}  // namespace

Result<IndexProgress> SearchIndex::catch_up(const Store& store, size_t batch_changes,
                                            const std::function<void(const IndexProgress&)>& on_progress) {
  if (!impl_->writable)
    return Status::unavailable(fmt::format("the index in {} is locked by another process", impl_->dir));
  IndexProgress p;
  // Documents change under their docids here (and stay changed if a write fails before its commit).
  impl_->drop_attribute_caches();
  struct DropAfter {
    Impl& impl;
    ~DropAfter() { impl.drop_attribute_caches(); }
  } drop_after{*impl_};
  try {
    // Each database commits on its own, so after a crash they may stand at different seqs:
    // replay from the lowest, applying each change only where it is new.
    int64_t applied[kDbCount];
    for (int i = 0; i < kDbCount; ++i) applied[i] = read_applied(impl_->db(i));
    int64_t from = *std::min_element(applied, applied + kDbCount);
    p.applied_seq = from;
    for (;;) {
      auto last = store.last_seq();
      if (!last) return last.status();
      p.store_seq = *last;
      auto changes = store.changes_after(from, batch_changes);
      if (!changes) return changes.status();
      if (changes->empty()) break;
      // The latest state is read from the store, so each record is applied once per batch.
      std::set<std::pair<RecordKind, std::string>> done;
      for (auto c = changes->rbegin(); c != changes->rend(); ++c) {
        if (!done.emplace(c->kind, c->record_id).second) continue;
        if (Status st = Writer{*impl_}.apply(*c, applied, store, p); !st) return st;
      }
      from = changes->back().seq;
      Writer{*impl_}.commit_all(from);
      std::fill(applied, applied + kDbCount, from);
      p.applied_seq = from;
      if (on_progress) on_progress(p);
    }
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "cannot update the index");
  }
  return p;
}

Result<IndexProgress> SearchIndex::rebuild(const Store& store, const std::function<void(const IndexProgress&)>& on_progress) {
  if (!impl_->writable)
    return Status::unavailable(fmt::format("the index in {} is locked by another process", impl_->dir));
  IndexProgress p;
  impl_->drop_attribute_caches();  // docids and revisions start again in the new databases
  struct DropAfter {
    Impl& impl;
    ~DropAfter() { impl.drop_attribute_caches(); }
  } drop_after{*impl_};
  try {
    // Read the seq first: changes made while rebuilding are replayed by the next catch-up.
    auto last = store.last_seq();
    if (!last) return last.status();
    for (int i = 0; i < kDbCount; ++i) {
      impl_->wdb(i).close();
      impl_->w_[i] = std::make_unique<Xapian::WritableDatabase>(impl_->path(i), Xapian::DB_CREATE_OR_OVERWRITE);
    }
    size_t since_commit = 0;
    auto maybe_commit = [&] {
      if (++since_commit % 5000 == 0) {
        for (int i = 0; i < kDbCount; ++i) impl_->wdb(i).commit();
        if (on_progress) on_progress(p);
      }
    };
    Status st = store.for_each_scenario([&](Scenario&& s) {
      Writer{*impl_}.put(s, p);
      maybe_commit();
      return true;
    });
    if (!st) return st;
    Status put_failure;
    st = store.for_each_enterprise([&](Enterprise&& e) {
      put_failure = Writer{*impl_}.put(e, store, p, true, true);
      maybe_commit();
      return put_failure.is_ok();
    });
    if (!st) return st;
    if (!put_failure) return put_failure;
    for (int i = 0; i < kDbCount; ++i) impl_->wdb(i).set_metadata(kFormatKey, std::to_string(kIndexFormat));
    Writer{*impl_}.commit_all(*last);
    p.applied_seq = p.store_seq = *last;
    if (on_progress) on_progress(p);
  } catch (const Xapian::Error& e) {
    return from_xapian(e, "cannot rebuild the index");
  }
  auto rest = catch_up(store);
  if (!rest) return rest.status();
  p.applied_seq = rest->applied_seq;
  p.documents_written += rest->documents_written;
  p.documents_removed += rest->documents_removed;
  return p;
}

}  // namespace jiebang
