// The environment's section of an export image: every declaration and constant field by
// field (fixed-width native integers), the meta line and the reading statistics. Decoding
// checks every length and id against the store it is loaded with, so a malformed section
// is an error, never an out-of-range id.
#include "env_image.hpp"

#include <cstring>

namespace leanbatch::host {

namespace {

class Out {
 public:
  template <class T>
  void put(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    const char* p = reinterpret_cast<const char*>(&v);
    buf.insert(buf.end(), p, p + sizeof(T));
  }
  void str(const std::string& s) {
    put<uint64_t>(s.size());
    buf.insert(buf.end(), s.begin(), s.end());
  }
  void names(const std::vector<Name>& ns) {
    put<uint32_t>(static_cast<uint32_t>(ns.size()));
    for (Name n : ns) put(n.id);
  }
  std::vector<char> buf;
};

class In {
 public:
  In(const char* p, size_t n) : p_(p), end_(p + n) {}
  template <class T>
  T get() {
    T v{};
    if (static_cast<size_t>(end_ - p_) < sizeof(T)) {
      ok = false;
      return v;
    }
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return v;
  }
  std::string str() {
    uint64_t n = get<uint64_t>();
    if (!ok || static_cast<uint64_t>(end_ - p_) < n) {
      ok = false;
      return {};
    }
    std::string s(p_, p_ + n);
    p_ += n;
    return s;
  }
  uint32_t id(uint32_t limit) {
    uint32_t v = get<uint32_t>();
    if (v >= limit) ok = false;
    return v;
  }
  std::vector<Name> names(uint32_t limit) {
    uint32_t n = get<uint32_t>();
    std::vector<Name> out;
    if (!ok || n > static_cast<size_t>(end_ - p_) / 4) {
      ok = false;
      return out;
    }
    out.reserve(n);
    for (uint32_t i = 0; i < n; ++i) out.push_back(Name{id(limit)});
    return out;
  }
  bool at_end() const { return p_ == end_; }
  bool ok = true;

