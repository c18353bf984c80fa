#pragma once
/// Enabling the built-in extensions only for the expected declarations.
///
/// Soundness-critical. The kernel evaluates `Nat.add 2 3` with GMP, turns literals into
/// `Nat.succ`/`Nat.zero` and string literals into `String.mk [Char.ofNat …]`. Those are
/// definitional equalities only if the environment's declarations are the standard ones:
///  - `Nat` must be the inductive `Nat : Type` with `Nat.zero : Nat`, `Nat.succ : Nat → Nat`
///    (and `Bool` the inductive with `Bool.false`, `Bool.true`);
///  - each accelerated operation must satisfy, definitionally and with free variables, the
///    recursion equations that determine it on numerals (e.g. `Nat.add x 0 ≡ x`,
///    `Nat.add y (x+1) ≡ Nat.succ (Nat.add y x)`); by induction it then agrees with GMP on
///    every pair of literals. Operations that fail the check are simply not accelerated
///    (ordinary unfolding still applies), so a wrong definition costs speed, never soundness;
///  - `Nat.div`, `Nat.mod`, `Nat.gcd`, `Nat.land/lor/xor` are defined by fuel or well-founded
///    recursion, whose equations are not definitional with free variables: they are
///    accelerated only when the declaration with its whole dependency closure is exactly one
///    of Lean's own (its SHA-256 Merkle digest, decl_digest.hpp, is in a table of digests
///    taken from real Lean exports), and unfolding it on small literals never disagrees;
///  - string literal expansion needs `List`, `Char`, `Char.ofNat : Nat → Char` and
///    `String.mk : List Char → String` (or `String.ofList`) with those types;
///  - literals themselves are typed only after this: a Nat literal once `Nat` is verified,
///    a string literal once a closed term of type `String` was type-checked (a witness:
///    a constructor without arguments, `String.mk []`, or `String.ofByteArray` of the
///    encoding of `[]` with its validity proof). Before the expansion exists a string
///    literal is then an opaque constant of an inhabited type, which proves nothing new.
#include <cstdint>

#include "leanbatch/host/kernel/type_checker.hpp"

namespace leanbatch::host {

class DeclDigests;

/// Called after declaration `decl_index` was accepted (the store is in scratch mode).
/// `verified`: the checker's verification digests (with proofs), if it has them; speed only.
void update_primitives(KernelEnv& kenv, const CheckControl& control, uint32_t decl_index,
                       const DeclDigests* verified = nullptr);

}  // namespace leanbatch::host
