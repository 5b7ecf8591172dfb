#include "storage/fetch_progress.hpp"

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>

#include "crypto/blake2b.hpp"
#include "storage/posix_file.hpp"

namespace datdot::storage {
namespace {

constexpr std::array<byte, 8> magic{'d', 'a', 't', 'd', 'o', 't', 'P', '1'};  // progress, version 1
constexpr std::size_t checksum_bytes = 32;

template <std::size_t N>
void put(bytes& out, const std::array<byte, N>& a) {
  out.insert(out.end(), a.begin(), a.end());
}

template <std::size_t N>
std::array<byte, N> take(const byte*& p) {
  std::array<byte, N> a{};
  std::copy_n(p, N, a.begin());
  p += N;
  return a;
}

std::uint64_t take_u64(const byte*& p) {
  const auto v = get_u64le(p);
  p += 8;
  return v;
}

std::string head_text(const feed_head& h) {
  return "length " + std::to_string(h.length) + ", " + std::to_string(h.byte_size) + " bytes, tree " +
         to_hex(h.tree_hash).substr(0, 16);
}

resume_point fresh(std::string why) { return {0, 0, std::move(why)}; }

}  // namespace

bytes encode_fetch_progress(const fetch_progress& p) {
  bytes out;
  out.reserve(fetch_progress_size_bytes);
  put(out, magic);
  put(out, p.head.feed.bytes);
  put_u64le(out, p.head.length);
  put_u64le(out, p.head.byte_size);
  put(out, p.head.tree_hash);
  put_u64le(out, p.blocks);
  put_u64le(out, p.bytes);
  put(out, blake2b_256(out));
  return out;
}

result<fetch_progress> decode_fetch_progress(byte_view data) {
  const auto corrupt = [](const std::string& why) { return make_error(errc::corrupt_data, why); };
  if (data.size() != fetch_progress_size_bytes)
    return corrupt("a progress record has " + std::to_string(fetch_progress_size_bytes) + " bytes, not " +
                   std::to_string(data.size()));
  if (!std::equal(magic.begin(), magic.end(), data.begin())) return corrupt("not a progress record (magic)");
  const auto body = data.first(fetch_progress_size_bytes - checksum_bytes);
  const auto sum = blake2b_256(body);
  if (!std::equal(sum.begin(), sum.end(), data.begin() + static_cast<std::ptrdiff_t>(body.size())))
    return corrupt("the progress record's checksum does not match");
  const byte* p = data.data() + magic.size();
  fetch_progress r;
  r.head.feed.bytes = take<32>(p);
  r.head.length = take_u64(p);
  r.head.byte_size = take_u64(p);
  r.head.tree_hash = take<32>(p);
  r.blocks = take_u64(p);
  r.bytes = take_u64(p);
  if (r.blocks > r.head.length || r.bytes > r.head.byte_size)
    return corrupt("the progress record counts " + std::to_string(r.blocks) + " blocks, " + std::to_string(r.bytes) +
                   " bytes of a feed of " + std::to_string(r.head.length) + ", " +
                   std::to_string(r.head.byte_size));
  return r;
}

resume_point choose_resume_point(const feed_head& head, const result<fetch_progress>& record,
                                 std::optional<std::uint64_t> part_size_bytes) {
  if (!record && record.err().code == errc::not_found)
    return fresh(part_size_bytes ? "the partial file has no progress record" : "");
  if (!record) return fresh("the progress record is unreadable: " + record.err().message);
  const auto& was = record->head;
  if (was.feed != head.feed) return fresh("the progress record is for another feed, " + to_hex(was.feed.bytes));
  if (was != head)
    return fresh("the feed's head changed: the progress record is for " + head_text(was) + ", the chain has " +
                 head_text(head));
  if (!part_size_bytes) return fresh("the partial file named by the progress record is missing");
  if (*part_size_bytes < record->bytes)
    return fresh("the partial file holds " + std::to_string(*part_size_bytes) + " bytes, fewer than the " +
                 std::to_string(record->bytes) + " recorded");
  return {record->blocks, record->bytes, ""};
}

result<fetch_progress> read_fetch_progress(const std::filesystem::path& path) {
  unique_fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.get() < 0 && errno == ENOENT) return make_error(errc::not_found, "no progress record at " + path.string());
  if (fd.get() < 0) return os_error("open", path, errno);
  DATDOT_TRY(data, read_up_to(fd.get(), fetch_progress_size_bytes + 1, path));
  return decode_fetch_progress(data);
}

result<void> write_fetch_progress(const std::filesystem::path& path, const fetch_progress& p) {
  auto temp = path;
  temp += ".tmp";
  DATDOT_CHECK(write_synced(temp, encode_fetch_progress(p), true));
  if (::rename(temp.c_str(), path.c_str()) != 0) return os_error("rename " + temp.string() + " to", path, errno);
  return ok;
}

}  // namespace datdot::storage
