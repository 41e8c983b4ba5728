#include "cora/util/large_stack.hpp"

#include <pthread.h>

#include <exception>

namespace cora {

namespace {

struct Job {
  const std::function<int()>* work = nullptr;
  int result = 0;
  std::exception_ptr failure;
};

void* run_job(void* arg) {
  auto* job = static_cast<Job*>(arg);
  try {
    job->result = (*job->work)();
  } catch (...) {
    job->failure = std::current_exception();
  }
  return nullptr;
}

}  // namespace

int run_with_large_stack(const std::function<int()>& work, std::size_t stack_bytes) {
  Job job;
  job.work = &work;
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return work();
  pthread_t thread;
  const bool started =
      pthread_attr_setstacksize(&attr, stack_bytes) == 0 && pthread_create(&thread, &attr, &run_job, &job) == 0;
  pthread_attr_destroy(&attr);
  if (!started) return work();
  pthread_join(thread, nullptr);
  if (job.failure) std::rethrow_exception(job.failure);
  return job.result;
}

}  // namespace cora
