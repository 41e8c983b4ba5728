#pragma once

namespace cora::cli {

// Parses the command line, runs the subcommand, prints any error as one line on stderr, and
// returns the exit code documented in README.md.
int run_app(int argc, char** argv);

}  // namespace cora::cli
