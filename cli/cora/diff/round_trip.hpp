#pragma once
// PostgreSQL's deparser is not always a fixed point: a CHECK over a varchar column written as
// `event_type IN ('a', 'b')` prints as `... ARRAY['a'::character varying, ...]::text[]`, and that
// text, run again (by `diff --sql`, or a hand fix), prints with other casts. Such a pair is the
// same constraint; telling it apart from drift needs the server to read both texts again.

#include "cora/diff/compare_schemas.hpp"

namespace cora {

class Connection;

// True when `difference` is a CHECK constraint whose two definitions print the same once each
// is added to a temporary copy of its table (on `scratch`, in a transaction rolled back). False
// for anything else, and when PostgreSQL refuses either text. One round trip per call.
bool same_check_after_round_trip(Connection& scratch, const SchemaDifference& difference);

}  // namespace cora
