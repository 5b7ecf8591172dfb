// The portable feed file (`datdot feed export` / `import`): a magic, a
// length-prefixed protobuf header (protocol/feed_export.proto) with the
// signer, mode, length, fork and signature, then each block as u32le length
// + bytes. Import trusts nothing: sizes are bounded, the count must match the
// header and the signature must verify before the feed becomes visible.
#pragma once

#include <functional>
#include <istream>
#include <ostream>

#include "storage/feed_store.hpp"

namespace datdot::storage {

inline constexpr std::array<char, 8> export_magic{'D', 'A', 'T', 'D', 'O', 'T', 'F', '1'};

// Called with (blocks done, blocks total) while a long export or import runs.
using progress_fn = std::function<void(std::uint64_t, std::uint64_t)>;

result<void> export_feed(const feed& f, std::ostream& out, const progress_fn& progress = {});

// Imports into a store that does not hold this feed yet; returns the opened feed.
result<feed> import_feed(const feed_store& store, std::istream& in, const progress_fn& progress = {});

}  // namespace datdot::storage
