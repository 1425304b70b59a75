// Internal: one thread that runs queued jobs in arrival order — the API's single lane into the
// Service, which is not thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace jiebang::api {

/// Runs jobs one at a time on its own thread. A job gets `run` = true when it is run normally
/// and false when the executor is stopping (it should then answer without doing the work).
/// Thread-safe.
class SerialExecutor {
 public:
  using Job = std::function<void(bool run)>;

  /// `max_queued`: jobs waiting at most (the running one not counted); post() refuses more.
  explicit SerialExecutor(size_t max_queued);
  ~SerialExecutor();  ///< stop()
  SerialExecutor(const SerialExecutor&) = delete;
  SerialExecutor& operator=(const SerialExecutor&) = delete;

  /// Queues a job; false (the job is not taken) when the queue is full or the executor stopped.
  bool post(Job job);
  /// Jobs waiting (not counting a running one).
  size_t queued() const;
  /// Lets the running job finish, calls every queued job with run = false, joins the thread.
  /// Later post() calls return false. Idempotent.
  void stop();

 private:
  void loop();

  const size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::once_flag stopped_;
  std::thread thread_;
};

}  // namespace jiebang::api
