#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <optional>
#include <string>

#include "cora/util/subprocess.hpp"
#include "support/scratch_dir.hpp"

using cora::Subprocess;

namespace {

// `script` run by /bin/sh, which every machine the tests run on has.
Subprocess::Result run_shell_script(const std::string& script, const Subprocess::Options& options = {}) {
  return Subprocess::run({"/bin/sh", "-c", script}, options);
}

}  // namespace

TEST_CASE("Subprocess: the exit code, and stdout and stderr apart") {
  const auto r = run_shell_script("echo out; echo err >&2; echo more; exit 3");
  CHECK(r.exit_code == 3);
  CHECK(r.signal == 0);
  CHECK(r.out == "out\nmore\n");
  CHECK(r.err == "err\n");
  CHECK(run_shell_script("true").exit_code == 0);
}

TEST_CASE("Subprocess: merged output keeps the order it was written in") {
  Subprocess::Options options;
  options.output = Subprocess::Output::merged;
  const auto r = run_shell_script("echo a; echo b >&2; echo c", options);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "a\nb\nc\n");
  CHECK(r.err.empty());
}

TEST_CASE("Subprocess: much output on both streams at once does not block it") {
  // More than a pipe holds on each stream, so reading one only would leave the child stuck.
  const auto r = run_shell_script(
      "/usr/bin/head -c 300000 /dev/zero; /usr/bin/head -c 200000 /dev/zero >&2; "
      "/usr/bin/head -c 300000 /dev/zero");
  CHECK(r.exit_code == 0);
  CHECK(r.out.size() == 600000);
  CHECK(r.err.size() == 200000);
}

TEST_CASE("Subprocess: the working folder") {
  const cora::test::ScratchDir dir;
  Subprocess::Options options;
  options.cwd = dir.path();
  const auto r = run_shell_script("pwd -P", options);
  CHECK(r.exit_code == 0);
  CHECK(r.out == std::filesystem::canonical(dir.path()).string() + "\n");

  options.cwd = dir.path() / "missing";
  CHECK(run_shell_script("true", options).exit_code == 126);
}

TEST_CASE("Subprocess: environment added to and taken from ours") {
  REQUIRE(setenv("CORA_SUBPROCESS_TEST_KEPT", "kept", 1) == 0);
  REQUIRE(setenv("CORA_SUBPROCESS_TEST_GONE", "here", 1) == 0);
  Subprocess::Options options;
  options.env = {{"CORA_SUBPROCESS_TEST_NEW", "new"}, {"CORA_SUBPROCESS_TEST_GONE", std::nullopt}};
  const auto r = run_shell_script(
      "echo \"$CORA_SUBPROCESS_TEST_KEPT ${CORA_SUBPROCESS_TEST_GONE-unset} $CORA_SUBPROCESS_TEST_NEW\"", options);
  unsetenv("CORA_SUBPROCESS_TEST_KEPT");
  unsetenv("CORA_SUBPROCESS_TEST_GONE");
  CHECK(r.out == "kept unset new\n");
}

TEST_CASE("Subprocess: stdin from a file") {
  const cora::test::ScratchDir dir;
  Subprocess::Options options;
  options.stdin_file = dir.write("in.txt", "given\n");
  CHECK(Subprocess::run({"/bin/cat"}, options).out == "given\n");
  options.stdin_file = dir.path() / "missing.txt";
  CHECK(Subprocess::run({"/bin/cat"}, options).exit_code == 126);
}

TEST_CASE("Subprocess: a child killed by a signal exits 128 + that signal") {
  const auto r = run_shell_script("kill -TERM $$");
  CHECK(r.exit_code == 128 + SIGTERM);
  CHECK(r.signal == SIGTERM);

  auto running = Subprocess::start({"/bin/sleep", "30"});
  REQUIRE(running.pid() > 0);
  REQUIRE(kill(running.pid(), SIGKILL) == 0);
  const auto killed = running.wait();
  CHECK(killed.exit_code == 128 + SIGKILL);
  CHECK(killed.signal == SIGKILL);
  CHECK(running.pid() == -1);
  CHECK(running.wait().exit_code == -1);  // once only
}

TEST_CASE("Subprocess: a program that is not there exits 127") {
  const auto r = Subprocess::run({"/nonexistent/cora-subprocess-test"});
  CHECK(r.exit_code == 127);
  CHECK(r.signal == 0);
}

TEST_CASE("Subprocess: on a terminal, stdin, stdout and stderr are all the terminal") {
  Subprocess::Options options;
  options.output = Subprocess::Output::terminal;
  const auto r = run_shell_script("test -t 0 && test -t 1 && test -t 2 && echo tty && echo err >&2", options);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "tty\r\nerr\r\n");  // the terminal turns \n into \r\n
}

TEST_CASE("Subprocess: one never waited for is killed and reaped") {
  pid_t pid = -1;
  {
    auto running = Subprocess::start({"/bin/sleep", "30"});
    pid = running.pid();
    REQUIRE(pid > 0);
  }
  CHECK(kill(pid, 0) != 0);
  CHECK(errno == ESRCH);
}

TEST_CASE("Subprocess: a child given only its own environment sees none of ours") {
  REQUIRE(setenv("CORA_SUBPROCESS_TEST_SECRET", "hidden", 1) == 0);
  Subprocess::Options options;
  options.inherit_environment = false;
  options.env = {{"ONLY", "this"}};
  const auto r = Subprocess::run({"/usr/bin/env"}, options);
  unsetenv("CORA_SUBPROCESS_TEST_SECRET");
  CHECK(r.out == "ONLY=this\n");
}

TEST_CASE("run_process: initdb and pg_ctl get the minimal environment, not ours") {
  REQUIRE(setenv("PGPASSWORD", "cora-run-process-secret", 1) == 0);
  const auto r = cora::run_process({"/usr/bin/env"}, std::nullopt);
  unsetenv("PGPASSWORD");
  CHECK(r.output.find("cora-run-process-secret") == std::string::npos);
  CHECK(r.output.find("LC_ALL=C\n") != std::string::npos);
  CHECK(r.output.find("PATH=/usr/local/bin:/usr/bin:/bin\n") != std::string::npos);
}
