#include "cli/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace datdot::cli {

namespace {
constexpr std::uint64_t worth_showing_bytes = 16 * 1024 * 1024;
constexpr auto redraw_interval = std::chrono::milliseconds(100);
constexpr int bar_width = 30;
}  // namespace

progress_bar::progress_bar(std::string label, std::uint64_t total, const char* unit)
    : label_(std::move(label)),
      total_(total),
      unit_(unit),
      enabled_(isatty(STDERR_FILENO) && (std::string{unit} != "B" || total >= worth_showing_bytes)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void progress_bar::update(std::uint64_t done) {
  if (!enabled_ || total_ == 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total_ && now - last_draw_ < redraw_interval) return;
  last_draw_ = now;
  const int filled = static_cast<int>(bar_width * done / total_);
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const bool bytes = std::string{unit_} == "B";
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::fprintf(stderr, "\r%s [%.*s%*s] %3d%%  %.1f %s/s", label_.c_str(), filled,
               "##############################", bar_width - filled, "",
               static_cast<int>(100 * done / total_), bytes ? rate / 1e6 : rate,
               bytes ? "MB" : unit_);
}

void progress_bar::finish() {
  if (enabled_) std::fputc('\n', stderr);
}

}  // namespace datdot::cli
