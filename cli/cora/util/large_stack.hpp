#pragma once
// Runs a function on a thread with a large stack, and waits for it.
//
// Parse trees are printed by libpg_query, and read and walked by us, recursively. The nesting
// is bounded (sql/nesting.hpp), but the bound is deeper than the 8 MB a main thread
// usually gets. Pages of the stack are only used when touched, so the size costs address
// space, not memory.

#include <cstddef>
#include <functional>

namespace cora {

// Enough for kMaxNesting levels, with room to spare, in sanitized debug builds too.
constexpr std::size_t kLargeStackBytes = std::size_t{1} << 30;

// Runs `work` on a thread with `stack_bytes` of stack and returns what it returns; an exception
// it throws is rethrown here. Runs `work` on the calling thread if no such thread can be made.
int run_with_large_stack(const std::function<int()>& work, std::size_t stack_bytes = kLargeStackBytes);

}  // namespace cora
