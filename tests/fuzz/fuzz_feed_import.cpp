// libFuzzer target: arbitrary bytes as a feed export file. Import must refuse
// or accept them with an error value — never crash, over-allocate or leave a
// half-imported feed visible.
#include <sstream>

#include "crypto/keys.hpp"
#include "storage/feed_export.hpp"
#include "support/temp_dir.hpp"

using namespace datdot;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool ready = (crypto_init(), true);
  static storage::testing::temp_dir dir;
  static auto env = storage::environment::open({.dir = dir.path(), .durable = false}).value();
  static auto store = storage::feed_store::open(env).value();
  (void)ready;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  auto imported = storage::import_feed(store, in);
  const auto visible = store.discovery_keys().value();
  if (imported) {
    if (!imported->verify_all()) __builtin_trap();  // an accepted import must be a valid feed
    (void)store.erase(imported->identity().discovery_key());
  } else if (!visible.empty()) {
    __builtin_trap();  // a refused import left a feed behind
  }
  return 0;
}
