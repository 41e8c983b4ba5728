#include "cora/db/connection.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>

#include <cstring>
#include <exception>
#include <iterator>
#include <stdexcept>
#include <thread>

#include "cora/db/conninfo.hpp"
#include "cora/db/libpq_version.hpp"
#include "cora/db/conninfo_check.hpp"
#include "cora/db/redact_conninfo.hpp"
#include "cora/error.hpp"
#include "cora/util/redact.hpp"

namespace cora {

namespace {

std::string field(const PGresult* result, int code) {
  const char* value = PQresultErrorField(result, code);
  return value ? value : "";
}

ServerError server_error_of(const PGresult* result, const std::string& sql) {
  ServerError e;
  e.statement = statement_head(sql);
  e.sqlstate = field(result, PG_DIAG_SQLSTATE);
  e.message = field(result, PG_DIAG_MESSAGE_PRIMARY);
  e.detail = field(result, PG_DIAG_MESSAGE_DETAIL);
  e.hint = field(result, PG_DIAG_MESSAGE_HINT);
  e.context = field(result, PG_DIAG_CONTEXT);
  const std::string position = field(result, PG_DIAG_STATEMENT_POSITION);
  e.position = position.empty() ? 0 : std::stoi(position);
  if (e.message.empty()) e.message = PQresultErrorMessage(result);
  return e;
}

// libpq's messages end in newlines and may span lines; we print one line.
std::string one_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (auto pos = text.find('\n'); pos != std::string::npos; pos = text.find('\n', pos)) {
    text.replace(pos, 1, "; ");
  }
  return text;
}

bool mentions(const std::string& message, const char* words) { return message.find(words) != std::string::npos; }

// A refused connection comes with no SQLSTATE from libpq, only its message. So the hint is
// chosen first by what libpq does tell us (whether the string parsed, whether the server asked
// for a password it did not get), and only then by the message's words.
std::string connection_hint(pg_conn* conn, const std::string& conninfo, const std::string& message) {
  if (!parse_conninfo(conninfo)) return "write it as postgresql://user@host:5432/dbname or as key=value pairs";
  if (PQconnectionNeedsPassword(conn)) {
    return "the server wants a password: give it in the URL, PGPASSWORD or ~/.pgpass";
  }
  if (mentions(message, "password authentication failed")) {
    return "check the user and password (in the URL, PGPASSWORD or ~/.pgpass)";
  }
  if (mentions(message, "Connection refused") || mentions(message, "No such file or directory")) {
    return "is PostgreSQL running there? check the host and port, and that the server accepts connections";
  }
  if (mentions(message, "translate host name")) return "check the host name in the URL";
  if (mentions(message, "timeout expired")) {
    return "the host did not answer; check the address and network, or raise [timeouts] connect";
  }
  if (mentions(message, "FATAL:  database \"")) return "check the database name";
  if (mentions(message, "FATAL:  role \"")) return "check the user name";
  if (mentions(message, "permission denied for database")) {
    return "the role may not connect to this database: GRANT CONNECT to it, or connect as another role";
  }
  if (mentions(message, "invalid")) return "write it as postgresql://user@host:5432/dbname or as key=value pairs";
  return "check the connection settings";
}

void collect_notice(void* arg, const PGresult* result) {
  auto* notices = static_cast<NoticeLog*>(arg);
  notices->add(fmt::format("{}: {}", field(result, PG_DIAG_SEVERITY), field(result, PG_DIAG_MESSAGE_PRIMARY)));
}

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

QueryResult to_query_result(const PGresult* result) {
  QueryResult out;
  const int columns = PQnfields(result);
  const int rows = PQntuples(result);
  for (int c = 0; c < columns; ++c) out.columns.emplace_back(PQfname(result, c));
  out.rows.reserve(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    auto& row = out.rows.emplace_back();
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(result, r, c)) row.emplace_back(std::nullopt);
      else row.emplace_back(std::string(PQgetvalue(result, r, c), static_cast<std::size_t>(PQgetlength(result, r, c))));
    }
  }
  return out;
}

// What COPY FROM STDIN is told when it asks the client for rows: the server fails the statement
// with this, as a COPY whose data ended early (57014), and the session goes on.
constexpr const char* kNoCopyData =
    "cora-migrate sends no COPY data: load rows with INSERT, or COPY from a server file";

bool is_copy(ExecStatusType status) {
  return status == PGRES_COPY_OUT || status == PGRES_COPY_IN || status == PGRES_COPY_BOTH;
}

