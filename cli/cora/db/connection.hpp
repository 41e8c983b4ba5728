#pragma once
// The database layer: a libpq connection. Only this layer includes libpq.
//
// libpq rather than libpqxx 6.4: reporting a migration's failure as file:line:column with
// SQLSTATE, detail and hint needs the error's fields (PG_DIAG_STATEMENT_POSITION and others),
// which libpqxx 6.4 does not expose, and sending a migration in one round trip needs libpq's
// pipeline mode, which libpqxx 6.4 predates.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cora/db/server_error.hpp"

struct pg_conn;

namespace cora {

using Param = std::optional<std::string>;  // nullopt is SQL NULL

class QueryResult {
 public:
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;

  std::size_t column(const std::string& name) const;  // throws std::out_of_range
  const std::optional<std::string>& at(std::size_t row, const std::string& name) const {
    return rows.at(row).at(column(name));
  }
  std::string text(std::size_t row, const std::string& name) const { return at(row, name).value_or(""); }
};

struct PipelineStep {
  std::string sql;
  std::vector<Param> params;
  // The rows are read one at a time and dropped (libpq's single-row mode), so that a migration's
  // own SELECT of millions of rows costs no memory; its QueryResult stays empty.
  bool discard_rows = false;
  // Ends a segment: a Sync follows this step, so the steps after it run in a new implicit
  // transaction even when this segment failed (statements that refuse to run in a transaction,
  // such as DISCARD ALL, need a segment of their own).
  bool sync_after = false;
};

// NOTICE/WARNING messages, bounded: a loop that RAISEs millions of notices must not hold them
// all. Keeps the first and the last kKeep, and counts the ones in between.
class NoticeLog {
 public:
  static constexpr std::size_t kKeep = 100;

  void add(std::string notice);
  // The kept notices in order, with one line saying how many were left out between them.
  std::vector<std::string> take();

 private:
  std::vector<std::string> first_;
  std::vector<std::string> last_;  // a ring of kKeep, oldest at last_start_
  std::size_t last_start_ = 0;
  std::size_t dropped_ = 0;
};

// Where the session stands between round trips (libpq's PQtransactionStatus).
enum class TransactionState { idle, in_transaction, failed_transaction, unknown };

struct PipelineOutcome {
  std::vector<QueryResult> results;        // one per step that ran
  std::optional<std::size_t> failed_step;  // index of the step the server rejected
  std::optional<ServerError> error;
};

// One segment of a pipeline (the steps up to a Sync), as its results arrive.
struct SegmentOutcome {
  std::size_t first_step = 0;              // the segment's steps, numbered as the caller gave them
  std::size_t end_step = 0;                // one past its last step
  std::optional<std::size_t> failed_step;  // the first step of this segment the server rejected
  std::optional<ServerError> error;
  std::vector<QueryResult> results;  // of the segment's steps that ran, in order
};
using SegmentObserver = std::function<void(const SegmentOutcome&)>;

class Connection {
 public:
  // Connects with libpq (URL or key=value; PG* variables, .pgpass, sslmode and service files
  // apply as in psql). Throws cora::Error (connection) with a message free of the password.
  static std::unique_ptr<Connection> open(const std::string& conninfo, std::chrono::milliseconds connect_timeout);
  // As open(), after waiting up to `wait` for the server to accept connections (as pg_isready
  // does): a server that is starting up or not listening yet is retried, a refusal such as a
  // wrong password is not. Throws cora::Error (connection) when the wait runs out.
  static std::unique_ptr<Connection> open_when_ready(const std::string& conninfo,
                                                     std::chrono::milliseconds connect_timeout,
                                                     std::chrono::milliseconds wait);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One statement over the extended protocol (no named prepared statements, so transaction
  // poolers are fine). Throws QueryFailed or ConnectionLost. One round trip.
  QueryResult query(const std::string& sql, const std::vector<Param>& params = {});

  // Any number of statements in one simple-protocol message; rows they return are dropped as
  // they arrive. Throws QueryFailed. One round trip.
  void execute_script(const std::string& sql);

  // Sends every step, then one Sync, and reads the results: one round trip. Steps run in one
  // implicit transaction that commits at the Sync unless a step fails, in which case the rest
  // are skipped and everything rolls back; a step with sync_after closes its segment early, and
  // the next segment runs whatever happened to this one. Throws ConnectionLost.
  // `on_segment` is told about each segment as soon as its results are read, before the next
  // segment's are (progress while a long pipeline runs); what it throws is rethrown once the
  // pipeline has been read to its end, so the connection stays usable.
  PipelineOutcome run_pipeline(const std::vector<PipelineStep>& steps, const SegmentObserver& on_segment = {});

  // Independent reads in one round trip: each segment runs in its own implicit transaction
  // (a failure in one does not skip the others), each bounded by lock_wait, and each gets its
  // own outcome, in order. Not for statements that refuse a transaction block (DISCARD ALL).
  std::vector<SegmentOutcome> run_segments(const std::vector<std::vector<PipelineStep>>& segments);

  // Asks the server to cancel the statement running now (as Ctrl-C does), if any.
  void cancel_running_statement();

  // Bounds every wait for a lock by our own statements (reading history, the catalog, probes):
  // each query and pipeline that starts outside a transaction block sets lock_timeout to `wait`
  // for its own implicit transaction first, in the same round trip. Statements of a migration
  // file inside its own transaction block are not touched.
  void set_lock_wait(std::chrono::milliseconds wait);

  TransactionState transaction_state() const;
  // Ends an open or failed transaction block (ROLLBACK) so the session is idle again.
  void rollback_if_in_transaction();

  // Round trips to the server since connecting (not counting the connection handshake).
  std::size_t round_trips() const noexcept { return round_trips_; }

  // NOTICE/WARNING messages received since the last call (bounded: see NoticeLog).
  std::vector<std::string> take_notices();

  // Makes SIGINT/SIGTERM cancel what this connection runs (see interrupt.hpp).
  void watch_for_interrupts(bool on);

  int server_version() const;

  // Host and port this connection went to, as libpq resolved them.
  std::string host() const;
  std::string port() const;

  // Whether a transaction pooler lends this connection's server session to other clients
  // between transactions (PgBouncer in transaction mode, Supabase's pooler), told by how the
  // session behaves, whatever the port: a session setting made here is looked for from a second
  // connection to the same place (which such a pooler serves from the session this one just
  // released) and here again in a new transaction, with the backend pid each time. Two round
  // trips here, one connection and one round trip there.
  bool server_session_is_lent(std::chrono::milliseconds connect_timeout);

 private:
  explicit Connection(pg_conn* conn);
  void flush_pipeline();

  std::optional<std::string> lock_wait_prelude() const;

  pg_conn* conn_;
  std::size_t round_trips_ = 0;
  std::optional<std::chrono::milliseconds> lock_wait_;
  NoticeLog notices_;
  std::string conninfo_;  // as opened: for a second connection to the same place
};

}  // namespace cora
