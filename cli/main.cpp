#include "commands/app.hpp"

int main(int argc, char** argv) { return cora::cli::run_app(argc, argv); }
