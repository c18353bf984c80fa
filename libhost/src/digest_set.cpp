// DigestSet: open addressing with linear probing over 32-byte keys (digest_set.hpp).
#include "leanbatch/host/digest_set.hpp"

#include <cstring>
#include <random>

namespace leanbatch::host {

namespace {
constexpr size_t kFirstSlots = 1024;
}

DigestSet::DigestSet() {
  std::random_device rd;
  multiplier_ = ((static_cast<uint64_t>(rd()) << 32) ^ rd()) | 1;  // odd: a bijection on 64 bits
  keys_.resize(kFirstSlots);
  used_.assign(kFirstSlots, 0);
  shift_ = 64 - 10;  // 2^10 slots
}

size_t DigestSet::slot_of(std::string_view key) const {
  uint64_t head;
  std::memcpy(&head, key.data(), sizeof head);
  return static_cast<size_t>((head * multiplier_) >> shift_);
}

bool DigestSet::contains(std::string_view key) const {
  if (key.size() != kKeyBytes) return false;
  const size_t mask = keys_.size() - 1;
  for (size_t s = slot_of(key);; s = (s + 1) & mask) {
    if (!used_[s]) return false;
    if (std::memcmp(keys_[s].data(), key.data(), kKeyBytes) == 0) return true;
  }
}

bool DigestSet::insert(std::string_view key) {
  if (key.size() != kKeyBytes) return false;
  if ((size_ + 1) * 2 > keys_.size()) grow();  // load factor at most 1/2
  const size_t mask = keys_.size() - 1;
  for (size_t s = slot_of(key);; s = (s + 1) & mask) {
    if (!used_[s]) {
      std::memcpy(keys_[s].data(), key.data(), kKeyBytes);
      used_[s] = 1;
      ++size_;
      return true;
    }
    if (std::memcmp(keys_[s].data(), key.data(), kKeyBytes) == 0) return false;
  }
}

void DigestSet::grow() {
  std::vector<Key> old_keys(keys_.size() * 2);
  std::vector<uint8_t> old_used(used_.size() * 2, 0);
  old_keys.swap(keys_);
  old_used.swap(used_);
  --shift_;
  size_ = 0;
  for (size_t i = 0; i < old_keys.size(); ++i)
    if (old_used[i])
      insert(std::string_view(reinterpret_cast<const char*>(old_keys[i].data()), kKeyBytes));
}

}  // namespace leanbatch::host
