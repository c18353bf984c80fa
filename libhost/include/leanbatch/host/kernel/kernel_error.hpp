#pragma once
/// Kernel errors. Inside the kernel a failed check throws KernelError; the declaration
/// checker turns it into a Verdict at exactly one place (check_declaration). Nothing
/// thrown here ever leaves libhost.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace leanbatch::host {

enum class KernelErrorKind : uint8_t {
  UnknownConstant,      ///< no declaration of that name in the file
  DeclaredLater,        ///< used before its declaration line (also self-reference)
  DependsOnRejected,    ///< refers to a declaration that was rejected
  DependsOnDeclined,    ///< refers to a declaration that was declined
  DependsOnTimeout,     ///< refers to a declaration whose check timed out (skipped)
  DependsOnCrashed,     ///< refers to a declaration whose check killed a worker (skipped)
  AlreadyDeclared,      ///< a name declared twice
  TypeExpected,         ///< something that must be a type is not a sort
  FunctionExpected,
  AppTypeMismatch,
  DefTypeMismatch,      ///< value's type differs from the declared type
  LetTypeMismatch,
  TheoremNotProp,
  InvalidProj,
  UndefinedLevelParam,
  DuplicateLevelParam,
  LevelCountMismatch,
  LooseBVar,
  UnsafeUse,            ///< a safe declaration uses an unsafe or partial one
  InvalidInductive,
  InvalidRecursor,      ///< exported recursor / type info differs from the derived one
  InvalidQuot,
  InvalidLiteral,       ///< a literal whose type (Nat / String) is not the verified declaration
  UnsupportedLiteral,   ///< declined: a Nat literal while `Nat` has a shape the kernel cannot use
  AxiomNotAllowed,
  UnsafeDeclaration,    ///< declined: unsafe declarations need --allow-unsafe
  PartialDeclaration,   ///< declined: partial definitions need --allow-unsafe
  NativeReduction,      ///< declined: Lean.reduceBool / Lean.reduceNat need Lean's compiler
  KernelLimit,          ///< nesting too deep for the configured stack
  Budget,               ///< per-declaration time / memory budget exhausted
  Cancelled,
  Internal,             ///< a leanbatch bug (an invariant failed)
};

const char* to_string(KernelErrorKind k);

struct KernelError {
  KernelErrorKind kind;
  std::string message;
  /// Pretty-printed terms involved, labelled ("expected", "inferred", "term", …).
  std::vector<std::pair<std::string, std::string>> terms;
};

}  // namespace leanbatch::host
