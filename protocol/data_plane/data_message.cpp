#include "protocol/data_plane/data_message.hpp"

#include "protocol/bus_limits.hpp"
#include "protocol/chain/canonical_encoding.hpp"
#include "protocol/chain/chain_limits.hpp"

namespace datdot {

// The bus bounds a data frame's payload by this library's bound, without depending on it.
static_assert(data_limits::message_bytes_max == bus_limits::data_payload_bytes_max);
// Node lists decode through the chain's decode_tree_nodes, which has its own bound.
static_assert(data_limits::nodes_max == chain_limits::storage_proof_nodes_max);

namespace {

void encode_body(canonical_writer& w, const feed_blocks_request& x) {
  w.fixed(x.feed.bytes).u64(x.first).u32(x.count).u64(x.length);
}

void encode_body(canonical_writer& w, const replica_roots_request& x) {
  w.fixed(x.feed.bytes).u32(x.replica).u64(x.length);
}

void encode_body(canonical_writer& w, const replica_roots& x) { encode(w, x.roots); }

void encode_item(canonical_writer& w, const block_proof& x) {
  w.u64(x.index).blob(x.value);
  encode(w, x.nodes);
}

void encode_item(canonical_writer& w, const sealed_block& x) {
  w.blob(x.sealed).u64(x.plain_bytes);
  encode(w, x.feed_path);
  w.fixed(x.encoder_signature);
}

template <class T>
void encode_list(canonical_writer& w, const std::vector<T>& items) {
  w.u32(static_cast<std::uint32_t>(items.size()));
  for (const auto& x : items) encode_item(w, x);
}

void encode_body(canonical_writer& w, const feed_blocks& x) {
  encode(w, x.roots);
  encode_list(w, x.blocks);
}

void encode_body(canonical_writer& w, const replica_push& x) {
  w.fixed(x.feed.bytes).u32(x.replica).u64(x.first);
  encode(w, x.feed_roots);
  encode_list(w, x.blocks);
  w.fixed(x.replica_after.tree_hash).u64(x.replica_after.length).fixed(x.commitment_signature);
}

void encode_body(canonical_writer& w, const replica_ack& x) { w.u64(x.next); }

void encode_body(canonical_writer& w, const data_refusal& x) { w.text(x.reason); }

bytes copy_of(byte_view v) { return bytes(v.begin(), v.end()); }

block_proof decode_block_proof(canonical_reader& r) {
  block_proof x;
  x.index = r.u64();
  x.value = copy_of(r.blob(chain_limits::storage_proof_plain_bytes_max));
  x.nodes = decode_tree_nodes(r);
  return x;
}

sealed_block decode_sealed_block(canonical_reader& r) {
  sealed_block x;
  x.sealed = copy_of(r.blob(chain_limits::storage_proof_sealed_bytes_max));
  x.plain_bytes = r.u64();
  x.feed_path = decode_tree_nodes(r);
  x.encoder_signature = r.fixed<64>();
  return x;
}

// The count is checked before anything is allocated for it.
template <class T>
std::vector<T> decode_list(canonical_reader& r, T (*decode_item)(canonical_reader&)) {
  const auto n = r.u32();
  if (n > data_limits::blocks_per_message_max) r.fail("too many blocks");
  std::vector<T> out;
  for (std::uint32_t i = 0; i < n && !r.failed(); ++i) out.push_back(decode_item(r));
  return out;
}

data_message decode_body(canonical_reader& r) {
  switch (r.u8()) {
    case 0: {
      feed_blocks_request x;
      x.feed.bytes = r.fixed<32>();
      x.first = r.u64();
      x.count = r.u32();
      if (x.count > data_limits::blocks_per_message_max) r.fail("asks for too many blocks");
      x.length = r.u64();
      return x;
    }
    case 1: {
      feed_blocks x;
      x.roots = decode_tree_nodes(r);
      x.blocks = decode_list(r, decode_block_proof);
      return x;
    }
    case 2: {
      replica_push x;
      x.feed.bytes = r.fixed<32>();
      x.replica = r.u32();
      x.first = r.u64();
      x.feed_roots = decode_tree_nodes(r);
      x.blocks = decode_list(r, decode_sealed_block);
      x.replica_after.tree_hash = r.fixed<32>();
      x.replica_after.length = r.u64();
      x.commitment_signature = r.fixed<64>();
      return x;
    }
    case 3: return replica_ack{r.u64()};
    case 4: return data_refusal{r.text(data_limits::reason_bytes_max)};
    case 5: {
      replica_roots_request x;
      x.feed.bytes = r.fixed<32>();
      x.replica = r.u32();
      x.length = r.u64();
      return x;
    }
    case 6: return replica_roots{decode_tree_nodes(r)};
    default:
      r.fail("unknown data message tag");
      return replica_ack{};
  }
}
static_assert(std::variant_size_v<data_message> == 7, "a new data message kind needs its tag in decode_body");

}  // namespace

bytes encode_data_message(const data_message& m) {
  canonical_writer w;
  w.u8(static_cast<std::uint8_t>(m.index()));
  std::visit([&](const auto& x) { encode_body(w, x); }, m);
  return w.take();
}

chain_result<data_message> decode_data_message(byte_view in) {
  if (in.size() > data_limits::message_bytes_max)
    return chain_fail(chain_errc::oversize, "data message of " + std::to_string(in.size()) + " bytes");
  canonical_reader r{in};
  auto m = decode_body(r);
  DATDOT_CHAIN_CHECK(r.finish());
  return m;
}

}  // namespace datdot
