// The digest schedule (weekday + time, Asia/Shanghai) and the timer that runs it.
#include <atomic>
#include <chrono>
#include <new>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "jiebang/service/digest_scheduler.h"

namespace jiebang {
namespace {

using namespace std::chrono_literals;
using std::chrono::sys_days;
using std::chrono::sys_seconds;

sys_seconds utc(int y, unsigned m, unsigned d, int h, int min = 0) {
  return sys_seconds(sys_days(std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d})) +
         std::chrono::hours(h) + std::chrono::minutes(min);
}

TEST(DigestSchedule, ParsesWeekdayAndTime) {
  auto s = DigestSchedule::parse("mon 09:00");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->weekday, 1u);
  EXPECT_EQ(s->hour, 9u);
  EXPECT_EQ(s->to_string(), "mon 09:00");
  EXPECT_EQ(DigestSchedule::parse("Friday 17:30")->to_string(), "fri 17:30");
  EXPECT_EQ(DigestSchedule::parse("7 23:59")->to_string(), "sun 23:59");
  for (const char* bad : {"", "mon", "mon 9:00", "mon 24:00", "mon 09:60", "xyz 09:00", "8 09:00", "mon 09-00"})
    EXPECT_FALSE(DigestSchedule::parse(bad)) << bad;
}

TEST(DigestSchedule, DueTimesAreShanghaiLocal) {
  auto s = *DigestSchedule::parse("mon 09:00");
  // Monday 2026-11-23 09:00 in Shanghai is 01:00 UTC.
  EXPECT_EQ(s.due(*IsoWeek::parse("2026-W48")), utc(2026, 11, 23, 1));
  EXPECT_FALSE(s.due_week(utc(2026, 11, 23, 0, 59)));  // 08:59 Shanghai: not yet
  EXPECT_EQ(s.due_week(utc(2026, 11, 23, 1))->to_string(), "2026-W48");
  EXPECT_EQ(s.due_week(utc(2026, 11, 29, 15, 59))->to_string(), "2026-W48");  // Sunday 23:59 Shanghai
  EXPECT_FALSE(s.due_week(utc(2026, 11, 29, 16)));  // Monday 00:00 of W49 in Shanghai, before 09:00
  EXPECT_EQ(s.next_due(utc(2026, 11, 23, 0)), utc(2026, 11, 23, 1));
  EXPECT_EQ(s.next_due(utc(2026, 11, 23, 1)), utc(2026, 11, 30, 1));
  auto sunday = *DigestSchedule::parse("sun 23:30");  // 15:30 UTC the same day
  EXPECT_EQ(sunday.due(*IsoWeek::parse("2026-W48")), utc(2026, 11, 29, 15, 30));
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds limit = 5000ms) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

TEST(DigestScheduler, RunsTheDueWeekOnceAndSkipsItWhenDone) {
  auto now = std::chrono::system_clock::time_point(utc(2026, 11, 23, 1, 5));  // Monday 09:05 Shanghai
  std::atomic<int> runs{0};
  std::atomic<bool> done{false};
  std::string ran_week;
  DigestScheduler scheduler(*DigestSchedule::parse("mon 09:00"), [now] { return now; },
                            [&](const IsoWeek&) { return done.load(); },
                            [&](const IsoWeek& w) {
                              ran_week = w.to_string();
                              ++runs;
                              done = true;
                              return Status::ok();
                            });
  scheduler.start();
  ASSERT_TRUE(eventually([&] { return runs.load() == 1; }));
  std::this_thread::sleep_for(1200ms);  // the timer wakes again after a second: the week is done
  scheduler.stop();
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(ran_week, "2026-W48");
}

TEST(DigestScheduler, DoesNotRunBeforeTheDueTime) {
  auto now = std::chrono::system_clock::time_point(utc(2026, 11, 23, 0, 30));  // Monday 08:30 Shanghai
  std::atomic<int> runs{0};
  DigestScheduler scheduler(*DigestSchedule::parse("mon 09:00"), [now] { return now; },
                            [](const IsoWeek&) { return false; }, [&](const IsoWeek&) {
                              ++runs;
                              return Status::ok();
                            });
  scheduler.start();
  std::this_thread::sleep_for(300ms);
  scheduler.stop();  // the timer (due in 30 minutes) is cancelled: stop does not wait for it
  EXPECT_EQ(runs.load(), 0);
}

TEST(DigestScheduler, RetriesAFailedRun) {
  auto now = std::chrono::system_clock::time_point(utc(2026, 11, 23, 2));
  std::atomic<int> runs{0};
  DigestScheduler scheduler(
      *DigestSchedule::parse("mon 09:00"), [now] { return now; }, [&](const IsoWeek&) { return runs.load() >= 2; },
      [&](const IsoWeek&) {
        ++runs;
        return runs.load() == 1 ? Status::unavailable("disk full") : Status::ok();
      },
      std::chrono::seconds(1));
  scheduler.start();
  EXPECT_TRUE(eventually([&] { return runs.load() == 2; }));
  scheduler.stop();
  EXPECT_EQ(runs.load(), 2);
}

// Regression (issue 16): an exception from the check or the run escaped onto the timer's
// io_context thread and ended the process. Now it is a failed run, retried.
TEST(DigestScheduler, AThrowingCheckOrRunIsRetriedNotFatal) {
  auto now = std::chrono::system_clock::time_point(utc(2026, 11, 23, 2));
  std::atomic<int> checks{0}, runs{0};
  DigestScheduler scheduler(
      *DigestSchedule::parse("mon 09:00"), [now] { return now; },
      [&](const IsoWeek&) -> bool {
        if (++checks == 1) throw std::runtime_error("database is locked");
        return runs.load() >= 2;
      },
      [&](const IsoWeek&) -> Status {
        if (++runs == 1) throw std::bad_alloc();
        return Status::ok();
      },
      std::chrono::seconds(1));
  scheduler.start();
  EXPECT_TRUE(eventually([&] { return runs.load() == 2; }));
  scheduler.stop();
  EXPECT_EQ(runs.load(), 2);
  EXPECT_GE(checks.load(), 3);
}

}  // namespace
}  // namespace jiebang
