#include "common/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

namespace leanbatch::tools {

void setup_logging(int verbosity, const std::string& name) {
  auto logger = spdlog::stderr_color_mt(name);
  logger->set_pattern("%n: %^%l%$: %v");
  spdlog::level::level_enum lvl = spdlog::level::warn;
  if (verbosity < 0) lvl = spdlog::level::err;
  if (verbosity == 1) lvl = spdlog::level::info;
  if (verbosity == 2) lvl = spdlog::level::debug;
  if (verbosity >= 3) lvl = spdlog::level::trace;
  logger->set_level(lvl);
  spdlog::set_default_logger(logger);
}

void report_error(const std::string& message) {
  std::fprintf(stderr, "leanbatch: error: %s\n", message.c_str());
  std::fflush(stderr);
}

}  // namespace leanbatch::tools
