// One stage of a pipeline on a thread of its own, fed through a bounded
// queue: the caller pushes jobs in order and gets finished ones back to refill,
// so a few buffers go round instead of being allocated per job. Used where
// two or three kinds of per-byte work (hashing, AES-GCM, writing) run side by
// side on one stream: packaging an encrypted image, extracting one.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "fwseal/base/error.h"

namespace fwseal {

template <typename Job>
class Worker {
 public:
  using Fn = std::function<Status(Job&)>;
  // `in_flight`: how many jobs may wait in the queue before push() blocks;
  // 0: push() waits until the worker is idle (one job at a time, in hand).
  explicit Worker(Fn fn, std::size_t in_flight = 2)
      : fn_(std::move(fn)), in_flight_(in_flight), thread_([this] { run(); }) {}
  // Abandons the jobs not yet started and waits for the one running.
  ~Worker() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Queues `job` (waiting while the queue is full) and returns a finished job
  // to reuse, or a default one while none is finished. Once a job failed,
  // the worker has stopped and push() returns that first failure.
  Result<Job> push(Job job) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] {
      return (in_flight_ > 0 ? queue_.size() < in_flight_ : queue_.empty() && !running_) || failure_ || done_;
    });
    if (failure_) return *failure_;
    if (done_) return make_error(Code::internal, "a job was pushed to a finished worker");
    queue_.push_back(std::move(job));
    Job next{};
    if (!spare_.empty()) {
      next = std::move(spare_.back());
      spare_.pop_back();
    }
    lock.unlock();
    cv_.notify_all();
    return next;
  }

  // Waits until every job pushed is done: the first failure, or ok. The
  // worker takes no jobs after this.
  Status finish() {
    std::unique_lock lock(mu_);
    closed_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return done_; });
    if (failure_) return *failure_;
    return ok_status();
  }

 private:
  void run() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stop_ || closed_ || !queue_.empty(); });
        if (stop_ || failure_ || queue_.empty()) break;
        job = std::move(queue_.front());
        queue_.pop_front();
        running_ = true;
      }
      cv_.notify_all();
      Status s = ok_status();
      try {
        s = fn_(job);
      } catch (const std::exception& e) {  // an allocation failure
        s = make_error(Code::internal, std::string("worker thread failed: ") + e.what());
      }
      std::lock_guard lock(mu_);
      running_ = false;
      if (!s.ok() && !failure_) failure_ = std::move(s).error();
      spare_.push_back(std::move(job));
      cv_.notify_all();
    }
    std::lock_guard lock(mu_);
    done_ = true;
    cv_.notify_all();
  }

  Fn fn_;
  const std::size_t in_flight_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  std::vector<Job> spare_;
  std::optional<Error> failure_;
  bool running_ = false;  // a job is in fn_
  bool closed_ = false;   // no more jobs: finish the queue
  bool stop_ = false;     // abandoned: stop now
  bool done_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace fwseal
