#include "storage/feed_export.hpp"

#include <algorithm>

#include "protocol/feed_export.pb.h"
#include "protocol/feed_limits.hpp"

namespace datdot::storage {

namespace {

constexpr std::uint32_t format_version = 1;

void put_u32le(std::ostream& out, std::uint32_t v) {
  const char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 24)};
  out.write(b, 4);
}

result<std::uint32_t> get_u32le(std::istream& in, const std::string& what) {
  unsigned char b[4];
  if (!in.read(reinterpret_cast<char*>(b), 4))
    return make_error(errc::corrupt_data, "export file is truncated in " + what);
  return static_cast<std::uint32_t>(b[0] | b[1] << 8 | b[2] << 16 | static_cast<std::uint32_t>(b[3]) << 24);
}

result<bytes> read_exact(std::istream& in, std::size_t n, const std::string& what) {
  bytes out(n);
  if (n > 0 && !in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(n)))
    return make_error(errc::corrupt_data, "export file is truncated in " + what);
  return out;
}

template <std::size_t N>
result<std::array<byte, N>> fixed(const std::string& field, const char* name) {
  if (field.size() != N)
    return make_error(errc::corrupt_data, std::string{"export header field "} + name + " must be " +
                                              std::to_string(N) + " bytes");
  std::array<byte, N> out;
  std::copy(field.begin(), field.end(), out.begin());
  return out;
}

// Import with a known header: blocks go in batches without a head; the head is
// written only once the signature verifies, and on any failure the partial feed is erased.
result<feed> import_blocks(const feed_store& store, std::istream& in,
                           const wire::feed_export_header& header, const progress_fn& progress) {
  DATDOT_TRY(signer, fixed<32>(header.public_key(), "public_key"));
  const auto mode = header.compat() ? signing_mode::compat : signing_mode::manifest_v1;
  DATDOT_TRY(sig, fixed<64>(header.signature(), "signature"));
  if (header.length() > feed_limits::length_max)
    return make_error(errc::corrupt_data, "export header claims an implausible length");

  const feed_identity identity{signer, mode};
  const auto dk = identity.discovery_key();
  DATDOT_TRY(existing, store.head(dk));
  if (existing) return make_error(errc::already_exists, "this feed exists already in the target");

  merkle_tree tree;
  std::vector<bytes> batch;
  std::vector<tree_node> nodes;
  std::size_t batch_bytes = 0;
  std::uint64_t first = 0;
  auto flush = [&]() -> result<void> {
    DATDOT_CHECK(store.write(dk, first, batch, append_tail{std::move(nodes), std::nullopt}));
    first += batch.size();
    batch.clear();
    nodes.clear();
    batch_bytes = 0;
    if (progress) progress(first, header.length());
    return ok;
  };
  auto body = [&]() -> result<void> {
    for (std::uint64_t i = 0; i < header.length(); ++i) {
      const auto what = "block " + std::to_string(i) + " of " + std::to_string(header.length());
      DATDOT_TRY(size, get_u32le(in, what));
      if (size > feed_limits::block_bytes_max)
        return make_error(errc::corrupt_data, what + " claims " + std::to_string(size) +
                                                  " bytes, more than the block limit");
      DATDOT_TRY(block, read_exact(in, size, what));
      tree.append(block, nodes);
      batch_bytes += block.size();
      batch.push_back(std::move(block));
      if (batch_bytes >= feed_limits::batch_bytes_max) DATDOT_CHECK(flush());
    }
    if (in.peek() != std::char_traits<char>::eof())
      return make_error(errc::corrupt_data, "export file has bytes after its last block");
    if (!identity.verify_tree(tree.hash(), tree.length(), header.fork(), sig))
      return make_error(errc::verification_failed, "the export's signature does not match its blocks");
    feed_head head{signer, mode, tree.length(), tree.byte_length(), header.fork(), sig};
    DATDOT_CHECK(flush());
    return store.write(dk, first, {}, append_tail{{}, head});
  };
  if (auto r = body(); !r) {
    (void)store.erase(dk);  // best effort: the feed has no head, so leftovers are invisible anyway
    return r.err();
  }
  return feed::open(store, dk);
}

}  // namespace

result<void> export_feed(const feed& f, std::ostream& out, const progress_fn& progress) {
  wire::feed_export_header header;
  header.set_format_version(format_version);
  header.set_public_key(std::string(f.head().signer.begin(), f.head().signer.end()));
  header.set_compat(f.identity().mode() == signing_mode::compat);
  header.set_length(f.head().length);
  header.set_fork(f.head().fork);
  header.set_signature(std::string(f.head().sig.begin(), f.head().sig.end()));
  const std::string encoded = header.SerializeAsString();

  out.write(export_magic.data(), export_magic.size());
  put_u32le(out, static_cast<std::uint32_t>(encoded.size()));
  out.write(encoded.data(), static_cast<std::streamsize>(encoded.size()));
  for (std::uint64_t i = 0; i < f.head().length; ++i) {
    DATDOT_TRY(block, f.get(i));
    put_u32le(out, static_cast<std::uint32_t>(block.size()));
    out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(block.size()));
    if (progress && (i % 1024 == 1023 || i + 1 == f.head().length)) progress(i + 1, f.head().length);
  }
  out.flush();
  if (!out) return make_error(errc::io_error, "writing the export file failed");
  return ok;
}

result<feed> import_feed(const feed_store& store, std::istream& in, const progress_fn& progress) {
  std::array<char, 8> magic{};
  if (!in.read(magic.data(), magic.size()) || magic != export_magic)
    return make_error(errc::corrupt_data, "not a datdot feed export (bad magic)");
  DATDOT_TRY(header_size, get_u32le(in, "the header length"));
  if (header_size > feed_limits::export_header_bytes_max)
    return make_error(errc::corrupt_data, "export header is too large");
  DATDOT_TRY(raw, read_exact(in, header_size, "the header"));
  wire::feed_export_header header;
  if (!header.ParseFromArray(raw.data(), static_cast<int>(raw.size())))
    return make_error(errc::corrupt_data, "export header does not parse");
  if (header.format_version() != format_version)
    return make_error(errc::corrupt_data,
                      "unsupported export format version " + std::to_string(header.format_version()));
  return import_blocks(store, in, header, progress);
}

}  // namespace datdot::storage
