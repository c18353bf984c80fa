#pragma once
// The vocabulary of an export line: its keys (Key) and their classification, the families of
// items (Family), and the key path within a line that errors name (Ctx). Internal to the
// export reader.
#include <cstdint>
#include <string>
#include <string_view>

namespace leanbatch::host::reader_detail {

enum class Key : uint8_t {
  Unknown, In, Il, Ie, Str, Num, Succ, Max, IMax, Param, BVar, Sort, Const, App, Lam, ForallE, LetE, Proj,
  NatVal, StrVal, MData, Axiom, Def, Thm, Opaque, Quot, Inductive, Meta
};

inline Key classify(std::string_view k) {
  switch (k.size()) {
    case 2:
      if (k == "ie") return Key::Ie;
      if (k == "in") return Key::In;
      if (k == "il") return Key::Il;
      break;
    case 3:
      if (k == "app") return Key::App;
      if (k == "lam") return Key::Lam;
      if (k == "str") return Key::Str;
      if (k == "num") return Key::Num;
      if (k == "max") return Key::Max;
      if (k == "def") return Key::Def;
      if (k == "thm") return Key::Thm;
      break;
    case 4:
      if (k == "bvar") return Key::BVar;
      if (k == "sort") return Key::Sort;
      if (k == "succ") return Key::Succ;
      if (k == "imax") return Key::IMax;
      if (k == "letE") return Key::LetE;
      if (k == "proj") return Key::Proj;
      if (k == "quot") return Key::Quot;
      if (k == "meta") return Key::Meta;
      break;
    case 5:
      if (k == "const") return Key::Const;
      if (k == "param") return Key::Param;
      if (k == "mdata") return Key::MData;
      if (k == "axiom") return Key::Axiom;
      break;
    case 6:
      if (k == "natVal") return Key::NatVal;
      if (k == "strVal") return Key::StrVal;
      if (k == "opaque") return Key::Opaque;
      break;
    case 7:
      if (k == "forallE") return Key::ForallE;
      break;
    case 9:
      if (k == "inductive") return Key::Inductive;
      break;
  }
  return Key::Unknown;
}

// Format 3.0.x spells the five single-constant declarations after Lean's `ConstantInfo`
// constructors; their fields are those of 3.1 (an opaque's `isUnsafe` may be absent: older
// exporters never wrote unsafe declarations). Only the spelling of the file's own version is
// accepted, so a file that mixes the two is an error, not a guess.
inline Key classify_v30_decl(std::string_view k) {
  if (k == "defnInfo") return Key::Def;
  if (k == "thmInfo") return Key::Thm;
  if (k == "axiomInfo") return Key::Axiom;
  if (k == "opaqueInfo") return Key::Opaque;
  if (k == "quotInfo") return Key::Quot;
  return Key::Unknown;
}

inline bool is_single_decl(Key k) {
  return k == Key::Def || k == Key::Thm || k == Key::Axiom || k == Key::Opaque || k == Key::Quot;
}

enum class Family : uint8_t { None, Name, Level, Expr, Decl };
inline const char* family_noun(Family f) {
  switch (f) {
    case Family::Name: return "name";
    case Family::Level: return "level";
    case Family::Expr: return "expression";
    default: return "item";
  }
}
inline Family family_of(Key k) {
  switch (k) {
    case Key::Str: case Key::Num: return Family::Name;
    case Key::Succ: case Key::Max: case Key::IMax: case Key::Param: return Family::Level;
    case Key::BVar: case Key::Sort: case Key::Const: case Key::App: case Key::Lam: case Key::ForallE:
    case Key::LetE: case Key::Proj: case Key::NatVal: case Key::StrVal: case Key::MData: return Family::Expr;
    case Key::Axiom: case Key::Def: case Key::Thm: case Key::Opaque: case Key::Quot: case Key::Inductive:
      return Family::Decl;
    default: return Family::None;
  }
}

// Where in a line we are, rendered only when an error is reported (no allocation on the
// hot path).
struct Ctx {
  const Ctx* parent = nullptr;
  std::string_view key;
  int64_t index = -1;
  Ctx(const char* k) : key(k) {}
  Ctx(std::string_view k) : key(k) {}
  Ctx(const Ctx* p, std::string_view k) : parent(p), key(k) {}
  Ctx(const Ctx* p, int64_t i) : parent(p), index(i) {}
  std::string str() const {
    std::string out = parent ? parent->str() : std::string();
    if (index >= 0) {
      out += "[" + std::to_string(index) + "]";
    } else {
      if (!out.empty()) out += '.';
      out += key;
    }
    return out;
  }
};

}  // namespace leanbatch::host::reader_detail