// Ends the COPY that `status` started, so that the statement's own result (done, or failed) is
// the next PQgetResult: rows sent to us are read and dropped, as a SELECT's are; a request for
// rows is refused. libpq keeps returning the COPY result until this is done, so a caller that
// only loops on PQgetResult never ends. Blocking reads: a cancel (SIGINT/SIGTERM) ends the
// server's side, and with it the read. Returns false when the connection broke meanwhile.
bool finish_copy(pg_conn* conn, ExecStatusType status) {
  if (status == PGRES_COPY_IN || status == PGRES_COPY_BOTH) {
    if (PQputCopyEnd(conn, kNoCopyData) < 0) return false;
    if (PQflush(conn) < 0) return false;
  }
  if (status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
    for (;;) {
      char* row = nullptr;
      const int length = PQgetCopyData(conn, &row, 0);
      if (row) PQfreemem(row);
      if (length == -1) break;  // the server finished (or failed) the COPY
      if (length == -2) return false;
    }
  }
  return PQstatus(conn) != CONNECTION_BAD;
}

}  // namespace

void NoticeLog::add(std::string notice) {
  if (first_.size() < kKeep) {
    first_.push_back(std::move(notice));
  } else if (last_.size() < kKeep) {
    last_.push_back(std::move(notice));
  } else {
    last_[last_start_] = std::move(notice);
    last_start_ = (last_start_ + 1) % kKeep;
    ++dropped_;
  }
}

std::vector<std::string> NoticeLog::take() {
  std::vector<std::string> out = std::move(first_);
  if (dropped_ > 0) {
    out.push_back(fmt::format("({} more notices not shown; the first and last {} are)", dropped_, kKeep));
  }
  for (std::size_t i = 0; i < last_.size(); ++i) out.push_back(std::move(last_[(last_start_ + i) % last_.size()]));
  *this = NoticeLog();
  return out;
}

std::size_t QueryResult::column(const std::string& name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  throw std::out_of_range("no column " + name + " in result");
}

std::string libpq_version() {
  const int v = PQlibVersion();  // 150005 for 15.5 (since version 10: major * 10000 + minor)
  return fmt::format("{}.{}", v / 10000, v % 10000);
}

std::unique_ptr<Connection> Connection::open(const std::string& conninfo, std::chrono::milliseconds connect_timeout) {
  // Callers that know where the string came from check it first, naming that origin.
  refuse_mistyped_conninfo(conninfo, "the connection string");
  const auto timeout_seconds = std::to_string(std::max<long long>(1, (connect_timeout.count() + 999) / 1000));
  // Our defaults come first so that the same keys in the user's connection string win.
  const char* keywords[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {timeout_seconds.c_str(), "cora-migrate", conninfo.c_str(), nullptr};
  pg_conn* conn = PQconnectdbParams(keywords, values, 1);
  if (!conn) throw Error(ExitCode::connection, "out of memory while connecting");
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string message = one_line(PQerrorMessage(conn));
    const char* password = PQpass(conn);
    const std::string safe = redact_connection_error(message, conninfo, password ? password : "");
    const std::string hint = connection_hint(conn, conninfo, message);
    PQfinish(conn);
    throw Error(ExitCode::connection, fmt::format("cannot connect to {}: {}", redact_conninfo(conninfo), safe), hint);
  }
  std::unique_ptr<Connection> opened(new Connection(conn));
  opened->conninfo_ = conninfo;
  return opened;
}

