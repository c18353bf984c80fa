// The Lean Kernel Arena's tests (leanprover/lean-kernel-arena, tests/), rebuilt term by term
// with builder.hpp: each case states the Arena test it mirrors, the expected outcome, and
// why a checker could get it wrong.
#include "builder.hpp"

using namespace lbtest;
