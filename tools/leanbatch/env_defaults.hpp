#pragma once
/// Defaults from the environment for `check` and `run`: LEANBATCH_<OPTION> (the long option
/// name in capitals, `-` as `_`: LEANBATCH_JOBS=4, LEANBATCH_STRICT_AXIOMS=1,
/// LEANBATCH_ROWS=item, …) stands for `--option value` when the command line does not give
/// that option. Precedence: the command line, then the environment, then the --config file
/// (CLI11 fills from the file only what is still unset), then the built-in default.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace leanbatch::tools {

struct EnvDefaults {
  std::vector<std::string> args;  ///< argv with the environment's options appended
  std::vector<std::string> used;  ///< "NAME=value" of each variable that was applied
};

/// `subcommands`: the subcommands whose options may come from the environment (check, run).
/// `excluded`: long names that never do (e.g. "decl": a name list belongs on the command line).
EnvDefaults apply_environment(int argc, char** argv, const std::vector<CLI::App*>& subcommands,
                              const std::vector<std::string>& excluded);

/// The variable for a long option name: "max-restarts" → "LEANBATCH_MAX_RESTARTS".
std::string env_name(const std::string& long_name);

}  // namespace leanbatch::tools