std::unique_ptr<Connection> Connection::open_when_ready(const std::string& conninfo,
                                                        std::chrono::milliseconds connect_timeout,
                                                        std::chrono::milliseconds wait) {
  // A ping connects too, sending the database name a mistyped string would be taken for.
  refuse_mistyped_conninfo(conninfo, "the connection string");
  if (wait.count() <= 0) return open(conninfo, connect_timeout);
  // Connecting is tried first, so that a server that is up costs one connection, not a ping and
  // then a connection (each is a TCP, TLS and authentication set-up at a distance). Only a
  // failed attempt pings, to tell a server that is not accepting yet (wait) from a refusal that
  // waiting won't fix (a password, a database name: the attempt's own error).
  const auto deadline = std::chrono::steady_clock::now() + wait;
  const char* keywords[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {"2", conninfo.c_str(), nullptr};
  for (;;) {
    try {
      return open(conninfo, connect_timeout);
    } catch (const Error&) {
      const auto ping = PQpingParams(keywords, values, 1);
      // PQPING_OK: the server answers, so it refused us; PQPING_NO_ATTEMPT: a bad string.
      if (ping == PQPING_OK || ping == PQPING_NO_ATTEMPT) throw;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw Error(ExitCode::connection,
                  fmt::format("{} did not accept connections within --wait {}ms", redact_conninfo(conninfo),
                              wait.count()),
                  "is the database starting? wait longer, or check host and port");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

Connection::Connection(pg_conn* conn) : conn_(conn) { PQsetNoticeReceiver(conn_, &collect_notice, &notices_); }

Connection::~Connection() { PQfinish(conn_); }

int Connection::server_version() const { return PQserverVersion(conn_); }

std::string Connection::host() const {
  const char* host = PQhost(conn_);
  return host ? host : "";
}

std::string Connection::port() const {
  const char* port = PQport(conn_);
  return port ? port : "";
}

std::vector<std::string> Connection::take_notices() { return notices_.take(); }

bool Connection::server_session_is_lent(std::chrono::milliseconds connect_timeout) {
  // Unique to this moment and process: no other client's marker can be taken for ours.
  const std::string marker =
      fmt::format("{}-{}", PQbackendPID(conn_), std::chrono::steady_clock::now().time_since_epoch().count());
  const std::string read_back =
      "SELECT pg_catalog.pg_backend_pid()::text AS pid, "
      "coalesce(pg_catalog.current_setting('cora_migrate.session_marker', true), '') AS marker";
  const auto mine = query(
      "SELECT pg_catalog.pg_backend_pid()::text AS pid, "
      "pg_catalog.set_config('cora_migrate.session_marker', $1, false) AS marker",
      {marker});
  const std::string pid = mine.text(0, "pid");
  bool lent = false;
  try {
    const auto other = open(conninfo_, connect_timeout)->query(read_back);
    lent = other.text(0, "pid") == pid || other.text(0, "marker") == marker;
  } catch (const Error&) {
    // No second connection (max_connections, say): this connection's own check below decides.
  }
  const auto again = query(read_back);
  lent = lent || again.text(0, "pid") != pid || again.text(0, "marker") != marker;
  query("SELECT pg_catalog.set_config('cora_migrate.session_marker', '', false)");
  return lent;
}

QueryResult Connection::query(const std::string& sql, const std::vector<Param>& params) {
  if (lock_wait_prelude()) {
    auto outcome = run_pipeline({{sql, params}});
    if (outcome.error) throw QueryFailed(*outcome.error);
    return std::move(outcome.results.at(0));
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  ++round_trips_;
  ResultPtr result(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                                nullptr, 0),
                   &PQclear);
  if (PQstatus(conn_) == CONNECTION_BAD) throw ConnectionLost(one_line(PQerrorMessage(conn_)));
  auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (is_copy(status)) {
    // PQexecParams stops at a COPY; its outcome follows once the COPY is over.
    if (!finish_copy(conn_, status)) throw ConnectionLost(one_line(PQerrorMessage(conn_)));
    result.reset(PQgetResult(conn_));
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
    status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (PQstatus(conn_) == CONNECTION_BAD) throw ConnectionLost(one_line(PQerrorMessage(conn_)));
  }
  if (status == PGRES_BAD_RESPONSE) throw ConnectionLost("the server's answer did not follow the protocol");
  if (status == PGRES_FATAL_ERROR) {
    if (!result) throw ConnectionLost(one_line(PQerrorMessage(conn_)));
    throw QueryFailed(server_error_of(result.get(), sql));
  }
  return to_query_result(result.get());
}

void Connection::set_lock_wait(std::chrono::milliseconds wait) { lock_wait_ = wait; }

std::optional<std::string> Connection::lock_wait_prelude() const {
  if (!lock_wait_ || transaction_state() != TransactionState::idle) return std::nullopt;
  return fmt::format("SELECT pg_catalog.set_config('lock_timeout', '{}ms', true)", lock_wait_->count());
}

TransactionState Connection::transaction_state() const {
  switch (PQtransactionStatus(conn_)) {
    case PQTRANS_IDLE: return TransactionState::idle;
    case PQTRANS_INTRANS: return TransactionState::in_transaction;
    case PQTRANS_INERROR: return TransactionState::failed_transaction;
    default: return TransactionState::unknown;
  }
}

void Connection::rollback_if_in_transaction() {
  const auto state = transaction_state();
  if (state == TransactionState::in_transaction || state == TransactionState::failed_transaction) {
    execute_script("ROLLBACK");
  }
}

void Connection::execute_script(const std::string& sql) {
  ++round_trips_;
  // PQexec would buffer every row of every statement before returning.
  if (!PQsendQuery(conn_, sql.c_str())) throw ConnectionLost(one_line(PQerrorMessage(conn_)));
  PQsetSingleRowMode(conn_);
  std::optional<ServerError> failure;
  while (PGresult* raw = PQgetResult(conn_)) {
    ResultPtr result(raw, &PQclear);
    const auto status = PQresultStatus(result.get());
    if (status == PGRES_FATAL_ERROR && !failure) failure = server_error_of(result.get(), sql);
    if (status == PGRES_BAD_RESPONSE) throw ConnectionLost("the server's answer did not follow the protocol");
    // The COPY's own outcome, and the statements after it, are the next results.
    if (is_copy(status) && !finish_copy(conn_, status)) throw ConnectionLost(one_line(PQerrorMessage(conn_)));
  }
  if (PQstatus(conn_) == CONNECTION_BAD) throw ConnectionLost(one_line(PQerrorMessage(conn_)));
  if (failure) throw QueryFailed(std::move(*failure));
}

// Writes the whole output buffer, reading input meanwhile so that a server that answers
// while we still send can never fill both socket buffers and deadlock us.
void Connection::flush_pipeline() {
  for (;;) {
    const int pending = PQflush(conn_);
    if (pending == 0) return;
    if (pending < 0) throw ConnectionLost(one_line(PQerrorMessage(conn_)));
    pollfd fd{PQsocket(conn_), POLLIN | POLLOUT, 0};
    if (poll(&fd, 1, -1) < 0 && errno != EINTR) throw ConnectionLost(std::strerror(errno));
    if ((fd.revents & POLLIN) && !PQconsumeInput(conn_)) throw ConnectionLost(one_line(PQerrorMessage(conn_)));
  }
}

PipelineOutcome Connection::run_pipeline(const std::vector<PipelineStep>& requested,
                                         const SegmentObserver& on_segment) {
  // The lock-wait prelude rides in front of the first segment; its result is not reported.
  // The prelude is step 0 without a copy of the requested steps: a file's statements are most
  // of a big file's memory already.
  const auto prelude = lock_wait_prelude();
  const PipelineStep prelude_step{prelude.value_or(std::string()), {}};
  const std::size_t hidden = prelude ? 1 : 0;
  struct StepsWithPrelude {
    const PipelineStep& prelude;
    const std::vector<PipelineStep>& requested;
    std::size_t hidden;
    std::size_t size() const { return requested.size() + hidden; }
    const PipelineStep& operator[](std::size_t i) const { return i < hidden ? prelude : requested[i - hidden]; }
  };
  const StepsWithPrelude steps{prelude_step, requested, hidden};

  if (PQenterPipelineMode(conn_) != 1 || PQsetnonblocking(conn_, 1) != 0) {
    throw ConnectionLost(one_line(PQerrorMessage(conn_)));
  }
  ++round_trips_;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto& step = steps[i];
    std::vector<const char*> values;
    for (const auto& p : step.params) values.push_back(p ? p->c_str() : nullptr);
    if (!PQsendQueryParams(conn_, step.sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                           nullptr, 0)) {
      throw ConnectionLost(one_line(PQerrorMessage(conn_)));
    }
    if (step.sync_after && i + 1 < steps.size() && !PQpipelineSync(conn_)) {
      throw ConnectionLost(one_line(PQerrorMessage(conn_)));
    }
  }
  if (!PQpipelineSync(conn_)) throw ConnectionLost(one_line(PQerrorMessage(conn_)));
  flush_pipeline();
  PQsetnonblocking(conn_, 0);

  auto read_sync = [&] {
    ResultPtr sync(PQgetResult(conn_), &PQclear);
    if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) {
      throw ConnectionLost(one_line(PQerrorMessage(conn_)));
    }
  };
  auto caller_index = [&](std::size_t i) { return i < hidden ? 0 : i - hidden; };
  PipelineOutcome outcome;
  SegmentOutcome segment;
  std::exception_ptr observer_failure;
  auto end_segment = [&](std::size_t end) {
    segment.end_step = end;
    if (on_segment && !observer_failure) {
      try {
        on_segment(segment);
      } catch (...) {
        observer_failure = std::current_exception();
      }
    }
    std::move(segment.results.begin(), segment.results.end(), std::back_inserter(outcome.results));
    segment = SegmentOutcome{};
    segment.first_step = end;
  };
  for (std::size_t i = 0; i < steps.size(); ++i) {
    // Allowed in pipeline mode for the query whose results come next, before any of them is read.
    if (steps[i].discard_rows) PQsetSingleRowMode(conn_);
    ResultPtr result(PQgetResult(conn_), &PQclear);
    while (result && PQresultStatus(result.get()) == PGRES_SINGLE_TUPLE) result.reset(PQgetResult(conn_));
    if (!result) throw ConnectionLost(one_line(PQerrorMessage(conn_)));
    if (is_copy(PQresultStatus(result.get()))) {
      // COPY TO STDOUT: its rows are dropped and the pipeline goes on with the COPY's outcome.
      // COPY FROM STDIN cannot be refused within a pipeline (the server takes the queued
      // statements for COPY data and ends the session): migrate refuses such files before
      // sending anything, and other callers see the connection lost, never a loop.
      if (!finish_copy(conn_, PQresultStatus(result.get()))) throw ConnectionLost(one_line(PQerrorMessage(conn_)));
      result.reset(PQgetResult(conn_));
      if (!result) throw ConnectionLost(one_line(PQerrorMessage(conn_)));
    }
    const auto status = PQresultStatus(result.get());
    if (status == PGRES_BAD_RESPONSE || status == PGRES_PIPELINE_SYNC || is_copy(status)) {
      // A Sync's result where a statement's was due, or a second COPY: the replies are out of
      // step with what was sent, and nothing read from here on could be trusted.
      throw ConnectionLost(
          fmt::format("the server's replies are out of step with the pipeline ({})", PQresStatus(status)));
    }
    if (status == PGRES_FATAL_ERROR && PQstatus(conn_) == CONNECTION_BAD) {
      throw ConnectionLost(one_line(PQerrorMessage(conn_)));
    }
    if (status == PGRES_FATAL_ERROR && !segment.error) {
      segment.failed_step = caller_index(i);
      segment.error = server_error_of(result.get(), steps[i].sql);
      if (!outcome.error) {
        outcome.failed_step = segment.failed_step;
        outcome.error = segment.error;
      }
    } else if (status != PGRES_PIPELINE_ABORTED && status != PGRES_FATAL_ERROR && i >= hidden) {
      segment.results.push_back(steps[i].discard_rows ? QueryResult{} : to_query_result(result.get()));
    }
    // Each query's results end with a null result.
    ResultPtr end(PQgetResult(conn_), &PQclear);
    if (end) throw ConnectionLost("unexpected extra result in pipeline");
    if (steps[i].sync_after && i + 1 < steps.size()) {
      read_sync();
      end_segment(caller_index(i) + 1);
    }
  }
  read_sync();
  end_segment(requested.size());
  if (PQexitPipelineMode(conn_) != 1) throw ConnectionLost(one_line(PQerrorMessage(conn_)));
  if (observer_failure) std::rethrow_exception(observer_failure);
  return outcome;
}

std::vector<SegmentOutcome> Connection::run_segments(const std::vector<std::vector<PipelineStep>>& segments) {
  // The first segment gets run_pipeline's lock-wait prelude; every later one starts a new
  // implicit transaction and needs its own, whose result is dropped below.
  const auto prelude = lock_wait_prelude();
  std::vector<PipelineStep> steps;
  std::vector<std::size_t> leading;  // per segment: how many prelude steps lead it (0 or 1)
  for (std::size_t s = 0; s < segments.size(); ++s) {
    if (segments[s].empty()) throw std::logic_error("run_segments: an empty segment");
    leading.push_back(s > 0 && prelude ? 1 : 0);
    if (leading.back() == 1) steps.push_back({*prelude, {}});
    steps.insert(steps.end(), segments[s].begin(), segments[s].end());
    steps.back().sync_after = true;
  }
  std::vector<SegmentOutcome> outcomes;
  run_pipeline(steps, [&](const SegmentOutcome& segment) {
    const std::size_t s = outcomes.size();
    SegmentOutcome mine;
    mine.end_step = segments.at(s).size();
    mine.error = segment.error;
    // Numbered within the segment as the caller gave it; a failed prelude counts as its first step.
    if (segment.failed_step) {
      const std::size_t at = *segment.failed_step - segment.first_step;
      mine.failed_step = at < leading[s] ? 0 : at - leading[s];
    }
    const bool prelude_ran = leading[s] == 1 && !(segment.failed_step && *segment.failed_step == segment.first_step);
    mine.results.assign(segment.results.begin() + (prelude_ran ? 1 : 0), segment.results.end());
    outcomes.push_back(std::move(mine));
  });
  return outcomes;
}

void Connection::cancel_running_statement() {
  std::unique_ptr<PGcancel, decltype(&PQfreeCancel)> cancel(PQgetCancel(conn_), &PQfreeCancel);
  char error[256];
  if (cancel) PQcancel(cancel.get(), error, sizeof error);
}

}  // namespace cora
