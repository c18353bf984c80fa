// Checking through supervised workers: one export split into parts (docs/kernel.md,
// "One export over several workers"): the early start from a warm import, the split, the
// blocks a part pulls, and the join. The rest of the engine: supervised_run.cpp,
// supervised_copies.cpp, supervised_rows.cpp.
#include "leanbatch/supervised_engine.hpp"
#include "leanbatch/file_cache.hpp"

namespace leanbatch::tools {
namespace supervised {

void Engine::early_start(size_t f, const proto::ImportResponse& warm) {
  FileState& fs = files_[f];
  if (fs.state != FileState::State::Pending || fs.early || fs.released) return;
  if (split_parts_ < 2 || warm.declarations < 2 * part_block_) return;
  for (size_t i : fs.waiting)
    if (!items_[i].decls.empty() || states_[i].started) return;
  fs.early = true;
  fs.info.declarations = warm.declarations;
  spdlog::info("'{}': {} declarations (from a warm import: checking starts before the table arrives)", fs.path,
               warm.declarations);
  for (size_t i : std::vector<size_t>(fs.waiting)) start_item(i);
}

// Splits whole-file item i into parts, each a sub-item checked in part mode. The parts draw
// blocks of kPartBlock declarations, in file order, from the item as they need work
// (pull_blocks): a part on cheap declarations takes more of them, and the parts end together.
// Dealing the blocks round-robin up front left the parts of yoneda x100 (declarations that
// differ in cost by orders of magnitude) 0.5 s apart in checking time (2.8 against 3.3 s);
// drawn, they end within 0.1 s.
void Engine::split(size_t i) {
  size_t k = split_parts_;
  files_[states_[i].file].split = true;
  states_[i].next_block = 0;
  states_[i].open_parts = k;
  states_[i].all_ok = true;
  states_[i].frontier = 0;
  for (size_t p = 0; p < k; ++p) {
    ItemState sub;
    sub.file = states_[i].file;
    sub.origin = i;
    sub.part = static_cast<uint32_t>(p + 1);
    sub.started = true;
    states_.push_back(std::move(sub));
    states_[i].subs.push_back(states_.size() - 1);
  }
  spdlog::info("'{}': checking {} declarations in {} parts ({:.2f}s)", items_[i].display, states_[i].planned.size(), k,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count());
  for (size_t sub : std::vector<size_t>(states_[i].subs)) schedule(sub);
}

// The join, when every part is done. All rows final and printed: done. Otherwise the rows
// from the first one that is not ok on rest on a false assumption: they are dropped and
// that rest is checked serially, which gives exactly the serial rows (the serial checker
// checks what they depend on first, without reporting it again).
void Engine::part_finished(size_t i) {
  ItemState& o = states_[i];
  if (o.open_parts == 0 || --o.open_parts > 0) return;
  advance_frontier(i);
  o.subs.clear();
  o.held.clear();
  if (o.frontier == o.planned.size()) {
    spdlog::info("'{}': every part accepted everything ({:.2f}s)", items_[i].display,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count());
    item_finished(i);
    return;
  }
  spdlog::info("'{}': {} declarations after the first one not accepted are checked again serially",
               items_[i].display, o.planned.size() - o.frontier);
  o.cursor = o.frontier;
  o.chunk = kFirstChunk;
  schedule(i);
}

// A part out of work takes the next blocks of its item, in file order: as many as its chunk
// asks for, but at most its share of what is left (a half of it split among the parts:
// guided self-scheduling), so that the last blocks are spread over the parts. Blocks go out
// in increasing file order, so every part's declarations keep increasing, which its
// part-mode checker needs (it assumes what it passes; docs/kernel.md, "parts").
void Engine::pull_blocks(size_t i) {
  ItemState& s = states_[i];
  ItemState& o = states_[s.origin];
  const size_t left = o.planned.size() - o.next_block;
  if (left == 0) return;
  const size_t blocks_left = (left + part_block_ - 1) / part_block_;
  const size_t want = std::max<size_t>(1, (s.chunk + part_block_ - 1) / part_block_);
  const size_t share = std::max<size_t>(1, blocks_left / (2 * split_parts_));
  const size_t take = std::min(left, std::min(want, share) * part_block_);
  s.planned.insert(s.planned.end(), o.planned.begin() + static_cast<std::ptrdiff_t>(o.next_block),
                   o.planned.begin() + static_cast<std::ptrdiff_t>(o.next_block + take));
  o.next_block += take;
}

}  // namespace supervised
}  // namespace leanbatch::tools
