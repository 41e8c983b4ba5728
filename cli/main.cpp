#include "commands/app.hpp"
#include "cora/util/large_stack.hpp"

int main(int argc, char** argv) {
  return cora::run_with_large_stack([&] { return cora::cli::run_app(argc, argv); });
}
