// Internal: one thread that runs queued jobs in arrival order — the API's single lane into the
// Service that writes — and a pool of threads for the reads, each thread with its own state.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace jiebang::api {

/// Runs jobs on `threads` threads, in arrival order as threads come free; each job is told which
/// thread (0 … threads − 1) runs it, so that it can use that thread's own state (a read-only
/// Service). Thread-safe.
class WorkerPool {
 public:
  using Job = std::function<void(bool run, size_t worker)>;

  /// `threads` ≥ 1; `max_queued`: jobs waiting at most (running ones not counted).
  WorkerPool(size_t threads, size_t max_queued);
  ~WorkerPool();  ///< stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues a job; false (the job is not taken) when the queue is full or the pool stopped.
  bool post(Job job);
  /// Jobs waiting (not counting running ones).
  size_t queued() const;
  size_t size() const { return threads_.size(); }
  /// Lets the running jobs finish, calls every queued job with run = false, joins the threads.
  /// Later post() calls return false. Idempotent.
  void stop();

 private:
  void loop(size_t worker);

  const size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::once_flag stopped_;
  std::vector<std::thread> threads_;
};

/// Runs jobs one at a time on its own thread: a WorkerPool of one. A job gets `run` = true when it
/// is run normally and false when the executor is stopping (it should then answer without doing
/// the work). Thread-safe.
class SerialExecutor {
 public:
  using Job = std::function<void(bool run)>;

  /// `max_queued`: jobs waiting at most (the running one not counted); post() refuses more.
  explicit SerialExecutor(size_t max_queued) : pool_(1, max_queued) {}

  /// Queues a job; false (the job is not taken) when the queue is full or the executor stopped.
  bool post(Job job) {
    return pool_.post([job = std::move(job)](bool run, size_t) { job(run); });
  }
  /// Jobs waiting (not counting a running one).
  size_t queued() const { return pool_.queued(); }
  /// Lets the running job finish, calls every queued job with run = false, joins the thread.
  /// Later post() calls return false. Idempotent.
  void stop() { pool_.stop(); }

 private:
  WorkerPool pool_;
};

}  // namespace jiebang::api
