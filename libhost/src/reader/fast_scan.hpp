#pragma once
// FastScan: the byte-level matchers of the export reader's fast path (fast_path.hpp) —
// literals, integers, booleans, strings, id arrays, the end of a line. Each one matches and
// advances, or returns false; none reads past the current line.
#include <simdjson.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "leanbatch/host/term_store.hpp"

namespace leanbatch::host::reader_detail {

class FastScan {
 protected:
  static bool is_digit(char ch) { return static_cast<unsigned char>(ch - '0') < 10; }
  static uint64_t load8(const char* p) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  }
  // Compares 8 bytes at a time (the literal folds into immediates; reading up to 7 bytes
  // past the match is fine: the chunk is followed by padding).
  template <size_t N>
  [[gnu::always_inline]] static bool lit(const char*& p, const char (&s)[N]) {
    constexpr size_t n = N - 1;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
      if (load8(p + i) != load8(s + i)) return false;
    if constexpr (n % 8 != 0) {
      uint64_t want = 0;
      std::memcpy(&want, s + i, n - i);
      if ((load8(p + i) & ((uint64_t{1} << (8 * (n - i))) - 1)) != want) return false;
    }
    p += n;
    return true;
  }
  static bool num_u64(const char*& p, uint64_t& out) {
    const char* q = p;
    if (*q == '0') {
      if (is_digit(q[1])) return false;  // leading zero: not JSON
      out = 0;
      p = q + 1;
      return true;
    }
    uint64_t v = 0;
    int n = 0;
    while (is_digit(*q)) {
      if (++n > 20) return false;
      uint64_t d = static_cast<uint64_t>(*q - '0');
      if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, d, &v)) return false;
      ++q;
    }
    if (n == 0) return false;
    out = v;
    p = q;
    return true;
  }
  // A JSON non-negative integer that fits in 32 bits. Up to 8 digits are found and converted
  // without a branch per digit (SWAR): the byte-wise digit values t, the first non-digit
  // from the carry-free test below (carries only run towards later bytes), then the digits
  // shifted to the top of the word and combined pairwise.
  [[gnu::always_inline]] static bool num_u32(const char*& p, uint32_t& out) {
    uint64_t t = load8(p) ^ 0x3030303030303030ull;  // digits become 0..9
    uint64_t nondigit = ((t + 0x7676767676767676ull) | t) & 0x8080808080808080ull;
    if (nondigit == 0) return num_u32_long(p, out);
    unsigned len = static_cast<unsigned>(__builtin_ctzll(nondigit)) / 8;
    if (len == 0) return false;
    if (len > 1 && (t & 0xFF) == 0) return false;  // leading zero: not JSON
    uint64_t v = t << (8 * (8 - len));  // len digits in the top bytes, zeros below
    v = (v * 10 + (v >> 8)) & 0x00FF00FF00FF00FFull;
    v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFFull;
    v = (v * 10000 + (v >> 32)) & 0x00000000FFFFFFFFull;
    out = static_cast<uint32_t>(v);
    p += len;
    return true;
  }
  static bool num_u32_long(const char*& p, uint32_t& out) {  // 8 digits or more
    if (*p == '0') return false;
    const char* q = p;
    uint64_t v = 0;
    for (int n = 0; is_digit(*q); ++q) {
      if (++n > 10) return false;
      v = v * 10 + static_cast<uint64_t>(*q - '0');
    }
    if (v > 0xFFFFFFFFu) return false;
    out = static_cast<uint32_t>(v);
    p = q;
    return true;
  }
  static bool boolean(const char*& p, bool& out) {
    if (lit(p, "true")) return out = true, true;
    if (lit(p, "false")) return out = false, true;
    return false;
  }
  // A string without escapes (enumeration values).
  static bool plain_str(const char*& p, std::string_view& out) {
    if (*p != '"') return false;
    const char* s = ++p;
    for (;; ++p) {
      unsigned char ch = static_cast<unsigned char>(*p);
      if (ch == '"') break;
      if (ch == '\\' || ch < 0x20 || ch >= 0x80) return false;
    }
    out = std::string_view(s, static_cast<size_t>(p - s));
    ++p;
    return true;
  }
  // Any JSON string; escapes are decoded into str_buf_. Invalid UTF-8, invalid escapes and
  // unpaired surrogates are left to the DOM path.
  bool str(const char*& p, std::string_view& out) {
    if (*p != '"') return false;
    const char* s = ++p;
    bool ascii = true;
    for (;; ++p) {
      unsigned char ch = static_cast<unsigned char>(*p);
      if (ch == '"') break;
      if (ch == '\\') return escaped_str(s, p, ascii, out);
      if (ch < 0x20) return false;
      if (ch >= 0x80) ascii = false;
    }
    out = std::string_view(s, static_cast<size_t>(p - s));
    ++p;
    return ascii || simdjson::validate_utf8(out.data(), out.size());
  }
  static bool hex4(const char* p, uint32_t& out) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char ch = p[i];
      uint32_t d;
      if (ch >= '0' && ch <= '9') d = static_cast<uint32_t>(ch - '0');
      else if (ch >= 'a' && ch <= 'f') d = static_cast<uint32_t>(ch - 'a' + 10);
      else if (ch >= 'A' && ch <= 'F') d = static_cast<uint32_t>(ch - 'A' + 10);
      else return false;
      v = v << 4 | d;
    }
    out = v;
    return true;
  }
  bool escaped_str(const char* s, const char*& p, bool ascii, std::string_view& out) {
    std::string& b = str_buf_;
    b.assign(s, static_cast<size_t>(p - s));
    for (;;) {
      unsigned char ch = static_cast<unsigned char>(*p);
      if (ch == '"') break;
      if (ch < 0x20) return false;
      if (ch != '\\') {
        if (ch >= 0x80) ascii = false;
        b.push_back(static_cast<char>(ch));
        ++p;
        continue;
      }
      char e = p[1];
      p += 2;
      switch (e) {
        case '"': b.push_back('"'); break;
        case '\\': b.push_back('\\'); break;
        case '/': b.push_back('/'); break;
        case 'b': b.push_back('\b'); break;
        case 'f': b.push_back('\f'); break;
        case 'n': b.push_back('\n'); break;
        case 'r': b.push_back('\r'); break;
        case 't': b.push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          if (!hex4(p, cp)) return false;
          p += 4;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
            p += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          if (cp < 0x80) {
            b.push_back(static_cast<char>(cp));
          } else if (cp < 0x800) {
            b.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            b.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else if (cp < 0x10000) {
            b.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            b.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            b.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else {
            b.push_back(static_cast<char>(0xF0 | (cp >> 18)));
            b.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            b.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            b.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          }
          break;
        }
        default: return false;
      }
    }
    ++p;
    out = b;
    return ascii || simdjson::validate_utf8(out.data(), out.size());
  }
  // `[` u32 (`,` u32)* `]` or `[]` into `out` (cleared first).
  static bool u32_array(const char*& p, std::vector<uint32_t>& out) {
    out.clear();
    if (*p != '[') return false;
    ++p;
    if (*p == ']') return ++p, true;
    for (;;) {
      uint32_t v;
      if (!num_u32(p, v)) return false;
      out.push_back(v);
      if (*p == ',') {
        ++p;
        continue;
      }
      if (*p != ']') return false;
      ++p;
      return true;
    }
  }
  // End of the line: optional blanks, then the newline or the end of the chunk. Returns
  // where the line ends, or nullptr.
  const char* line_end(const char* p) const {
    while (*p == ' ' || *p == '\t' || *p == '\r') ++p;
    if (*p == '\n' || p == chunk_end_) return p;
    return nullptr;
  }
  static bool binder_info(std::string_view s, BinderInfo& bi) {
    if (s == "default") bi = BinderInfo::Default;
    else if (s == "implicit") bi = BinderInfo::Implicit;
    else if (s == "instImplicit") bi = BinderInfo::InstImplicit;
    else if (s == "strictImplicit") bi = BinderInfo::StrictImplicit;
    else return false;
    return true;
  }

  const char* chunk_end_ = nullptr;  // end of the current chunk (set by Reader::process_chunk)
  std::string str_buf_;              // decoded strings
};

}  // namespace leanbatch::host::reader_detail
