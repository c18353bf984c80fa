#include "leanbatch/env_defaults.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace leanbatch::tools {

std::string env_name(const std::string& long_name) {
  std::string e = "LEANBATCH_";
  for (char c : long_name) e += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return e;
}

namespace {

// Does the command line give this option (as --name, --name=v, -s or -sVALUE)?
bool given(const std::vector<std::string>& args, size_t from, const CLI::Option* opt) {
  for (size_t k = from; k < args.size(); ++k) {
    const std::string& a = args[k];
    if (a == "--") break;
    for (const std::string& l : opt->get_lnames())
      if (a == "--" + l || a.rfind("--" + l + "=", 0) == 0) return true;
    for (const std::string& s : opt->get_snames())
      if (a.size() >= 2 && a[0] == '-' && a[1] != '-' && a.compare(1, s.size(), s) == 0) return true;
  }
  return false;
}

}  // namespace

EnvDefaults apply_environment(int argc, char** argv, const std::vector<CLI::App*>& subcommands,
                              const std::vector<std::string>& excluded) {
  EnvDefaults r;
  r.args.assign(argv, argv + argc);
  // The subcommand is the first word that is not an option or the value of --config (the
  // only global option that takes one).
  size_t at = 1;
  while (at < r.args.size() && !r.args[at].empty() && r.args[at][0] == '-') at += r.args[at] == "--config" ? 2 : 1;
  if (at >= r.args.size()) return r;
  CLI::App* sub = nullptr;
  for (CLI::App* s : subcommands)
    if (s->get_name() == r.args[at]) sub = s;
  if (!sub) return r;
  std::vector<std::string> extra;
  for (const CLI::Option* opt : sub->get_options()) {
    if (opt->get_lnames().empty() || opt->get_positional()) continue;
    const std::string& name = opt->get_lnames().front();
    if (name == "help" || std::find(excluded.begin(), excluded.end(), name) != excluded.end()) continue;
    std::string var = env_name(name);
    const char* v = std::getenv(var.c_str());
    if (!v || !*v || given(r.args, at + 1, opt)) continue;
    if (opt->get_expected_max() == 0) {
      // A flag: 1/true/yes/on sets it; 0/false/no/off leaves it unset.
      std::string b(v);
      std::transform(b.begin(), b.end(), b.begin(), [](unsigned char c) { return std::tolower(c); });
      if (b == "1" || b == "true" || b == "yes" || b == "on") extra.push_back("--" + name);
      else if (!(b == "0" || b == "false" || b == "no" || b == "off")) extra.push_back("--" + name + "=" + v);  // CLI11 reports it
    } else {
      extra.push_back("--" + name + "=" + v);
    }
    r.used.push_back(var + "=" + v);
  }
  // Before a `--` (after which everything is positional), else at the end.
  auto dashdash = std::find(r.args.begin() + static_cast<long>(at), r.args.end(), "--");
  r.args.insert(dashdash, extra.begin(), extra.end());
  return r;
}

}  // namespace leanbatch::tools
