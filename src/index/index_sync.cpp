// SearchIndex catch-up and rebuild: the Xapian databases kept in step with the store's change log.
//
// Each batch goes through three steps: the records are read from the store on the calling thread
// (SQLite), their documents are built on up to index_threads() threads (text analysis: each thread
// has its own Analyzer, as Xapian's stemmer is not shareable), and then written by one writer per
// database (Xapian: one writer per database, and two databases may be written at once), the
// scenario and profile databases on one thread and the cases database on another. Order within
// each database is the change order, so the documents and their ids are the same whatever the
// number of threads.
#include <fcntl.h>  // AT_FDCWD
#include <stdio.h>  // renameat2, RENAME_EXCHANGE (glibc 2.28)
#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <set>
#include <system_error>
#include <thread>

#include <fmt/format.h>
#include <xapian.h>

#include "index_impl.h"
#include "jiebang/index/fit_rules.h"

namespace jiebang {
namespace {

namespace ix = index_detail;
namespace fs = std::filesystem;
using namespace index_detail;

/// Records whose documents are built together before they are written. It bounds the memory of
/// a batch: an in-memory profile with its case documents holds a few thousand terms, about
/// 0.3 MiB (measured: 1,000 at once took the import's peak RSS from 290 to 510 MiB).
constexpr size_t kChunk = 128;

/// One record's change as the writers apply it.
struct Item {
  RecordKind kind = RecordKind::kScenario;
  std::string id;
  bool to_db[kDbCount] = {false, false, false};  ///< which databases have not applied it yet
  std::optional<Scenario> scenario;      ///< the stored record (of `kind`); neither: it was removed
  std::optional<Enterprise> enterprise;
  bool present() const { return scenario || enterprise; }
  std::vector<std::pair<std::string, Stage>> outcomes;  ///< Store::match_outcomes (profiles)
  Xapian::Document doc;                       ///< the scenario or profile document
  std::vector<Xapian::Document> case_docs;    ///< one per distinct case (ix::distinct_cases)
};

/// Runs fn(t) for t in [0, n): t = 0 on the calling thread, the others on threads of their own
/// (inline when a thread cannot be started). Rethrows the first exception after all have ended.
template <typename Fn>
void on_threads(unsigned n, Fn&& fn) {
  std::vector<std::exception_ptr> errors(n);
  std::vector<std::thread> threads;
  auto guarded = [&](unsigned t) {
    try {
      fn(t);
    } catch (...) {
      errors[t] = std::current_exception();
    }
  };
  for (unsigned t = 1; t < n; ++t) {
    try {
      threads.emplace_back(guarded, t);
    } catch (const std::system_error&) {
      guarded(t);  // no thread to be had: do its share here
    }
  }
  guarded(0);
  for (auto& th : threads) th.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

/// Builds an item's documents with `analyzer` (owned by the calling thread).
void build(Item& it, const Analyzer& analyzer, const SearchIndex::Impl& impl) {
  if (!it.present()) return;
  if (it.scenario) {
    it.doc = ix::scenario_document(*it.scenario, analyzer, impl.regions, impl.industries);
    return;
  }
  const Enterprise& e = *it.enterprise;
  for (size_t i : ix::distinct_cases(e)) it.case_docs.push_back(ix::case_document(e, i, analyzer));
  if (it.to_db[kEnterprises])
    it.doc = ix::enterprise_document(e, analyzer, impl.regions, impl.industries, it.outcomes, &it.case_docs);
}

/// Documents written and removed by one writer.
struct Counts {
  uint64_t written = 0, removed = 0;
};

/// The scenario and profile databases' writer: applies `items` in order.
void write_records(SearchIndex::Impl& impl, std::vector<Item>& items, Counts& n) {
  for (Item& it : items) {
    int db = it.kind == RecordKind::kScenario ? kScenarios : kEnterprises;
    if (!it.to_db[db]) continue;
    std::string idterm = std::string(ix::kIdPrefix) + it.id;
    if (it.present()) {
      impl.wdb(db).replace_document(idterm, it.doc);
      ++n.written;
    } else {
      impl.wdb(db).delete_document(idterm);
      ++n.removed;
    }
  }
}

/// The cases database's writer: an enterprise's case documents replace all of its earlier ones.
void write_cases(SearchIndex::Impl& impl, std::vector<Item>& items, Counts& n, bool fresh) {
  for (Item& it : items) {
    if (it.kind != RecordKind::kEnterprise || !it.to_db[kCases]) continue;
    if (!fresh) impl.wdb(kCases).delete_document(std::string(ix::kEnterprisePrefix) + it.id);
    if (!it.present()) {
      if (!it.to_db[kEnterprises]) ++n.removed;  // counted once per record, by the profile's writer if it has it
      continue;
    }
    for (const auto& d : it.case_docs) {
      impl.wdb(kCases).add_document(d);
      ++n.written;
    }
  }
}

/// Builds the documents of `items` on up to impl.index_threads threads, then writes them with one
/// writer per database (two at once when there are two threads). `fresh`: the databases were just
/// created, so no earlier case documents need removing.
void apply_items(SearchIndex::Impl& impl, std::vector<Item>& items, IndexProgress& p, bool fresh = false) {
  if (items.empty()) return;
  unsigned threads = std::max(1u, std::min<unsigned>(impl.index_threads, static_cast<unsigned>(items.size())));
  while (impl.builders.size() + 1 < threads) impl.builders.push_back(std::make_unique<Analyzer>());
  on_threads(threads, [&](unsigned t) {
    const Analyzer& a = t == 0 ? impl.analyzer : *impl.builders[t - 1];
    for (size_t i = t; i < items.size(); i += threads) build(items[i], a, impl);
  });
  Counts records, cases;
  if (threads >= 2) {
    on_threads(2, [&](unsigned t) {
      if (t == 0) write_records(impl, items, records);
      else write_cases(impl, items, cases, fresh);
    });
  } else {
    write_records(impl, items, records);
    write_cases(impl, items, cases, fresh);
  }
  p.documents_written += records.written + cases.written;
  p.documents_removed += records.removed + cases.removed;
}

/// Commits every database (the databases at once when there are threads for it: a commit is
/// mostly writing out the batch's postings).
void commit_dbs(SearchIndex::Impl& impl) {
  unsigned threads = std::clamp<unsigned>(impl.index_threads, 1u, kDbCount);
  on_threads(threads, [&](unsigned t) {
    for (int i = static_cast<int>(t); i < kDbCount; i += static_cast<int>(threads)) impl.wdb(i).commit();
  });
}

/// Records `seq` as applied in every database and commits each.
void commit_all(SearchIndex::Impl& impl, int64_t seq) {
  for (int i = 0; i < kDbCount; ++i) impl.wdb(i).set_metadata(kAppliedSeqKey, std::to_string(seq));
  commit_dbs(impl);
}

/// Reads the current stored state of one changed record for the databases that have not applied
/// change `c` yet; false when no database needs it.
Result<bool> read_item(const Change& c, const int64_t applied[kDbCount], const Store& store, Item& it) {
  it.kind = c.kind;
  it.id = c.record_id;
  if (c.kind == RecordKind::kScenario) {
    it.to_db[kScenarios] = c.seq > applied[kScenarios];
    if (!it.to_db[kScenarios]) return false;
    auto rec = store.get_scenario(c.record_id);
    if (rec) {
      it.scenario = std::move(*rec);
    } else if (rec.status().code() != ErrorCode::kNotFound) {
      return rec.status();
    }
    return true;
  }
  it.to_db[kEnterprises] = c.seq > applied[kEnterprises];
  it.to_db[kCases] = c.seq > applied[kCases];
  if (!it.to_db[kEnterprises] && !it.to_db[kCases]) return false;
  auto rec = store.get_enterprise(c.record_id);
  if (rec) {
    if (it.to_db[kEnterprises]) {
      auto outcomes = store.match_outcomes(c.record_id, track_record_stages());
      if (!outcomes) return outcomes.status();
      it.outcomes = std::move(*outcomes);
    }
    it.enterprise = std::move(*rec);
  } else if (rec.status().code() != ErrorCode::kNotFound) {
    return rec.status();
  }
  return true;
}

}  // namespace

void SearchIndex::set_index_threads(unsigned threads) { impl_->index_threads = std::clamp(threads, 1u, 64u); }

unsigned SearchIndex::index_threads() const { return impl_->index_threads; }

unsigned SearchIndex::default_index_threads() { return std::clamp(std::thread::hardware_concurrency(), 1u, 8u); }

void SearchIndex::set_min_free_bytes(uint64_t bytes) { impl_->min_free_bytes = bytes; }

Status SearchIndex::check_free_space(uint64_t extra) const {
  struct statvfs fs_stat {};
  if (statvfs(impl_->dir.c_str(), &fs_stat) != 0)
    return Status::internal(fmt::format("cannot read the free space of {}: {}", impl_->dir, std::strerror(errno)));
  const uint64_t available = static_cast<uint64_t>(fs_stat.f_bavail) * fs_stat.f_frsize;
  const uint64_t needed = impl_->min_free_bytes + extra;
  if (available >= needed) return Status::ok();
  return Status::unavailable(fmt::format(
      "the disk holding {} has {} MiB free, and writing the index needs at least {} MiB: free some space and retry",
      impl_->dir, available >> 20, (needed + (1 << 20) - 1) >> 20));
}

void SearchIndex::Impl::reset_writers() noexcept {
  if (!writable) return;
  for (int i = 0; i < kDbCount; ++i) {
    try {
      if (w_[i]) w_[i]->close();
    } catch (...) {  // already closed by the failure
    }
    try {
      w_[i] = open_writer_with_retry(path(i), Xapian::DB_OPEN);
    } catch (...) {  // the cause is still there (no fds, no space): the next write tries again
    }
  }
  drop_attribute_caches();
}

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
      if (Status st = check_free_space(); !st) return st;  // only when there is something to write
      // The latest state is read from the store, so each record is applied once per batch (at
      // its last change; the writers keep the change order of what remains).
      std::set<std::pair<RecordKind, std::string>> done;
      std::vector<const Change*> latest;
      for (auto c = changes->rbegin(); c != changes->rend(); ++c)
        if (done.emplace(c->kind, c->record_id).second) latest.push_back(&*c);
      std::reverse(latest.begin(), latest.end());
      std::vector<Item> items;
      for (size_t k = 0; k < latest.size(); ++k) {
        Item it;
        auto needed = read_item(*latest[k], applied, store, it);
        if (!needed) return needed.status();
        if (*needed) items.push_back(std::move(it));
        if (items.size() >= kChunk || k + 1 == latest.size()) {
          apply_items(*impl_, items, p);
          items.clear();
        }
      }
      from = changes->back().seq;
      commit_all(*impl_, from);
      std::fill(applied, applied + kDbCount, from);
      p.applied_seq = from;
      if (on_progress) on_progress(p);
    }
  } catch (const Xapian::Error& e) {
    impl_->reset_writers();
    return from_xapian(e, "cannot update the index");
  } catch (const std::exception& e) {  // std::bad_alloc, a thread that could not start: reported, not thrown
    impl_->reset_writers();
    return Status::internal(fmt::format("cannot update the index: {}", e.what()));
  }
  return p;
}

