#pragma once

namespace cora::test {

// How many assertions have failed so far in this test process. A scratch folder compares it
// with the count at its creation to know whether the test that used it failed.
int failed_assertions();

}  // namespace cora::test
