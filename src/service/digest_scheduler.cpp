// The weekly digest on a Boost.Asio steady timer.
#include "jiebang/service/digest_scheduler.h"
#include "jiebang/core/log.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "jiebang/core/calendar.h"

namespace jiebang {
namespace {

constexpr std::string_view kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

}  // namespace

Result<DigestSchedule> DigestSchedule::parse(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status::invalid_argument(
        fmt::format("\"{}\": {}; expected a weekday and a time such as \"mon 09:00\"", text, why));
  };
  size_t space = text.find(' ');
  if (space == std::string_view::npos) return bad("no space between weekday and time");
  std::string day(text.substr(0, space));
  std::transform(day.begin(), day.end(), day.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string_view time = text.substr(space + 1);
  DigestSchedule s;
  auto it = std::find(std::begin(kDays), std::end(kDays), day.substr(0, 3));
  if (day.size() == 1 && day[0] >= '1' && day[0] <= '7') s.weekday = static_cast<unsigned>(day[0] - '0');
  else if (day.size() >= 3 && it != std::end(kDays)) s.weekday = static_cast<unsigned>(it - std::begin(kDays)) + 1;
  else return bad("unknown weekday");
  auto digits2 = [](std::string_view d, unsigned& out) {
    if (d.size() != 2 || !std::isdigit(static_cast<unsigned char>(d[0])) || !std::isdigit(static_cast<unsigned char>(d[1])))
      return false;
    out = static_cast<unsigned>((d[0] - '0') * 10 + (d[1] - '0'));
    return true;
  };
  if (time.size() != 5 || time[2] != ':' || !digits2(time.substr(0, 2), s.hour) || !digits2(time.substr(3), s.minute))
    return bad("the time is not HH:MM");
  if (s.hour > 23 || s.minute > 59) return bad("the time is out of range");
  return s;
}

std::string DigestSchedule::to_string() const { return fmt::format("{} {:02d}:{:02d}", kDays[weekday - 1], hour, minute); }

std::chrono::sys_seconds DigestSchedule::due(const IsoWeek& week) const {
  return shanghai_to_utc(week.monday() + std::chrono::days(weekday - 1),
                         std::chrono::hours(hour) + std::chrono::minutes(minute));
}

std::optional<IsoWeek> DigestSchedule::due_week(std::chrono::system_clock::time_point now) const {
  IsoWeek w = IsoWeek::in_shanghai(now);
  if (now >= due(w)) return w;
  return std::nullopt;
}

std::chrono::sys_seconds DigestSchedule::next_due(std::chrono::system_clock::time_point now) const {
  IsoWeek w = IsoWeek::in_shanghai(now);
  return now < due(w) ? due(w) : due(w.next());
}

struct DigestScheduler::Impl {
  DigestSchedule schedule;
  Clock clock;
  IsDoneFn is_done;
  RunFn run;
  std::chrono::seconds retry_after;
  boost::asio::io_context io;
  boost::asio::steady_timer timer{io};
  std::thread thread;
  std::atomic<bool> stopped{false};

  void check() {
    if (stopped) return;
    auto now = clock();
    std::chrono::system_clock::duration wait = schedule.next_due(now) - now;
    // Nothing may escape onto the timer's thread (it would end the process): a throwing check or
    // run is a failed run, retried like one.
    try {
      if (auto week = schedule.due_week(now); week && !is_done(*week)) {
        Status st = run(*week);
        if (!st) wait = retry_after;
      }
    } catch (const std::exception& e) {
      log_event(LogLevel::kError, "digest_check_failed", {{"error", e.what()}, {"effect", "retried later"}});
      wait = retry_after;
    } catch (...) {
      log_event(LogLevel::kError, "digest_check_failed", {{"error", "unknown exception"}, {"effect", "retried later"}});
      wait = retry_after;
    }
    // Wake at the next due time (at least a second from now: clocks of tests may stand still).
    wait = std::max<std::chrono::system_clock::duration>(wait, std::chrono::seconds(1));
    timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(wait));
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) check();
    });
  }
};

DigestScheduler::DigestScheduler(DigestSchedule schedule, Clock clock, IsDoneFn is_done, RunFn run,
                                 std::chrono::seconds retry_after)
    : impl_(std::make_unique<Impl>()) {
  impl_->schedule = schedule;
  impl_->clock = std::move(clock);
  impl_->is_done = std::move(is_done);
  impl_->run = std::move(run);
  impl_->retry_after = retry_after;
}

DigestScheduler::~DigestScheduler() { stop(); }

void DigestScheduler::start() {
  if (impl_->thread.joinable()) return;
  boost::asio::post(impl_->io, [this] { impl_->check(); });
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

void DigestScheduler::stop() {
  if (impl_->stopped.exchange(true)) return;
  boost::asio::post(impl_->io, [this] { impl_->timer.cancel(); });
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace jiebang
