# Warnings for the project's own code only (third-party headers are included as system headers).
add_library(cora_warnings INTERFACE)
target_compile_options(cora_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(CORA_WARNINGS_AS_ERRORS)
  target_compile_options(cora_warnings INTERFACE -Werror)
endif()
