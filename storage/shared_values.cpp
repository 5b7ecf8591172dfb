#include "storage/shared_values.hpp"

#include <algorithm>

#include "crypto/blake2b.hpp"

namespace datdot::storage {

const std::shared_ptr<const bytes>& shared_values::keep(kind k, const hash32& key, byte_view value) {
  auto [at, fresh] = values_.try_emplace({k, key});
  if (fresh) {
    at->second = std::make_shared<const bytes>(value.begin(), value.end());
    bytes_held_ += value.size();
  }
  return at->second;
}

void shared_values::put(kind k, const hash32& key, byte_view value) {
  std::lock_guard lock{mutex_};
  keep(k, key, value);
}

hash32 shared_values::put_named(kind k, byte_view value) {
  {
    std::lock_guard lock{mutex_};
    if (last_named_ && last_named_->k == k && std::ranges::equal(*last_named_->value, value)) return last_named_->key;
  }
  const auto key = blake2b_256(value);
  std::lock_guard lock{mutex_};
  last_named_ = named{k, key, keep(k, key, value)};
  return key;
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
