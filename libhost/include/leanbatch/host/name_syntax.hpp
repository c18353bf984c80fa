#pragma once
/// Lean's name syntax without a store: the dotted form with «quoted» components (see
/// name_syntax.cpp, and TermStore::name_from_lean_syntax / name_to_lean_syntax).
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace leanbatch::host {

inline constexpr std::string_view kLeanNameOpen = "\xC2\xAB";   ///< «
inline constexpr std::string_view kLeanNameClose = "\xC2\xBB";  ///< »

/// Would the string component be misread (or merge with its neighbours) if printed bare:
/// empty, all digits, or containing '.', '«', '»', a space or a control character.
bool lean_name_component_needs_quotes(std::string_view s);

struct NameComponent {
  bool numeric = false;
  std::string str;       ///< a string component
  uint64_t num = 0;      ///< a numeric component
};

/// Components split on '.', a «quoted» component verbatim (except that `»»` inside it stands
/// for one `»`, which Lean cannot quote: leanbatch's own escape, so that printing is
/// injective), an unquoted all-digit component a numeric one; an error message (naming the
/// text) for malformed syntax.
std::expected<std::vector<NameComponent>, std::string> parse_lean_name(std::string_view text);

}  // namespace leanbatch::host
