// Broken invariants of our own code (never bad input, which gets a
// chain_error): checked in release builds too, and fatal.
#pragma once

#include <cstdio>
#include <cstdlib>

#define DATDOT_INVARIANT(cond)                                                              \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);     \
      std::abort();                                                                         \
    }                                                                                       \
  } while (0)
