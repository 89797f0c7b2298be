// Runs independent jobs (one per image) on a few threads. Callers keep each
// job's result in its own slot and read the slots in order afterwards, so the
// output never depends on which job finished first.
#pragma once

#include <cstddef>
#include <functional>

namespace fwseal {

// How many threads parallel_for uses for `jobs` jobs: at most one per online
// CPU, at most `cap`, at least 1.
unsigned worker_count(std::size_t jobs, unsigned cap = 4);

// Calls `job(i)` once for every i in [0, n), on worker_count(n, cap) threads
// (the calling thread is one of them). Returns when every job has returned.
// If a job throws, the remaining jobs not yet started are skipped and the
// first exception (by job index) is rethrown here.
void parallel_for(std::size_t n, const std::function<void(std::size_t)>& job, unsigned cap = 4);

}  // namespace fwseal
