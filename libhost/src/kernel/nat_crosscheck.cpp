// Independent checks of GMP results for the Nat extension (see nat_crosscheck.hpp for why and
// for the probability argument). Everything here reads limbs through GMP's accessors and
// computes with native 64/128-bit arithmetic; no GMP arithmetic is trusted to check GMP.
#include "leanbatch/host/kernel/nat_crosscheck.hpp"

#include <numeric>
#include <random>

namespace leanbatch::host::natcheck {

namespace {

using u128 = unsigned __int128;

struct Moduli {
  uint64_t m[2];
  Moduli() {
    std::random_device rd;
    for (uint64_t& x : m) {
      uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd();
      x = (v & ((uint64_t{1} << 60) - 1)) | (uint64_t{1} << 60) | 1;  // odd, in [2^60, 2^61)
    }
  }
};
const Moduli& moduli() {
  static const Moduli m;
  return m;
}

size_t limbs(const mpz_class& v) { return mpz_size(v.get_mpz_t()); }
uint64_t limb(const mpz_class& v, size_t i) {
  return i < limbs(v) ? static_cast<uint64_t>(mpz_getlimbn(v.get_mpz_t(), static_cast<mp_size_t>(i))) : 0;
}
int sign(const mpz_class& v) { return mpz_sgn(v.get_mpz_t()); }

/// Compares |a| and |b| limb by limb.
int cmp_abs(const mpz_class& a, const mpz_class& b) {
  size_t na = limbs(a), nb = limbs(b);
  if (na != nb) return na < nb ? -1 : 1;
  for (size_t i = na; i-- > 0;) {
    uint64_t x = limb(a, i), y = limb(b, i);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m) { return static_cast<uint64_t>(static_cast<u128>(a) * b % m); }
uint64_t addmod(uint64_t a, uint64_t b, uint64_t m) { return static_cast<uint64_t>((static_cast<u128>(a) + b) % m); }
uint64_t powmod(uint64_t b, uint64_t e, uint64_t m) {
  uint64_t r = 1 % m;
  b %= m;
  while (e) {
    if (e & 1) r = mulmod(r, b, m);
    b = mulmod(b, b, m);
    e >>= 1;
  }
  return r;
}

/// Residue of |v| modulo m (Horner over the limbs, most significant first).
uint64_t residue_abs(const mpz_class& v, uint64_t m) {
  uint64_t r = 0;
  for (size_t i = limbs(v); i-- > 0;) r = static_cast<uint64_t>(((static_cast<u128>(r) << 64) | limb(v, i)) % m);
  return r;
}
/// Residue of |v| mod 2^bits (its low bits), modulo m.
uint64_t residue_low(const mpz_class& v, uint64_t bits, uint64_t m) {
  const size_t n = limbs(v);
  const uint64_t full = bits / 64;
  const unsigned rest = bits % 64;
  uint64_t r = 0;
  if (rest != 0 && full < n) r = (limb(v, full) & ((uint64_t{1} << rest) - 1)) % m;
  for (size_t i = std::min<uint64_t>(full, n); i-- > 0;)
    r = static_cast<uint64_t>(((static_cast<u128>(r) << 64) | limb(v, i)) % m);
  return r;
}
/// Residue of a signed v.
uint64_t residue_signed(const mpz_class& v, uint64_t m) {
  uint64_t r = residue_abs(v, m);
  return sign(v) < 0 && r != 0 ? m - r : r;
}

bool is_zero(const mpz_class& v) { return sign(v) == 0; }

bool check_mod(NatOp op, const mpz_class& x, const mpz_class& y, const mpz_class& r, uint64_t m) {
  const uint64_t X = residue_abs(x, m), Y = residue_abs(y, m), R = residue_abs(r, m);
  switch (op) {
    case NatOp::Add: return R == addmod(X, Y, m);
    case NatOp::Sub: return addmod(R, Y, m) == X;  // x >= y checked by the caller
    case NatOp::Mul: return R == mulmod(X, Y, m);
    case NatOp::ShiftLeft: return R == mulmod(X, powmod(2, y.get_ui(), m), m);
    case NatOp::ShiftRight: {
      const uint64_t s = y.get_ui();
      return X == addmod(mulmod(R, powmod(2, s, m), m), residue_low(x, s, m), m);
    }
    case NatOp::Pow: return R == powmod(X, y.get_ui(), m);
    default: return false;
  }
}

}  // namespace

uint64_t residue(const mpz_class& v, uint64_t m) { return residue_signed(v, m); }

std::optional<u128> small(NatOp op, uint64_t x, uint64_t y) {
  switch (op) {
    case NatOp::Add: return static_cast<u128>(x) + y;
    case NatOp::Sub: return x >= y ? x - y : 0;
    case NatOp::Mul: return static_cast<u128>(x) * y;
    case NatOp::Div: return y == 0 ? 0 : x / y;
    case NatOp::Mod: return y == 0 ? x : x % y;
    case NatOp::Gcd: return std::gcd(x, y);
    case NatOp::Beq: return x == y ? 1 : 0;
    case NatOp::Ble: return x <= y ? 1 : 0;
    case NatOp::Land: return x & y;
    case NatOp::Lor: return x | y;
    case NatOp::Xor: return x ^ y;
    case NatOp::ShiftLeft:
      if (x == 0) return 0;
      if (y < 64) return static_cast<u128>(x) << y;
      return std::nullopt;
    case NatOp::ShiftRight: return y >= 64 ? 0 : x >> y;
    case NatOp::Pow: {
      u128 r = 1, b = x;
      uint64_t e = y;
      while (e) {
        if (e & 1 && __builtin_mul_overflow(r, b, &r)) return std::nullopt;
        e >>= 1;
        if (e && __builtin_mul_overflow(b, b, &b)) return std::nullopt;
      }
      return r;
    }
    case NatOp::Count: break;
  }
  return std::nullopt;
}

bool verify(NatOp op, const mpz_class& x, const mpz_class& y, const mpz_class& r) {
  if (sign(x) < 0 || sign(y) < 0 || sign(r) < 0) return false;
  const Moduli& ms = moduli();
  auto all_moduli = [&](auto&& f) { return f(ms.m[0]) && f(ms.m[1]); };
  switch (op) {
    case NatOp::Beq: return r == (cmp_abs(x, y) == 0 ? 1 : 0);
    case NatOp::Ble: return r == (cmp_abs(x, y) <= 0 ? 1 : 0);
    case NatOp::Land:
    case NatOp::Lor:
    case NatOp::Xor: {
      size_t n = std::max({limbs(x), limbs(y), limbs(r)});
      for (size_t i = 0; i < n; ++i) {
        uint64_t a = limb(x, i), b = limb(y, i);
        uint64_t want = op == NatOp::Land ? (a & b) : op == NatOp::Lor ? (a | b) : (a ^ b);
        if (limb(r, i) != want) return false;
      }
      return true;
    }
    case NatOp::Sub:
      if (cmp_abs(x, y) < 0) return is_zero(r);
      return all_moduli([&](uint64_t m) { return check_mod(op, x, y, r, m); });
    case NatOp::Add:
    case NatOp::Mul:
    case NatOp::Pow:
    case NatOp::ShiftLeft:
    case NatOp::ShiftRight:
      if ((op == NatOp::Pow || op == NatOp::ShiftLeft || op == NatOp::ShiftRight) && !y.fits_ulong_p()) return false;
      return all_moduli([&](uint64_t m) { return check_mod(op, x, y, r, m); });
    case NatOp::Div: {
      if (is_zero(y)) return is_zero(r);
      // x = r·y + rem with 0 <= rem < y; rem is computed by GMP and checked modularly.
      mpz_class rem = x - r * y;
      if (sign(rem) < 0 || cmp_abs(rem, y) >= 0) return false;
      return all_moduli([&](uint64_t m) {
        return residue_abs(x, m) == addmod(mulmod(residue_abs(r, m), residue_abs(y, m), m), residue_abs(rem, m), m);
      });
    }
    case NatOp::Mod: {
      if (is_zero(y)) return cmp_abs(r, x) == 0;
      if (cmp_abs(r, y) >= 0) return false;
      mpz_class q = (x - r) / y;
      if (sign(q) < 0) return false;
      return all_moduli([&](uint64_t m) {
        return residue_abs(x, m) == addmod(mulmod(residue_abs(q, m), residue_abs(y, m), m), residue_abs(r, m), m);
      });
    }
    case NatOp::Gcd: {
      if (is_zero(x) && is_zero(y)) return is_zero(r);
      if (is_zero(r)) return false;
      // Bézout: s·x + t·y = r shows every common divisor divides r; r | x and r | y show
      // r is one. Each identity is checked modularly; quotients and coefficients come from
      // GMP, which is fine: they are certificates, checked here.
      mpz_class g, s, t;
      mpz_gcdext(g.get_mpz_t(), s.get_mpz_t(), t.get_mpz_t(), x.get_mpz_t(), y.get_mpz_t());
      mpz_class qx = x / r, qy = y / r;
      return all_moduli([&](uint64_t m) {
        const uint64_t R = residue_abs(r, m);
        return addmod(mulmod(residue_signed(s, m), residue_abs(x, m), m), mulmod(residue_signed(t, m), residue_abs(y, m), m),
                      m) == R &&
               mulmod(residue_abs(qx, m), R, m) == residue_abs(x, m) && mulmod(residue_abs(qy, m), R, m) == residue_abs(y, m);
      });
    }
    case NatOp::Count: break;
  }
  return false;
}

}  // namespace leanbatch::host::natcheck
