#pragma once
/// Environment: the declarations of one export file, as read (not yet checked).
///
/// A Declaration is one declaration line of the export (an axiom, a definition, a theorem,
/// an opaque, one quotient constant, or a whole inductive block with its constructors and
/// recursors). It introduces one or more ConstantInfos. Everything the export states is kept
/// verbatim, including the data the kernel derives itself (recursors, isRec, numNested, …):
/// the kernel recomputes those and compares.
#include <cstdint>
#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "leanbatch/host/term_store.hpp"

namespace leanbatch::host {

/// A file as fstat sees it: device, inode, size, modification and status-change times (ns).
/// A rename, a write or a touch gives another identity (a write through a shared mapping into
/// an already dirty page does not: docs/kernel.md).
struct FileIdentity {
  uint64_t dev = 0, ino = 0, size = 0;
  int64_t mtime_ns = 0, ctime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
  std::string str() const {
    return std::to_string(dev) + ":" + std::to_string(ino) + ":" + std::to_string(size) + ":" +
           std::to_string(mtime_ns) + ":" + std::to_string(ctime_ns);
  }
};

enum class ConstKind : uint8_t { Axiom, Definition, Theorem, Opaque, Quot, Inductive, Constructor, Recursor };
enum class DeclKind : uint8_t { Axiom, Definition, Theorem, Opaque, Quot, Inductive };
enum class Safety : uint8_t { Safe, Unsafe, Partial };
enum class HintKind : uint8_t { Opaque, Abbrev, Regular };
enum class QuotKind : uint8_t { Type, Ctor, Lift, Ind };

const char* to_string(ConstKind k);
const char* to_string(DeclKind k);
const char* to_string(Safety s);
const char* to_string(QuotKind k);

struct ReducibilityHints {
  HintKind kind = HintKind::Opaque;
  uint32_t height = 0;
};

struct RecursorRule {
  Name ctor;
  uint32_t nfields = 0;
  Expr rhs;
};

struct ConstantInfo {
  // Field order packs the small fields together (160 bytes instead of 176): one per
  // constant in every worker (memory only).
  Name name;
  ConstKind kind = ConstKind::Axiom;
  Safety safety = Safety::Safe;
  QuotKind quot_kind = QuotKind::Type;
  bool is_rec = false;        // Inductive
  Expr type;
  Expr value;                // Definition, Theorem, Opaque
  ReducibilityHints hints;   // Definition
  // Inductive
  uint32_t num_params = 0;
  uint32_t num_indices = 0;
  uint32_t num_nested = 0;
  // Constructor
  Name induct;
  uint32_t cidx = 0;
  uint32_t num_fields = 0;
  // Recursor
  uint32_t num_motives = 0;
  uint32_t num_minors = 0;

  uint32_t decl = 0;  ///< index of the owning Declaration
  bool is_reflexive = false;  // Inductive
  bool k = false;             // Recursor

  std::vector<Name> lparams;
  std::vector<Name> all;     // Definition, Theorem, Opaque, Inductive, Recursor
  std::vector<Name> ctors;   // Inductive
  std::vector<RecursorRule> rules;  // Recursor

  bool is_unsafe() const { return safety == Safety::Unsafe; }
  /// Delta-unfoldable (definitions and theorems; never opaque constants).
  bool has_value() const { return kind == ConstKind::Definition || kind == ConstKind::Theorem; }
  /// Index of the major premise among a recursor's arguments.
  uint32_t major_index() const { return num_params + num_motives + num_minors + num_indices; }
};

struct Declaration {
  DeclKind kind = DeclKind::Axiom;
  uint64_t line = 0;    ///< 1-based line of the export file
  uint64_t offset = 0;  ///< byte offset of that line
  uint32_t first_const = 0;
  uint32_t num_consts = 0;
};

/// What the `meta` line said.
struct ExportMeta {
  std::string format_version;
  std::string exporter_name;
  std::string exporter_version;
  std::string lean_version;
  std::string lean_githash;
};

/// Counts gathered while reading.
struct ReadStats {
  uint64_t bytes = 0;
  uint64_t lines = 0;
  uint64_t name_lines = 0;
  uint64_t level_lines = 0;
  uint64_t expr_lines = 0;
  uint64_t decl_lines = 0;
  double seconds = 0;
};

/// What a read recorded for prefix reuse (ReadOptions::record_trail; internal to the reader).
struct ReadTrail;

class Environment {
 public:
  explicit Environment(std::shared_ptr<TermStore> store) : store_(std::move(store)) {}

  TermStore& store() const { return *store_; }
  const std::shared_ptr<TermStore>& store_ptr() const { return store_; }

  const std::vector<ConstantInfo>& constants() const { return constants_; }
  const ConstantInfo& constant(uint32_t i) const { return constants_[i]; }
  const std::vector<Declaration>& declarations() const { return decls_; }
  const Declaration& declaration(uint32_t i) const { return decls_[i]; }

  /// First constant with this name, in file order.
  std::optional<uint32_t> find(Name n) const {
    if (n.id >= by_name_.size() || by_name_[n.id] == 0) return std::nullopt;
    return by_name_[n.id] - 1;
  }
  /// Constants whose printed name is `printed` (normally at most one; duplicates are kept).
  std::vector<uint32_t> find_printed(const std::string& printed) const;

  /// Appends a declaration and its constants (the constants' `decl` field is set here).
  uint32_t add(Declaration d, std::vector<ConstantInfo> consts);
  /// Same, moving the constants out of `consts` (no vector is handed over).
  uint32_t add(Declaration d, std::span<ConstantInfo> consts);
  /// Room for this many more constants and declarations (speed and peak memory only).
  void reserve(size_t constants, size_t declarations);

  ExportMeta meta;
  ReadStats stats;
  std::string source;  ///< file path the environment was read from
  /// Prefix reuse (export_reader.hpp): the trail of this read, if recorded, and how many
  /// declarations came from another export's identical prefix instead of being read.
  std::shared_ptr<const ReadTrail> trail;
  uint32_t seeded_decls = 0;
  /// The file began with bytes of ReadOptions::prefix_from's file (seeded or, when that
  /// store was full, read on its own).
  bool shared_prefix = false;
  /// The SHA-256 of exactly the bytes this environment was read from, when the reader was
  /// asked for it (ReadOptions::hash_bytes) or the image it was mapped from recorded it.
  /// Soundness: the parts of a split export, loaded by several workers, are joined only
  /// if they were read from the same bytes (docs/kernel.md, "parts").
  std::optional<std::array<uint8_t, 32>> bytes_sha256;
  /// The file this environment was read from, as the descriptor read saw it (fstat, the same
  /// before and after reading), not as a path names it now. Soundness: the rows of one export
  /// are used only if they all come from copies of the same file state (docs/kernel.md).
  std::optional<FileIdentity> source_file;

 private:
  std::shared_ptr<TermStore> store_;
  std::vector<ConstantInfo> constants_;
  std::vector<Declaration> decls_;
  std::vector<uint32_t> by_name_;  ///< name id -> first constant + 1 (0: none); name ids are dense
};

}  // namespace leanbatch::host