Status SearchIndex::compact() {
  if (!impl_->writable)
    return Status::unavailable(fmt::format("the index in {} is locked by another process", impl_->dir));
  {  // the compacted copy is written beside the database before the old one goes
    uint64_t largest = 0;
    std::error_code ec;
    for (int i = 0; i < kDbCount; ++i) {
      uint64_t bytes = 0;
      for (const auto& f : fs::directory_iterator(impl_->path(i), ec))
        if (f.is_regular_file(ec)) bytes += f.file_size(ec);
      largest = std::max(largest, bytes);
    }
    if (Status st = check_free_space(largest); !st) return st;
  }
  impl_->drop_attribute_caches();  // revisions change
  // Another jiebang process that opened the index in the moment of the swap (a CLI search tries
  // the writer's lock first) holds it only briefly: open_writer_with_retry waits for it.
  auto reopen_writer = [](const std::string& path) { return open_writer_with_retry(path, Xapian::DB_OPEN); };
  for (int i = 0; i < kDbCount; ++i) {
    const std::string path = impl_->path(i), fresh = path + kCompactSuffix;
    bool closed = false;
    std::string failure;
    try {
      std::error_code ec;
      fs::remove_all(fresh, ec);
      // From the writer's last commit (nothing is pending: callers commit first).
      impl_->wdb(i).compact(fresh, Xapian::DBCOMPACT_NO_RENUMBER | Xapian::Compactor::STANDARD);
      impl_->wdb(i).close();
      closed = true;
      // One atomic step: the path always names a whole database, old or new.
      if (renameat2(AT_FDCWD, fresh.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) != 0)
        throw std::system_error(errno, std::generic_category(), "cannot swap in " + fresh);
      impl_->w_[i] = reopen_writer(path);
      closed = false;
      fs::remove_all(fresh, ec);  // now the old files
      continue;
    } catch (const Xapian::Error& e) {
      failure = e.get_description();
    } catch (const std::exception& e) {
      failure = e.what();
    }
    std::error_code ec;
    fs::remove_all(fresh, ec);
    if (closed) {
      // Writable again at whatever the path holds (old or new, both whole). If another process
      // took the lock meanwhile, this index is read-only from now on.
      try {
        impl_->w_[i] = reopen_writer(path);
      } catch (const Xapian::Error& e) {
        impl_->writable = false;
        try {
          for (int j = 0; j < kDbCount; ++j) {
            impl_->w_[j].reset();
            impl_->r_[j] = std::make_unique<Xapian::Database>(impl_->path(j));
          }
        } catch (const Xapian::Error& re) {
          return from_xapian(re, fmt::format("cannot reopen {} after compacting it", path));
        }
        return Status::unavailable(fmt::format("compacting {}: another process took the index meanwhile ({}); "
                                               "this one is read-only now",
                                               path, e.get_description()));
      }
    }
    return Status::internal(fmt::format("cannot compact {}: {}", path, failure));
  }
  return Status::ok();
}

