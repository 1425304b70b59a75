// A pool of worker threads running queued jobs in arrival order (SerialExecutor is a pool of one),
// with a timer thread that answers the jobs whose deadline passes while they wait.
#include "serial_executor.h"

#include <algorithm>

namespace jiebang::api {

WorkerPool::WorkerPool(size_t threads, size_t max_queued) : max_queued_(max_queued) {
  for (size_t i = 0; i < std::max<size_t>(1, threads); ++i) threads_.emplace_back([this, i] { loop(i); });
  expiry_thread_ = std::thread([this] { expire_loop(); });
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::post(Job job, Clock::time_point deadline) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(Queued{std::move(job), deadline});
  }
  cv_.notify_one();
  if (deadline != Clock::time_point::max()) expiry_cv_.notify_one();
  return true;
}

size_t WorkerPool::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void WorkerPool::stop() {
  std::call_once(stopped_, [this] {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    expiry_cv_.notify_all();
    for (auto& t : threads_)
      if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
    if (expiry_thread_.joinable() && expiry_thread_.get_id() != std::this_thread::get_id()) expiry_thread_.join();
  });
}

void WorkerPool::loop(size_t worker) {
  for (;;) {
    Queued next;
    JobFate fate = JobFate::kRun;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      next = std::move(queue_.front());
      queue_.pop_front();
      if (stopping_) fate = JobFate::kStopping;
      else if (Clock::now() > next.deadline) fate = JobFate::kExpired;
    }
    next.job(fate, worker);
  }
}

void WorkerPool::expire_loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    Clock::time_point earliest = Clock::time_point::max();
    for (const auto& q : queue_) earliest = std::min(earliest, q.deadline);
    if (earliest == Clock::time_point::max()) {
      expiry_cv_.wait(lock);
      continue;
    }
    if (expiry_cv_.wait_until(lock, earliest) == std::cv_status::no_timeout) continue;  // re-scan
    std::vector<Job> expired;
    Clock::time_point now = Clock::now();
    for (auto it = queue_.begin(); it != queue_.end();) {
      if (it->deadline <= now) {
        expired.push_back(std::move(it->job));
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
    lock.unlock();
    for (auto& job : expired) job(JobFate::kExpired, 0);
    lock.lock();
  }
}

}  // namespace jiebang::api
