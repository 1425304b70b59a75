// The weekly match digest: for each enterprise its best new open scenarios, for each publisher the
// best candidates for its open scenarios, for everyone their stalled matches — computed once per
// ISO week, stored, resumable, and written as JSON and HTML per recipient.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "jiebang/core/stages.h"
#include "jiebang/core/status.h"
#include "jiebang/core/taxonomy.h"
#include "jiebang/index/search_index.h"
#include "jiebang/lifecycle/lifecycle.h"
#include "jiebang/match/matcher.h"
#include "jiebang/store/store.h"

namespace jiebang {

/// An ISO 8601 week date's week: `year` is the ISO week-numbering year (which differs from the
/// calendar year around 1 January), `week` 1–52 or 53.
struct IsoWeek {
  int year = 1970;
  int week = 1;

  /// Parses "2026-W48" (ISO 8601 extended form; "2026W48" is accepted too). nullopt for anything
  /// else, and for week 53 of a year that has 52 weeks.
  static std::optional<IsoWeek> parse(std::string_view text);
  /// The week holding `day`.
  static IsoWeek of(std::chrono::sys_days day);
  /// The week holding `t` in Asia/Shanghai (UTC+8, no daylight saving time).
  static IsoWeek in_shanghai(std::chrono::system_clock::time_point t);
  /// Monday of the week (a calendar day, no time zone).
  std::chrono::sys_days monday() const;
  IsoWeek previous() const { return of(monday() - std::chrono::days(7)); }
  IsoWeek next() const { return of(monday() + std::chrono::days(7)); }
  /// "2026-W48"
  std::string to_string() const;
  bool operator==(const IsoWeek&) const = default;
};

// RecipientKind, recipient_kind_name and parse_recipient_kind are in jiebang/core/stages.h.

/// The rules of a digest run. A run keeps the settings it started with (stored with it).
struct DigestSettings {
  size_t max_items = 10;          ///< recommendations per recipient at most (stalled matches come on top)
  size_t per_publisher_cap = 3;   ///< an enterprise's digest: scenarios from one publisher at most
  size_t per_scenario_cap = 3;    ///< a publisher's digest: candidates for one scenario at most
  std::string base_url = "http://localhost:8080";  ///< links point at this web API

  /// Drops trailing slashes from base_url and checks it is an http:// or https:// address without
  /// spaces, quotes or angle brackets. Errors: kInvalidArgument.
  Status check_base_url();
  nlohmann::json to_json() const;
  /// Errors: kInvalidArgument naming the key (unknown, wrong type, a cap or max_items of 0, a
  /// base_url that check_base_url refuses).
  static Result<DigestSettings> from_json(const nlohmann::json& j);
};

/// A run's summary (stored; also written as summary.json).
struct DigestSummary {
  std::string week;                 ///< "2026-W48"
  std::string covers_from, covers_to;  ///< YYYY-MM-DD: the days whose new scenarios the digest brings (the week before)
  std::string cutoff;               ///< YYYY-MM-DD, Monday of `week`: deadlines before it are expired; stalls measured to it (00:00 Asia/Shanghai)
  DigestSettings settings;
  int64_t recipients = 0;           ///< recipients processed (enterprises + publishers)
  int64_t recipients_with_items = 0;
  int64_t items = 0;                ///< items of all kinds
  double seconds = 0;               ///< compute time summed over attempts; unit: seconds
  int64_t attempts = 0;             ///< 1 + times it was resumed
  std::string started_at, finished_at;  ///< ISO 8601 UTC; finished_at "" while unfinished
  bool already_done = false;        ///< this call found the week finished and computed nothing

