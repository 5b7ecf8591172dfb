#include "protocol/chain/extrinsic.hpp"

#include "crypto/blake2b.hpp"
#include "protocol/chain/chain_limits.hpp"
#include "protocol/chain/signing_domain.hpp"

namespace datdot {
namespace {

template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
// clang 14 (the fuzz build) lacks C++20 aggregate deduction.
template <class... F>
overloaded(F...) -> overloaded<F...>;

void encode_call(canonical_writer& w, const call& c) {
  w.u8(static_cast<std::uint8_t>(c.index()));
  std::visit(overloaded{
                 [&](const register_node& x) {
                   encode(w, x.roles);
                   w.u64(x.capacity_bytes).text(x.bus_address);
                   w.u8(static_cast<std::uint8_t>(x.seal_codec)).blob(x.seal_key);
                 },
                 [&](const unregister_node&) {},
                 [&](const transfer_ratio& x) { w.fixed(x.to.key).u64(x.amount.units); },
                 [&](const publish_feed& x) {
                   w.fixed(x.signer).u8(static_cast<std::uint8_t>(x.mode)).u64(x.length).u64(x.fork);
                   w.u64(x.byte_size).fixed(x.tree_hash).fixed(x.tree_signature).u32(x.replicas);
                 },
                 [&](const join_validators&) {},
                 [&](const leave_validators&) {},
                 [&](const report_equivocation& x) {
                   encode(w, x.first);
                   encode(w, x.second);
                 },
                 [&](const report_double_vote& x) {
                   encode(w, x.first);
                   encode(w, x.second);
                 },
                 [&](const submit_replica_root& x) {
                   w.fixed(x.feed.bytes).u32(x.replica).fixed(x.tree_hash).u64(x.length);
                 },
                 [&](const submit_storage_proof& x) {
                   w.u64(x.challenge).u64(x.proof.index).blob(x.proof.sealed).u64(x.proof.plain_bytes);
                   encode(w, x.proof.replica_path);
                   encode(w, x.proof.replica_roots);
                   encode(w, x.proof.feed_path);
                   encode(w, x.feed_roots);
                 },
                 [&](const submit_attestation& x) {
                   w.u64(x.challenge).u8(x.served ? 1 : 0).u32(x.latency_ms).u64(x.bytes_per_second);
                 },
                 [&](const back_feed& x) { w.fixed(x.feed.bytes).u64(x.amount.units); },
                 [&](const update_feed& x) {
                   w.fixed(x.feed.bytes);
                   encode(w, x.roots);
                   w.u64(x.length);
                   encode(w, x.upgrade);
                   w.fixed(x.tree_signature);
                 },
                 [&](const dispute_sealing& x) {
                   w.fixed(x.feed.bytes).u32(x.replica).u64(x.index).blob(x.sealed).fixed(x.encoder_signature);
                   encode(w, x.original);
                   encode(w, x.original_path);
                   encode(w, x.feed_roots);
                 },
                 [&](const dispute_replica_root& x) {
                   w.fixed(x.feed.bytes).u32(x.replica).fixed(x.commitment.tree_hash).u64(x.commitment.length);
                   w.fixed(x.encoder_signature);
                 },
                 [&](const report_withheld_sealing& x) { w.fixed(x.feed.bytes).u32(x.replica).u64(x.received); },
             },
             c);
}

call decode_call(canonical_reader& r) {
  switch (r.u8()) {
    case 0: {
      register_node x;
      x.roles = decode_role_set(r);
      x.capacity_bytes = r.u64();
      x.bus_address = r.text(chain_limits::bus_address_bytes_max);
      x.seal_codec = static_cast<seal_codec_id>(r.u8());
      const auto key = r.blob(chain_limits::seal_key_bytes_max);
      x.seal_key.assign(key.begin(), key.end());
      return x;
    }
    case 1: return unregister_node{};
    case 2: {
      transfer_ratio x;
      x.to.key = r.fixed<32>();
      x.amount.units = r.u64();
      return x;
    }
    case 3: {
      publish_feed x;
      x.signer = r.fixed<32>();
      x.mode = decode_enum(r, signing_mode::compat, "signing mode");
      x.length = r.u64();
      x.fork = r.u64();
      x.byte_size = r.u64();
      x.tree_hash = r.fixed<32>();
      x.tree_signature = r.fixed<64>();
      x.replicas = r.u32();
      return x;
    }
    case 4: return join_validators{};
    case 5: return leave_validators{};
    case 6: {
      report_equivocation x;
      x.first = decode_signed_header(r);
      x.second = decode_signed_header(r);
      return x;
    }
    case 7: {
      report_double_vote x;
      x.first = decode_signed_vote(r);
      x.second = decode_signed_vote(r);
      return x;
    }
    case 8: {
      submit_replica_root x;
      x.feed.bytes = r.fixed<32>();
      x.replica = r.u32();
      x.tree_hash = r.fixed<32>();
      x.length = r.u64();
      return x;
    }
    case 9: {
      submit_storage_proof x;
      x.challenge = r.u64();
      x.proof.index = r.u64();
      const auto sealed = r.blob(chain_limits::storage_proof_sealed_bytes_max);
      x.proof.sealed.assign(sealed.begin(), sealed.end());
      x.proof.plain_bytes = r.u64();
      x.proof.replica_path = decode_tree_nodes(r);
      x.proof.replica_roots = decode_tree_nodes(r);
      x.proof.feed_path = decode_tree_nodes(r);
      x.feed_roots = decode_tree_nodes(r);
      return x;
    }
    case 10: {
      submit_attestation x;
      x.challenge = r.u64();
      x.served = r.boolean();
      x.latency_ms = r.u32();
      x.bytes_per_second = r.u64();
      return x;
    }
    case 11: {
      back_feed x;
      x.feed.bytes = r.fixed<32>();
      x.amount.units = r.u64();
      return x;
    }
    case 12: {
      update_feed x;
      x.feed.bytes = r.fixed<32>();
      x.roots = decode_tree_nodes(r);
      x.length = r.u64();
      x.upgrade = decode_tree_nodes(r);
      x.tree_signature = r.fixed<64>();
      return x;
    }
    case 13: {
      dispute_sealing x;
      x.feed.bytes = r.fixed<32>();
      x.replica = r.u32();
      x.index = r.u64();
      const auto sealed = r.blob(chain_limits::storage_proof_sealed_bytes_max);
      x.sealed.assign(sealed.begin(), sealed.end());
      x.encoder_signature = r.fixed<64>();
      x.original = decode_tree_node(r);
      x.original_path = decode_tree_nodes(r);
      x.feed_roots = decode_tree_nodes(r);
      return x;
    }
    case 14: {
      dispute_replica_root x;
      x.feed.bytes = r.fixed<32>();
      x.replica = r.u32();
      x.commitment.tree_hash = r.fixed<32>();
      x.commitment.length = r.u64();
      x.encoder_signature = r.fixed<64>();
      return x;
    }
    case 15: {
      report_withheld_sealing x;
      x.feed.bytes = r.fixed<32>();
      x.replica = r.u32();
      x.received = r.u64();
      return x;
    }
    default:
      r.fail("unknown call tag");
      return unregister_node{};
  }
}
static_assert(std::variant_size_v<call> == 16, "a new call kind needs its tag in decode_call");

bytes payload(const account_id& signer, std::uint64_t nonce, const call& body) {
  canonical_writer w;
  w.fixed(signer.key).u64(nonce);
  encode_call(w, body);
  return w.take();
}

}  // namespace

std::size_t extrinsic_bytes_max_of(const call& c) {
  if (std::holds_alternative<submit_storage_proof>(c) || std::holds_alternative<dispute_sealing>(c))
    return chain_limits::extrinsic_bytes_max;
  if (std::holds_alternative<update_feed>(c)) return chain_limits::feed_update_bytes_max;
  return chain_limits::small_extrinsic_bytes_max;
}

bytes signed_payload(const extrinsic& x) { return payload(x.signer, x.nonce, x.body); }

extrinsic make_extrinsic(const chain_id& chain, const key_pair& signer, std::uint64_t nonce, call body) {
  extrinsic x{account_id{signer.pk}, nonce, std::move(body), {}};
  x.sig = sign(signing_message(signing_domain::extrinsic, chain, payload(x.signer, x.nonce, x.body)), signer.sk);
  return x;
}

bool verify_extrinsic_signature(const extrinsic& x, const chain_id& chain) {
  return verify(signing_message(signing_domain::extrinsic, chain, signed_payload(x)), x.sig, x.signer.key);
}

void encode(canonical_writer& w, const extrinsic& x) {
  w.raw(signed_payload(x)).fixed(x.sig);
}

bytes encode_extrinsic(const extrinsic& x) {
  canonical_writer w;
  encode(w, x);
  return w.take();
}

chain_result<extrinsic> decode_extrinsic(byte_view in) {
  if (in.size() > chain_limits::extrinsic_bytes_max)
    return chain_fail(chain_errc::oversize, "extrinsic of " + std::to_string(in.size()) + " bytes");
  canonical_reader r{in};
  extrinsic x;
  x.signer.key = r.fixed<32>();
  x.nonce = r.u64();
  x.body = decode_call(r);
  x.sig = r.fixed<64>();
  DATDOT_CHAIN_CHECK(r.finish());
  if (in.size() > extrinsic_bytes_max_of(x.body))
    return chain_fail(chain_errc::oversize, "extrinsic of " + std::to_string(in.size()) + " bytes for its kind");
  return x;
}

hash32 hash_of(const extrinsic& x) { return blake2b_256(encode_extrinsic(x)); }

}  // namespace datdot
