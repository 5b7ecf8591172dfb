// One main for every doctest suite: initializes libsodium before any case runs.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "crypto/keys.hpp"

int main(int argc, char** argv) {
  datdot::crypto_init();
  doctest::Context context(argc, argv);
  return context.run();
}
