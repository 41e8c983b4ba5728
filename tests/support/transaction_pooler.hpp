#pragma once
// A real PgBouncer in transaction mode in front of the test cluster, on 127.0.0.1, as
// Supabase's pooler is on port 6543 (or on a free port: kAnyFreePort). Stopped with the object.

#include <string>

#include "support/scratch_dir.hpp"

namespace cora::test {

class TransactionPooler {
 public:
  static constexpr int kAnyFreePort = 0;
  explicit TransactionPooler(int port = 6543);
  ~TransactionPooler();
  TransactionPooler(const TransactionPooler&) = delete;
  TransactionPooler& operator=(const TransactionPooler&) = delete;

  // A URL to `dbname` through the pooler.
  std::string url(const std::string& dbname) const;
  int port() const { return port_; }

 private:
  ScratchDir dir_{"cora-test-pooler"};
  int port_;
};

}  // namespace cora::test
