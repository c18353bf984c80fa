#pragma once
/// Independent checks of the GMP results the kernel's Nat extension uses.
///
/// Why: Lean requires GMP 6.3.0 (lean4 #14833) because earlier versions have bugs that can
/// give wrong results in corner cases, and Debian 12 ships 6.2.1. A wrong native result is an
/// unsound reduction. So the kernel never takes a GMP result on trust:
///  * operands that fit in 64 bits are computed without GMP at all (exact, and faster);
///  * for bigger ones every result is checked by code that shares nothing with GMP's
///    arithmetic (it reads limbs only): comparisons and bitwise operations exactly, limb by
///    limb; the arithmetic ones by their defining equations modulo two random odd 61-bit
///    moduli drawn once per process (division and gcd through their certificates:
///    x = q·y + r with 0 <= r < y; Bézout s·x + t·y = g with g | x, g | y).
/// A wrong result passes a modular check only if the modulus divides the error; for an error
/// below 2^(2^30) (the numeral size limit) that is at most ~2^24 of the 2^59 candidate
/// moduli, so both checks pass with probability below 2^-68, whatever the inputs.
#include <gmpxx.h>

#include <cstdint>
#include <optional>

#include "leanbatch/host/kernel/kernel_env.hpp"

namespace leanbatch::host::natcheck {

/// The result of `op` on operands below 2^64, computed without GMP; nullopt when the result
/// does not fit in 128 bits or the operation is not one of the small-operand ones.
/// Beq/Ble give 1 (true) or 0.
std::optional<unsigned __int128> small(NatOp op, uint64_t x, uint64_t y);

/// Does `r` pass the independent check of being `op(x, y)` (Beq/Ble: r is 1 or 0)?
/// Division and modulo by zero follow Lean (x / 0 = 0, x % 0 = x).
bool verify(NatOp op, const mpz_class& x, const mpz_class& y, const mpz_class& r);

/// Residue of v modulo m, from v's limbs (no GMP arithmetic). For the tests.
uint64_t residue(const mpz_class& v, uint64_t m);

}  // namespace leanbatch::host::natcheck
