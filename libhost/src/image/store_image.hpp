#pragma once
// The term store's sections of an export image (private to src/image/).
#include <string>

#include "image_io.hpp"

namespace leanbatch::host {

class TermStore;

/// Friend of TermStore: writes its tables as image sections, and loads them back into a
/// fresh store (copies of the small tables, copy-on-write mappings of the expressions).
struct StoreImage {
  static bool write(const TermStore& s, image::SectionWriter& w);
  /// `s` must be freshly constructed. False with `err` set when a section is malformed.
  static bool load(TermStore& s, const image::ImageView& v, std::string& err);
};

}  // namespace leanbatch::host
