// Internal: one thread that runs queued jobs in arrival order — the API's single lane into the
// Service that writes — and a pool of threads for the reads, each thread with its own state.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace jiebang::api {

/// How a queued job is called: to run, or to answer without running because the pool is stopping
/// or the job's deadline passed while it waited.
enum class JobFate { kRun, kStopping, kExpired };

/// Runs jobs on `threads` threads, in arrival order as threads come free; each job is told which
/// thread (0 … threads − 1) runs it, so that it can use that thread's own state (a read-only
/// Service). A job whose deadline passes while it waits is taken off the queue at that moment and
/// called with JobFate::kExpired (on the pool's timer thread; `worker` is then meaningless), so
/// that its client is answered at the deadline, not when a thread comes free (an import holding
/// the write lane for a minute made the queued writes' 503 come at twice the deadline).
/// Thread-safe.
class WorkerPool {
 public:
  using Clock = std::chrono::steady_clock;
  using Job = std::function<void(JobFate fate, size_t worker)>;

  /// `threads` ≥ 1; `max_queued`: jobs waiting at most (running ones not counted).
  WorkerPool(size_t threads, size_t max_queued);
  ~WorkerPool();  ///< stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues a job to start by `deadline` (else it is called with kExpired); false (the job is not
  /// taken) when the queue is full or the pool stopped.
  bool post(Job job, Clock::time_point deadline = Clock::time_point::max());
  /// Jobs waiting (not counting running ones).
  size_t queued() const;
  size_t size() const { return threads_.size(); }
  /// Lets the running jobs finish, calls every queued job with kStopping, joins the threads.
  /// Later post() calls return false. Idempotent.
  void stop();

 private:
  struct Queued {
    Job job;
    Clock::time_point deadline;
  };
  void loop(size_t worker);
  void expire_loop();

  const size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable expiry_cv_;  ///< wakes the timer thread: a job with a deadline, or stop
  std::deque<Queued> queue_;
  std::thread expiry_thread_;
  bool stopping_ = false;
  std::once_flag stopped_;
  std::vector<std::thread> threads_;
};

/// Runs jobs one at a time on its own thread: a WorkerPool of one. A job gets JobFate::kRun when it
/// is run normally, else kStopping or kExpired (it should then answer without doing the work).
/// Thread-safe.
class SerialExecutor {
 public:
  using Job = std::function<void(JobFate fate)>;

  /// `max_queued`: jobs waiting at most (the running one not counted); post() refuses more.
  explicit SerialExecutor(size_t max_queued) : pool_(1, max_queued) {}

  /// Queues a job to start by `deadline`; false (the job is not taken) when the queue is full or
  /// the executor stopped.
  bool post(Job job, WorkerPool::Clock::time_point deadline = WorkerPool::Clock::time_point::max()) {
    return pool_.post([job = std::move(job)](JobFate fate, size_t) { job(fate); }, deadline);
  }
  /// Jobs waiting (not counting a running one).
  size_t queued() const { return pool_.queued(); }
  /// Lets the running job finish, calls every queued job with kStopping, joins the thread.
  /// Later post() calls return false. Idempotent.
  void stop() { pool_.stop(); }

 private:
  WorkerPool pool_;
};

}  // namespace jiebang::api
