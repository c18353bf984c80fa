#include "leanbatch/host/environment.hpp"

#include <algorithm>

namespace leanbatch::host {

const char* to_string(ConstKind k) {
  switch (k) {
    case ConstKind::Axiom: return "axiom";
    case ConstKind::Definition: return "def";
    case ConstKind::Theorem: return "thm";
    case ConstKind::Opaque: return "opaque";
    case ConstKind::Quot: return "quot";
    case ConstKind::Inductive: return "inductive";
    case ConstKind::Constructor: return "ctor";
    case ConstKind::Recursor: return "rec";
  }
  return "?";
}

const char* to_string(DeclKind k) {
  switch (k) {
    case DeclKind::Axiom: return "axiom";
    case DeclKind::Definition: return "def";
    case DeclKind::Theorem: return "thm";
    case DeclKind::Opaque: return "opaque";
    case DeclKind::Quot: return "quot";
    case DeclKind::Inductive: return "inductive";
  }
  return "?";
}

const char* to_string(Safety s) {
  switch (s) {
    case Safety::Safe: return "safe";
    case Safety::Unsafe: return "unsafe";
    case Safety::Partial: return "partial";
  }
  return "?";
}

const char* to_string(QuotKind k) {
  switch (k) {
    case QuotKind::Type: return "type";
    case QuotKind::Ctor: return "ctor";
    case QuotKind::Lift: return "lift";
    case QuotKind::Ind: return "ind";
  }
  return "?";
}

uint32_t Environment::add(Declaration d, std::vector<ConstantInfo> consts) {
  return add(d, std::span<ConstantInfo>(consts));
}

uint32_t Environment::add(Declaration d, std::span<ConstantInfo> consts) {
  uint32_t di = static_cast<uint32_t>(decls_.size());
  d.first_const = static_cast<uint32_t>(constants_.size());
  d.num_consts = static_cast<uint32_t>(consts.size());
  for (auto& c : consts) {
    c.decl = di;
    uint32_t ci = static_cast<uint32_t>(constants_.size());
    if (c.name.id >= by_name_.size()) by_name_.resize(std::max<size_t>(c.name.id + 1, by_name_.size() * 2), 0);
    if (by_name_[c.name.id] == 0) by_name_[c.name.id] = ci + 1;
    constants_.push_back(std::move(c));
  }
  decls_.push_back(d);
  return di;
}

void Environment::reserve(size_t constants, size_t declarations) {
  constants_.reserve(constants_.size() + constants);
  decls_.reserve(decls_.size() + declarations);
}

std::vector<uint32_t> Environment::find_printed(const std::string& printed) const {
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < constants_.size(); ++i)
    if (store_->name_to_string(constants_[i].name) == printed) out.push_back(i);
  return out;
}

}  // namespace leanbatch::host
