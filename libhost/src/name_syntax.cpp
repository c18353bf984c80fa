// Lean's name syntax: the dotted form with «quoted» components.
//
// Why it exists (soundness of the axiom policy): the plain dotted form (append_name) is not
// injective. The one-component name `«Classical.choice»` and the two-component name
// `Classical.choice` both print as "Classical.choice", and a numeric component 1 prints like
// a string component "1". A policy that compared printed names (the --allow-axiom allowlist
// did) could be fooled by an export that declares `axiom «Classical.choice» : False`. The
// checker now compares Names (ids: structural identity), parsing the allowlist with
// name_from_lean_syntax, and reports axioms with name_to_lean_syntax, so that a report never
// shows two different axioms alike.
#include <charconv>
#include <string>

#include "leanbatch/host/name_syntax.hpp"
#include "leanbatch/host/term_store.hpp"

namespace leanbatch::host {

namespace {

constexpr std::string_view kOpen = kLeanNameOpen;
constexpr std::string_view kClose = kLeanNameClose;

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

bool lean_name_component_needs_quotes(std::string_view s) {
  if (s.empty() || all_digits(s)) return true;
  if (s.find('.') != std::string_view::npos || s.find(kOpen) != std::string_view::npos ||
      s.find(kClose) != std::string_view::npos)
    return true;
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7f) return true;
  return false;
}

std::string TermStore::name_to_lean_syntax(Name n) const {
  if (n.is_anonymous()) return "[anonymous]";
  std::string out;
  append_name(out, n, /*lean_syntax=*/true);
  return out;
}

std::expected<std::vector<NameComponent>, std::string> parse_lean_name(std::string_view text) {
  if (text.empty()) return std::unexpected(std::string("empty name"));
  auto bad = [&](const char* what) { return std::unexpected("'" + std::string(text) + "': " + what); };
  std::vector<NameComponent> out;
  size_t i = 0;
  for (;;) {
    if (text.substr(i, kOpen.size()) == kOpen) {
      // Up to the first » not doubled; »» stands for » (see append_name).
      std::string comp;
      size_t j = i + kOpen.size();
      for (;;) {
        size_t end = text.find(kClose, j);
        if (end == std::string_view::npos) return bad("\u00ab without \u00bb");
        comp.append(text.substr(j, end - j));
        j = end + kClose.size();
        if (text.substr(j, kClose.size()) != kClose) break;
        comp.append(kClose);
        j += kClose.size();
      }
      out.push_back({false, std::move(comp), 0});
      i = j;
    } else {
      size_t dot = text.find('.', i);
      std::string_view c = text.substr(i, dot == std::string_view::npos ? std::string_view::npos : dot - i);
      if (c.empty()) return bad("empty component");
      if (c.find(kOpen) != std::string_view::npos || c.find(kClose) != std::string_view::npos)
        return bad("\u00ab or \u00bb inside a component");
      if (all_digits(c)) {
        uint64_t v = 0;
        auto [p, ec] = std::from_chars(c.data(), c.data() + c.size(), v);
        if (ec != std::errc() || p != c.data() + c.size()) return bad("numeric component out of range");
        out.push_back({true, {}, v});
      } else {
        out.push_back({false, std::string(c), 0});
      }
      i += c.size();
    }
    if (i == text.size()) return out;
    if (text[i] != '.') return bad("expected '.' after a quoted component");
    if (++i == text.size()) return bad("empty component");
  }
}

std::expected<Name, std::string> TermStore::name_from_lean_syntax(std::string_view text) {
  auto parts = parse_lean_name(text);
  if (!parts) return std::unexpected(std::move(parts.error()));
  Name n = anonymous();
  for (const NameComponent& c : *parts) n = c.numeric ? name_num(n, c.num) : name_str(n, c.str);
  return n;
}

}  // namespace leanbatch::host
