// The default sealing codec: a Rabin-Williams trapdoor permutation over a
// 2048-bit modulus N = p*q (p = 3 mod 8, q = 7 mod 8), with per-replica
// ChaCha20 whitening.
//
// A block is whitened with a keystream keyed by the replica and the block
// index, cut into 255-byte chunks x, and each chunk is sealed as the square
// root s of e*f*x mod N, where the tweak e in {1,-1}, f in {1,2} is the one
// that makes it a square (exactly one does, by the choice of p and q).
// A sealed chunk is the tweak byte and s as 256 big-endian bytes: 257 bytes
// per 255, an overhead of 0.8% plus the last chunk's padding: 1.2% for a
// 64 KiB block.
//
// Sealing needs p and q: a square root mod N without the factors is as hard as
// factoring N. Unsealing is one modular squaring plus a tweak: public, exact,
// and several times faster than RSA's e = 65537 verify.
//
// What it does not stop: an encoder colluding with the hoster can re-seal on
// demand (the chain's random encoder choice and periodic reshuffles answer
// that), and an encoder that loses its key cannot re-seal (repair picks a new one).
#pragma once

#include <memory>
#include <optional>

#include "crypto/keys.hpp"
#include "crypto/seal_codec.hpp"

namespace datdot {

namespace rabin_williams {

inline constexpr std::size_t modulus_bits = 2048;
inline constexpr std::size_t modulus_bytes = modulus_bits / 8;
inline constexpr std::size_t chunk_plain_bytes = modulus_bytes - 1;   // < N, always
inline constexpr std::size_t chunk_sealed_bytes = modulus_bytes + 1;  // tweak + root
inline constexpr std::size_t prime_bytes = modulus_bytes / 2;
// Larger blocks are refused (and claimed sizes past it are not sealings): keeps size math exact.
inline constexpr std::size_t block_bytes_max = std::size_t{1} << 30;

// A new key from the operating system's entropy.
std::unique_ptr<sealer> generate();
// A key derived deterministically from a seed (for simulations that must replay).
std::unique_ptr<sealer> from_seed(const key_seed& seed);
// A node's own sealing key, derived from its identity's secret seed (so it is
// as private as node.key and needs no file of its own).
std::unique_ptr<sealer> of_node(const key_pair& identity);
// A key from secret_key_bytes() (p || q, big-endian); checks the primes and their residues.
result<std::unique_ptr<sealer>> from_secret(byte_view secret);
// The public half from public_key_bytes() (N, big-endian).
result<std::unique_ptr<unsealer>> public_from_bytes(byte_view public_key);

// Sealed size of a block of `plain_bytes` (any key).
std::size_t sealed_size(std::size_t plain_bytes) noexcept;

}  // namespace rabin_williams

}  // namespace datdot
