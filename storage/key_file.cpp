#include "storage/key_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "storage/posix_file.hpp"

namespace datdot::storage {

namespace {

constexpr std::string_view public_label = "public ";
constexpr std::string_view secret_label = "secret ";

std::string format_key_file(const key_pair& keys) {
  return std::string{public_label} + to_hex(keys.pk) + "\n" + std::string{secret_label} + to_hex(keys.sk) + "\n";
}

std::string_view take_line(std::string_view& rest) {
  const auto end = rest.find('\n');
  const std::string_view line = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
  return line;
}

result<key_pair> parse_key_file(std::string_view text, const std::filesystem::path& path) {
  const auto corrupt = [&](const std::string& why) {
    return make_error(errc::corrupt_data, "key file " + path.string() + ": " + why);
  };
  const std::string_view public_line = take_line(text);
  const std::string_view secret_line = take_line(text);
  if (!text.empty()) return corrupt("unexpected text after the secret line");
  if (!public_line.starts_with(public_label)) return corrupt("the first line must be 'public <hex>'");
  if (!secret_line.starts_with(secret_label)) return corrupt("the second line must be 'secret <hex>'");

  const auto pk = from_hex_fixed<32>(public_line.substr(public_label.size()));
  if (!pk) return corrupt("public key: " + pk.err().message);
  const auto sk = from_hex_fixed<64>(secret_line.substr(secret_label.size()));
  if (!sk) return corrupt("secret key: " + sk.err().message);

  key_seed seed{};
  std::copy_n(sk->begin(), seed.size(), seed.begin());
  const key_pair derived = key_pair_from_seed(seed);
  if (derived.pk != *pk || derived.sk != *sk) return corrupt("the public key does not belong to the secret key");
  return derived;
}

result<void> refuse_open_permissions(const struct stat& st, const std::filesystem::path& path) {
  if (!S_ISREG(st.st_mode))
    return make_error(errc::invalid_argument, "key file " + path.string() + " is not a regular file");
  if ((st.st_mode & 077) == 0) return ok;
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return make_error(errc::invalid_argument, std::string{"permissions "} + mode + " for key file " + path.string() +
                                                " are too open: it must be accessible by its owner only (chmod 600)");
}

result<std::string> read_bounded(int fd, const std::filesystem::path& path) {
  DATDOT_TRY(raw, read_up_to(fd, key_file_size_max_bytes + 1, path));
  if (raw.size() > key_file_size_max_bytes)
    return make_error(errc::corrupt_data, "key file " + path.string() + " is larger than " +
                                              std::to_string(key_file_size_max_bytes) + " bytes");
  return std::string{raw.begin(), raw.end()};
}

}  // namespace

result<key_pair> load_key_file(const std::filesystem::path& path) {
  unique_fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.get() < 0 && errno == ENOENT) return make_error(errc::not_found, "no key file at " + path.string());
  if (fd.get() < 0) return os_error("open", path, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return os_error("stat", path, errno);
  DATDOT_CHECK(refuse_open_permissions(st, path));
  DATDOT_TRY(text, read_bounded(fd.get(), path));
  return parse_key_file(text, path);
}

result<void> write_key_file(const std::filesystem::path& path, const key_pair& keys) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec))
    return make_error(errc::already_exists, "refusing to overwrite key file " + path.string());
  std::array<byte, 8> nonce{};
  random_bytes(nonce);
  std::filesystem::path temp = path;
  temp += ".tmp-" + to_hex(nonce);

  result<void> placed = write_synced(temp, as_bytes(format_key_file(keys)), false);
  // link(2) is rename(2) that refuses to replace: two writers cannot both win.
  if (placed && ::link(temp.c_str(), path.c_str()) != 0)
    placed = errno == EEXIST
                 ? make_error(errc::already_exists, "refusing to overwrite key file " + path.string())
                 : os_error("link " + temp.string() + " to", path, errno);
  ::unlink(temp.c_str());  // a leftover on failure, a second name of path on success
  if (!placed) return placed;
  return fsync_dir(directory_of(path));
}

result<key_pair> load_or_create_key_file(const std::filesystem::path& path, std::optional<key_seed> seed) {
  result<key_pair> loaded = load_key_file(path);
  if (!loaded && loaded.err().code == errc::not_found) {
    const key_pair fresh = seed ? key_pair_from_seed(*seed) : generate_key_pair();
    const result<void> written = write_key_file(path, fresh);
    if (written) return fresh;
    if (written.err().code != errc::already_exists) return written.err();
    loaded = load_key_file(path);  // another process created it first
  }
  if (!loaded) return loaded;
  if (seed && key_pair_from_seed(*seed).pk != loaded->pk)
    return make_error(errc::already_exists, "key file " + path.string() + " holds another key than the given seed");
  return loaded;
}

}  // namespace datdot::storage
