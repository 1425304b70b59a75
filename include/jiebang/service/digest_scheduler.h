// The weekly digest on a timer: `jiebang serve` runs it itself at a configured weekday and hour.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "jiebang/core/status.h"
#include "jiebang/digest/digest.h"

namespace jiebang {

/// When the weekly digest runs: a weekday and time of day in Asia/Shanghai (UTC+8, no DST).
struct DigestSchedule {
  unsigned weekday = 1;  ///< ISO 8601 weekday: 1 Monday … 7 Sunday
  unsigned hour = 9;     ///< 0–23
  unsigned minute = 0;   ///< 0–59

  /// Parses "mon 09:00" (weekday: mon tue wed thu fri sat sun, or 1–7; time HH:MM, 24-hour).
  /// Errors: kInvalidArgument saying what is wrong.
  static Result<DigestSchedule> parse(std::string_view text);
  /// "mon 09:00"
  std::string to_string() const;
  /// When the digest of `week` is due (UTC).
  std::chrono::sys_seconds due(const IsoWeek& week) const;
  /// The week whose digest is due at `now`: this Shanghai week once its due time has passed,
  /// else nullopt (the previous week's run, if it was missed, is left to `jiebang digest`).
  std::optional<IsoWeek> due_week(std::chrono::system_clock::time_point now) const;
  /// The next due time after `now`.
  std::chrono::sys_seconds next_due(std::chrono::system_clock::time_point now) const;
};

/// Runs the digest on a Boost.Asio steady timer in a thread of its own. At start and at each due
/// time it runs the due week unless `is_done` says it is finished; a failed run — a Status, or an
/// exception from `is_done` or `run`, which never reaches the timer's thread — is retried after
/// `retry_after`. Times come from the injected clock; the timer waits real time.
class DigestScheduler {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  using IsDoneFn = std::function<bool(const IsoWeek&)>;
  using RunFn = std::function<Status(const IsoWeek&)>;

  DigestScheduler(DigestSchedule schedule, Clock clock, IsDoneFn is_done, RunFn run,
                  std::chrono::seconds retry_after = std::chrono::minutes(10));
  /// Stops (see stop()).
  ~DigestScheduler();
  DigestScheduler(const DigestScheduler&) = delete;
  DigestScheduler& operator=(const DigestScheduler&) = delete;

  /// Starts the timer thread; the first check is immediate.
  void start();
  /// Cancels the timer and joins the thread; a digest being computed is let finish (it is
  /// resumable, but finishing keeps the stop clean). Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jiebang
