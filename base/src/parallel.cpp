#include "fwseal/base/parallel.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <vector>

namespace fwseal {

unsigned worker_count(std::size_t jobs, unsigned cap) {
  long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  std::size_t n = std::min<std::size_t>({jobs, cpus > 0 ? static_cast<std::size_t>(cpus) : 1, cap});
  return n == 0 ? 1u : static_cast<unsigned>(n);
}

void parallel_for(std::size_t n, const std::function<void(std::size_t)>& job, unsigned cap) {
  if (n == 0) return;
  const unsigned threads = worker_count(n, cap);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::exception_ptr> errors(n);
  auto work = [&] {
    for (std::size_t i; !failed.load() && (i = next.fetch_add(1)) < n;) {
      try {
        job(i);
      } catch (...) {
        errors[i] = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace fwseal
