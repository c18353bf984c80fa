#pragma once
// The environment's section of an export image (private to src/image/).
#include <string>
#include <vector>

#include "leanbatch/host/environment.hpp"

namespace leanbatch::host {

std::vector<char> encode_environment(const Environment& env);
/// Fills an empty `env` whose store is already loaded. False with `err` when malformed.
bool decode_environment(const char* data, size_t bytes, Environment& env, std::string& err);

}  // namespace leanbatch::host