Result<IndexProgress> SearchIndex::rebuild(const Store& store, const std::function<void(const IndexProgress&)>& on_progress) {
  if (!impl_->writable)
    return Status::unavailable(fmt::format("the index in {} is locked by another process", impl_->dir));
  if (Status st = check_free_space(); !st) return st;
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
    std::vector<Item> items;
    size_t since_commit = 0;
    auto flush = [&] {
      apply_items(*impl_, items, p, /*fresh=*/true);
      since_commit += items.size();
      items.clear();
      if (since_commit >= 5000) {
        commit_dbs(*impl_);
        since_commit = 0;
        if (on_progress) on_progress(p);
      }
    };
    Status st = store.for_each_scenario([&](Scenario&& s) {
      Item it;
      it.kind = RecordKind::kScenario;
      it.id = s.id;
      it.to_db[kScenarios] = true;
      it.scenario = std::move(s);
      items.push_back(std::move(it));
      if (items.size() >= kChunk) flush();
      return true;
    });
    if (!st) return st;
    Status read_failure;
    st = store.for_each_enterprise([&](Enterprise&& e) {
      Item it;
      it.kind = RecordKind::kEnterprise;
      it.id = e.id;
      it.to_db[kEnterprises] = it.to_db[kCases] = true;
      auto outcomes = store.match_outcomes(e.id, track_record_stages());
      if (!outcomes) {
        read_failure = outcomes.status();
        return false;
      }
      it.outcomes = std::move(*outcomes);
      it.enterprise = std::move(e);
      items.push_back(std::move(it));
      if (items.size() >= kChunk) flush();
      return true;
    });
    if (!st) return st;
    if (!read_failure) return read_failure;
    flush();
    for (int i = 0; i < kDbCount; ++i) impl_->wdb(i).set_metadata(kFormatKey, std::to_string(kIndexFormat));
    commit_all(*impl_, *last);
    p.applied_seq = p.store_seq = *last;
    if (Status compacted = compact(); !compacted) return compacted;
    if (on_progress) on_progress(p);
  } catch (const Xapian::Error& e) {
    impl_->reset_writers();
    return from_xapian(e, "cannot rebuild the index");
  } catch (const std::exception& e) {
    impl_->reset_writers();
    return Status::internal(fmt::format("cannot rebuild the index: {}", e.what()));
  }
  auto rest = catch_up(store);
  if (!rest) return rest.status();
  p.applied_seq = rest->applied_seq;
  p.documents_written += rest->documents_written;
  p.documents_removed += rest->documents_removed;
  return p;
}

}  // namespace jiebang
