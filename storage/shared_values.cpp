#include "storage/shared_values.hpp"

namespace datdot::storage {

void shared_values::put(kind k, const hash32& key, byte_view value) {
  std::lock_guard lock{mutex_};
  auto [at, fresh] = values_.try_emplace({k, key});
  if (!fresh) return;
  at->second = std::make_shared<const bytes>(value.begin(), value.end());
  bytes_held_ += value.size();
}

std::shared_ptr<const bytes> shared_values::find(kind k, const hash32& key) const {
  std::lock_guard lock{mutex_};
  const auto at = values_.find({k, key});
  return at == values_.end() ? nullptr : at->second;
}

std::uint64_t shared_values::bytes_held() const {
  std::lock_guard lock{mutex_};
  return bytes_held_;
}

}  // namespace datdot::storage
