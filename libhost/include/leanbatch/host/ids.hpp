#pragma once
/// Typed handles into a TermStore.
///
/// Every name, universe level, level list and expression lives in a TermStore and is
/// referred to by a 32-bit id. Structurally equal nodes are interned once, so two handles
/// are structurally equal exactly when their ids are equal (binder names included).
#include <cstdint>
#include <functional>

namespace leanbatch::host {

inline constexpr uint32_t kNoId = 0xFFFFFFFFu;

/// A hierarchical Lean name. Id 0 is the anonymous name.
struct Name {
  uint32_t id = 0;
  bool is_anonymous() const { return id == 0; }
  friend bool operator==(Name a, Name b) { return a.id == b.id; }
};

/// A universe level. Id 0 is `zero`.
struct Level {
  uint32_t id = 0;
  bool is_zero_id() const { return id == 0; }
  friend bool operator==(Level a, Level b) { return a.id == b.id; }
};

/// An interned list of levels (the universe arguments of a constant). Id 0 is the empty list.
struct LevelList {
  uint32_t id = 0;
  friend bool operator==(LevelList a, LevelList b) { return a.id == b.id; }
};

/// An expression. The default value is "no expression".
struct Expr {
  uint32_t id = kNoId;
  bool valid() const { return id != kNoId; }
  explicit operator bool() const { return valid(); }
  friend bool operator==(Expr a, Expr b) { return a.id == b.id; }
};

/// 64-bit mixing (splitmix64 finaliser); used for every structural hash in the store.
inline uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}
inline uint32_t hash_combine(uint32_t h, uint32_t v) {
  return static_cast<uint32_t>(mix64((static_cast<uint64_t>(h) << 32) ^ v ^ 0x9e3779b97f4a7c15ULL));
}

}  // namespace leanbatch::host

template <> struct std::hash<leanbatch::host::Name> {
  size_t operator()(leanbatch::host::Name n) const noexcept { return leanbatch::host::mix64(n.id); }
};
template <> struct std::hash<leanbatch::host::Level> {
  size_t operator()(leanbatch::host::Level n) const noexcept { return leanbatch::host::mix64(n.id); }
};
template <> struct std::hash<leanbatch::host::Expr> {
  size_t operator()(leanbatch::host::Expr n) const noexcept { return leanbatch::host::mix64(n.id); }
};
