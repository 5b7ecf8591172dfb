#include "storage/directory_archive.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

namespace datdot::storage {
namespace {

namespace fs = std::filesystem;
constexpr std::size_t record = 512;
constexpr std::uint64_t ustar_size_max = 077777777777ULL;  // 11 octal digits

struct entry {
  std::string name;  // relative, '/'-separated; directories end in '/'
  fs::path path;
  bool directory = false;
  bool executable = false;
  std::uint64_t size = 0;
};

void put_octal(char* field, std::size_t width, std::uint64_t value) {
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1), static_cast<unsigned long long>(value));
}

// ustar splits a long name at a '/' into prefix (155) and name (100).
result<std::pair<std::string, std::string>> split_name(const std::string& name) {
  if (name.size() <= 100) return std::pair<std::string, std::string>{"", name};
  for (auto cut = name.find('/'); cut != std::string::npos && cut + 1 < name.size(); cut = name.find('/', cut + 1))
    if (cut <= 155 && name.size() - cut - 1 <= 100) return std::pair{name.substr(0, cut), name.substr(cut + 1)};
  return make_error(errc::invalid_argument, "path too long for a ustar archive: " + name);
}

result<std::array<char, record>> header_of(const entry& e) {
  std::array<char, record> h{};
  DATDOT_TRY(names, split_name(e.name));
  std::memcpy(h.data(), names.second.data(), names.second.size());
  put_octal(h.data() + 100, 8, e.directory || e.executable ? 0755 : 0644);
  put_octal(h.data() + 108, 8, 0);
  put_octal(h.data() + 116, 8, 0);
  put_octal(h.data() + 124, 12, e.size);
  put_octal(h.data() + 136, 12, 0);
  h[156] = e.directory ? '5' : '0';
  std::memcpy(h.data() + 257, "ustar", 6);
  std::memcpy(h.data() + 263, "00", 2);
  std::memcpy(h.data() + 345, names.first.data(), names.first.size());
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (char c : h) sum += static_cast<unsigned char>(c);
  std::snprintf(h.data() + 148, 8, "%06o", sum);  // six digits, NUL, and the space left in place
  return h;
}

result<std::vector<entry>> entries_of(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return make_error(errc::invalid_argument, dir.string() + " is not a directory");
  std::vector<entry> out;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end;
  if (ec) return make_error(errc::io_error, "cannot read " + dir.string() + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return make_error(errc::io_error, "cannot read " + dir.string() + ": " + ec.message());
    const auto& p = it->path();
    const auto status = it->symlink_status(ec);
    if (ec) return make_error(errc::io_error, "cannot stat " + p.string() + ": " + ec.message());
    entry e{fs::relative(p, dir).generic_string(), p};
    if (fs::is_directory(status)) {
      e.directory = true;
      e.name += '/';
    } else if (fs::is_regular_file(status)) {
      e.size = it->file_size(ec);
      if (ec) return make_error(errc::io_error, "cannot stat " + p.string() + ": " + ec.message());
      if (e.size > ustar_size_max) return make_error(errc::invalid_argument, p.string() + " is too large for ustar");
      e.executable = (status.permissions() & fs::perms::owner_exec) != fs::perms::none;
    } else {
      return make_error(errc::invalid_argument, p.string() + " is neither a regular file nor a directory");
    }
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const entry& a, const entry& b) { return a.name < b.name; });
  return out;
}

byte_view view_of(const char* data, std::size_t n) { return {reinterpret_cast<const byte*>(data), n}; }

}  // namespace

result<std::uint64_t> write_directory_archive(const fs::path& dir, const archive_sink& sink) {
  DATDOT_TRY(entries, entries_of(dir));
  std::uint64_t written = 0;
  auto emit = [&](byte_view b) -> result<void> {
    written += b.size();
    return sink(b);
  };
  static const std::array<char, record> zeros{};
  std::vector<char> buffer(64 * 1024);
  for (const auto& e : entries) {
    DATDOT_TRY(header, header_of(e));
    DATDOT_CHECK(emit(view_of(header.data(), header.size())));
    if (e.directory) continue;
    std::ifstream in(e.path, std::ios::binary);
    if (!in) return make_error(errc::io_error, "cannot open " + e.path.string());
    std::uint64_t left = e.size;
    while (left > 0) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
      if (!in.read(buffer.data(), static_cast<std::streamsize>(n)))
        return make_error(errc::io_error, e.path.string() + " changed while it was archived");
      DATDOT_CHECK(emit(view_of(buffer.data(), n)));
      left -= n;
    }
    if (const auto pad = (record - e.size % record) % record; pad > 0) DATDOT_CHECK(emit(view_of(zeros.data(), pad)));
  }
  DATDOT_CHECK(emit(view_of(zeros.data(), record)));  // the end: two zero records
  DATDOT_CHECK(emit(view_of(zeros.data(), record)));
  return written;
}

}  // namespace datdot::storage
