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

namespace datdot::storage {

namespace {

constexpr std::string_view public_label = "public ";
constexpr std::string_view secret_label = "secret ";

error os_error(const std::string& what, const std::filesystem::path& path, int err) {
  return make_error(errc::io_error, what + " " + path.string() + ": " + std::strerror(err));
}

class fd_guard {
 public:
  explicit fd_guard(int fd) noexcept : fd_(fd) {}
  ~fd_guard() {
    if (fd_ >= 0) ::close(fd_);
  }
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  int get() const noexcept { return fd_; }
  // For writes, whose close error must be checked.
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

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
  std::string text(key_file_size_max_bytes + 1, '\0');
  std::size_t used = 0;
  while (used < text.size()) {
    const ssize_t n = ::read(fd, text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("read", path, errno);
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  if (used > key_file_size_max_bytes)
    return make_error(errc::corrupt_data, "key file " + path.string() + " is larger than " +
                                              std::to_string(key_file_size_max_bytes) + " bytes");
  text.resize(used);
  return text;
}

// Creates path (which must not exist) 0600 with text and fsyncs it.
result<void> write_synced(const std::filesystem::path& path, std::string_view text) {
  fd_guard fd{::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
  if (fd.get() < 0) return os_error("create", path, errno);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("write", path, errno);
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return os_error("fsync", path, errno);
  if (::close(fd.release()) != 0) return os_error("close", path, errno);
  return ok;
}

result<void> fsync_dir(const std::filesystem::path& dir) {
  fd_guard fd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (fd.get() < 0) return os_error("open directory", dir, errno);
  if (::fsync(fd.get()) != 0) return os_error("fsync directory", dir, errno);
  return ok;
}

}  // namespace

result<key_pair> load_key_file(const std::filesystem::path& path) {
  fd_guard fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
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

  result<void> placed = write_synced(temp, format_key_file(keys));
  // link(2) is rename(2) that refuses to replace: two writers cannot both win.
  if (placed && ::link(temp.c_str(), path.c_str()) != 0)
    placed = errno == EEXIST
                 ? make_error(errc::already_exists, "refusing to overwrite key file " + path.string())
                 : os_error("link " + temp.string() + " to", path, errno);
  ::unlink(temp.c_str());  // a leftover on failure, a second name of path on success
  if (!placed) return placed;
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path{"."};
  return fsync_dir(dir);
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