  nlohmann::json to_json() const;
};

/// How a run is carried out (not part of its result).
struct DigestRunOptions {
  unsigned threads = 0;           ///< worker threads; 0 = one per core, at most 8
  size_t batch_recipients = 200;  ///< recipients stored per transaction by a worker (also every 2 s): a kill redoes at most this many per worker
};

/// Progress: `done` of `total` in a phase ("enterprises", "publishers", "files").
using DigestProgressFn = std::function<void(const std::string& phase, size_t done, size_t total)>;

/// Computes, stores and renders weekly digests over one store and index.
///
/// The digest of week W is sent in W and brings what is new since the previous one: scenarios
/// whose posted_at falls in the week before W (a scenario without posted_at counts from the day
/// it was first stored), open (status open, deadline on or after Monday of W). Rules:
/// - an enterprise gets the open new scenarios ranked for it (Matcher::scenarios_for), at most
///   `per_publisher_cap` from one publisher, at most `max_items`;
/// - a publisher gets the best candidates for each of its open scenarios posted before W
///   (Matcher::enterprises_for), at most `per_scenario_cap` per scenario, `max_items` in all,
///   best score first;
/// - nothing recommended to the recipient in an earlier week's digest is recommended again, and no
///   pair with a match past "recommended" (applied or later, or ended) is recommended at all;
/// - everyone gets their stalled matches (FunnelQuery's stall thresholds, days counted to Monday
///   00:00 Asia/Shanghai of W), each stalled state (match and version) once.
/// Recipients are processed in a fixed order (enterprises by id, then publishers by name) and
/// stored in batches, so a killed run resumes at the first unstored recipient and ends equal to
/// an uninterrupted one; a finished week is not computed again.
class DigestRunner {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  /// A read-only index with its matcher, for one more worker thread (Xapian handles are per thread).
  struct Reader {
    std::unique_ptr<SearchIndex> index;
    std::unique_ptr<Matcher> matcher;
  };
  using ReaderFactory = std::function<Result<Reader>()>;

  /// `open_reader` (may be empty: one thread) opens the index again for each extra worker.
  DigestRunner(Store& store, const SearchIndex& index, const Matcher& matcher, const RegionTable& regions, Clock clock,
               ReaderFactory open_reader = {})
      : store_(store), index_(index), matcher_(matcher), regions_(regions), clock_(std::move(clock)),
        open_reader_(std::move(open_reader)) {}

  /// Computes and stores the digest of `week` (resuming an unfinished run; returning a finished
  /// one's summary with already_done) on `options.threads` worker threads (more than one needs a
  /// reader factory). The result depends neither on the thread count nor on the batch size.
  /// Errors: kInvalidArgument when the week has not begun (Asia/Shanghai, by the clock);
  /// kConflict when the week was started with other settings (the message shows both); storage
  /// and index errors.
  Result<DigestSummary> run(const IsoWeek& week, const DigestSettings& settings,
                            const DigestProgressFn& progress = {}, const DigestRunOptions& options = {}) const;
  /// The stored summary of a week. Errors: kNotFound.
  Result<DigestSummary> summary(const IsoWeek& week) const;
  /// The summaries of the newest `limit` runs (finished or not), newest week first. Storage errors only.
  Result<std::vector<DigestSummary>> runs(size_t limit) const;
  /// The recipients a week's run has processed so far (kind, id, name, language, items), by kind
  /// then id. Storage errors only (an unknown week has none).
  Result<std::vector<DigestRecipientRow>> recipients(const IsoWeek& week) const;
  /// One recipient's digest as the JSON document written to its file:
  /// {week, covers:{from,to}, recipient:{kind,id,name,language}, items:[…], stalled:[…]}.
  /// Errors: kNotFound.
  Result<nlohmann::json> recipient(const IsoWeek& week, RecipientKind kind, const std::string& id) const;
  /// Writes, for each recipient with items, <out_dir>/<kind>/<file>.json and .html, and
  /// <out_dir>/summary.json — all from the stored digest, so a repeated call writes the same bytes.
  /// Files are written to a temporary name and renamed. Returns the number of files written.
  /// Errors: kNotFound (no such run), kUnavailable (cannot write, naming the path).
  Result<size_t> write_files(const IsoWeek& week, const std::string& out_dir, const DigestProgressFn& progress = {}) const;

 private:
  Store& store_;
  const SearchIndex& index_;
  const Matcher& matcher_;
  const RegionTable& regions_;
  Clock clock_;
  ReaderFactory open_reader_;
};

/// A recipient's digest (the JSON of DigestRunner::recipient) as a self-contained HTML page in its
/// language (lang="zh-CN" or "en"), every text HTML-escaped.
std::string render_digest_html(const nlohmann::json& digest);

/// A file name for a recipient id: ASCII bytes other than letters, digits, '-', '_' and '.' — and
/// a leading '.' — are percent-encoded ("a/b" → "a%2Fb"); UTF-8 sequences are kept ("国网杭州供电公司");
/// names longer than 200 bytes are cut (at a character boundary) and end in "~" and the 16 hex
/// digits of the id's FNV-1a 64-bit hash.
std::string digest_file_name(const std::string& id);

}  // namespace jiebang