 private:
  const char* p_;
  const char* end_;
};

}  // namespace

std::vector<char> encode_environment(const Environment& env) {
  Out o;
  const ExportMeta& m = env.meta;
  for (const std::string* s : {&m.format_version, &m.exporter_name, &m.exporter_version, &m.lean_version, &m.lean_githash})
    o.str(*s);
  const ReadStats& st = env.stats;
  for (uint64_t v : {st.bytes, st.lines, st.name_lines, st.level_lines, st.expr_lines, st.decl_lines}) o.put(v);
  o.put<uint64_t>(env.declarations().size());
  o.put<uint64_t>(env.constants().size());  // so that decoding reserves exactly (peak memory)
  for (const Declaration& d : env.declarations()) {
    o.put(static_cast<uint8_t>(d.kind));
    o.put(d.line);
    o.put(d.offset);
    o.put(d.num_consts);
    for (uint32_t i = 0; i < d.num_consts; ++i) {
      const ConstantInfo& c = env.constant(d.first_const + i);
      o.put(c.name.id);
      o.put(static_cast<uint8_t>(c.kind));
      o.names(c.lparams);
      o.put(c.type.id);
      o.put(c.value.id);
      o.put(static_cast<uint8_t>(c.hints.kind));
      o.put(c.hints.height);
      o.put(static_cast<uint8_t>(c.safety));
      o.put(static_cast<uint8_t>(c.quot_kind));
      o.names(c.all);
      for (uint32_t v : {c.num_params, c.num_indices, c.num_nested}) o.put(v);
      o.names(c.ctors);
      o.put(static_cast<uint8_t>(c.is_rec | (c.is_reflexive << 1) | (c.k << 2)));
      o.put(c.induct.id);
      for (uint32_t v : {c.cidx, c.num_fields, c.num_motives, c.num_minors}) o.put(v);
      o.put<uint32_t>(static_cast<uint32_t>(c.rules.size()));
      for (const RecursorRule& r : c.rules) {
        o.put(r.ctor.id);
        o.put(r.nfields);
        o.put(r.rhs.id);
      }
    }
  }
  return std::move(o.buf);
}

bool decode_environment(const char* data, size_t bytes, Environment& env, std::string& err) {
  In in(data, bytes);
  const TermStore& s = env.store();
  const uint32_t names = s.name_count();
  const uint32_t exprs = s.expr_count();
  ExportMeta& m = env.meta;
  for (std::string* f : {&m.format_version, &m.exporter_name, &m.exporter_version, &m.lean_version, &m.lean_githash})
    *f = in.str();
  ReadStats& st = env.stats;
  for (uint64_t* f : {&st.bytes, &st.lines, &st.name_lines, &st.level_lines, &st.expr_lines, &st.decl_lines})
    *f = in.get<uint64_t>();
  uint64_t ndecls = in.get<uint64_t>();
  uint64_t nconsts = in.get<uint64_t>();
  if (!in.ok || ndecls > bytes || nconsts > bytes / 64) {  // a constant takes at least 73 bytes here
    err = "the environment section is malformed";
    return false;
  }
  // Exactly the room needed: growing by doubling would hold the old and the new array at
  // once (measured: 69 MB of a 77 MB heap peak on Init.Prelude x100) and leave up to half of
  // the last one unused in every worker that maps the image.
  env.reserve(nconsts, ndecls);
  // An id is valid when it is below the table size; kNoId (absent value, rhs) is allowed
  // where the reader leaves it.
  auto expr_or_none = [&](uint32_t v) {
    if (v != kNoId && v >= exprs) in.ok = false;
    return Expr{v};
  };
  std::vector<ConstantInfo> consts;
  for (uint64_t di = 0; di < ndecls && in.ok; ++di) {
    Declaration d;
    d.kind = static_cast<DeclKind>(in.get<uint8_t>());
    d.line = in.get<uint64_t>();
    d.offset = in.get<uint64_t>();
    uint32_t nc = in.get<uint32_t>();
    if (!in.ok || nc > bytes) break;
    consts.clear();
    consts.resize(nc);
    for (ConstantInfo& c : consts) {
      c.name = Name{in.id(names)};
      c.kind = static_cast<ConstKind>(in.get<uint8_t>());
      c.lparams = in.names(names);
      c.type = expr_or_none(in.get<uint32_t>());
      c.value = expr_or_none(in.get<uint32_t>());
      c.hints.kind = static_cast<HintKind>(in.get<uint8_t>());
      c.hints.height = in.get<uint32_t>();
      c.safety = static_cast<Safety>(in.get<uint8_t>());
      c.quot_kind = static_cast<QuotKind>(in.get<uint8_t>());
      c.all = in.names(names);
      c.num_params = in.get<uint32_t>();
      c.num_indices = in.get<uint32_t>();
      c.num_nested = in.get<uint32_t>();
      c.ctors = in.names(names);
      uint8_t bits = in.get<uint8_t>();
      c.is_rec = bits & 1;
      c.is_reflexive = bits & 2;
      c.k = bits & 4;
      c.induct = Name{in.id(names)};
      c.cidx = in.get<uint32_t>();
      c.num_fields = in.get<uint32_t>();
      c.num_motives = in.get<uint32_t>();
      c.num_minors = in.get<uint32_t>();
      uint32_t nrules = in.get<uint32_t>();
      if (!in.ok || nrules > bytes) {
        in.ok = false;
        break;
      }
      c.rules.resize(nrules);
      for (RecursorRule& r : c.rules) {
        r.ctor = Name{in.id(names)};
        r.nfields = in.get<uint32_t>();
        r.rhs = expr_or_none(in.get<uint32_t>());
      }
      if (!in.ok) break;
    }
    if (!in.ok) break;
    env.add(d, std::span<ConstantInfo>(consts));
  }
  if (!in.ok || !in.at_end() || env.declarations().size() != ndecls || env.constants().size() != nconsts) {
    err = "the environment section is malformed";
    return false;
  }
  return true;
}

}  // namespace leanbatch::host
