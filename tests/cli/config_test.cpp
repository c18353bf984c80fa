// Defaults from LEANBATCH_* environment variables and a --config file, and their precedence:
// command line, then environment, then config file, then built-in defaults.
#include <fstream>

#include "cli_support.hpp"

using namespace lbcli;

namespace {

std::string write_config(const std::string& name, const std::string& text) {
  std::string path = std::string(LB_BINARY_DIR) + "/config-" + std::to_string(getpid()) + "-" + name;
  std::ofstream(path) << text;
  return path;
}

const std::string kImpostor = corpus("leanbatch/axiom-impostor-propext.reject.ndjson");
const std::string kGood = corpus("tutorial/good/001_basicDef.ndjson");

std::string first_type(const Proc& p) { return p.rows().empty() ? "" : field(p.rows().front(), "type"); }

}  // namespace

TEST_CASE("LEANBATCH_* variables set defaults for check and run options") {
  CHECK(run({"check", kImpostor}).exit == 0);
  CHECK(run({"check", kImpostor}, "", {"LEANBATCH_STRICT_AXIOMS=1"}).exit == 1);
  CHECK(run({"check", kImpostor}, "", {"LEANBATCH_STRICT_AXIOMS=false"}).exit == 0);
  CHECK(first_type(run({"check", kGood}, "", {"LEANBATCH_ROWS=item"})) == "item");
  CHECK(first_type(run({"check", "--in-process", kGood}, "", {"LEANBATCH_ROWS=item"})) == "item");
  // A manifest run reads them too.
  CHECK(first_type(run({"run", "-"}, kGood + "\n", {"LEANBATCH_ROWS=item"})) == "item");
  // --decl never comes from the environment.
  Proc p = run({"check", kGood}, "", {"LEANBATCH_DECL=nothing"});
  CHECK(p.exit == 0);
}

TEST_CASE("an invalid value from the environment is a usage error that names the variable") {
  Proc p = run({"check", kGood}, "", {"LEANBATCH_JOBS=5000"});
  CHECK(p.exit == 64);
  CHECK(p.out.empty());
  CHECK(p.err.find("LEANBATCH_JOBS=5000") != std::string::npos);
}

TEST_CASE("config: --config: TOML with [check] and [run] sections, a misspelt key or a missing file is an error") {
  std::string cfg = write_config("a.toml", "[check]\nstrict-axioms = true\nrows = \"item\"\n[run]\nrows = \"item\"\n");
  Proc p = run({"--config", cfg, "check", kImpostor});
  CHECK(p.exit == 1);
  CHECK(first_type(p) == "item");
  CHECK(first_type(run({"--config", cfg, "run", "-"}, kGood + "\n")) == "item");
  // LEANBATCH_CONFIG names the file when --config does not.
  CHECK(run({"check", kImpostor}, "", {"LEANBATCH_CONFIG=" + cfg}).exit == 1);

  std::string typo = write_config("typo.toml", "[check]\nstrict-axiom = true\n");
  Proc bad = run({"--config", typo, "check", kGood});
  CHECK(bad.exit == 64);
  CHECK(bad.err.find("strict-axiom") != std::string::npos);
  Proc missing = run({"--config", "/nonexistent/leanbatch.toml", "check", kGood});
  CHECK(missing.exit == 64);
  CHECK(missing.err.find("/nonexistent/leanbatch.toml") != std::string::npos);
  std::remove(cfg.c_str());
  std::remove(typo.c_str());
}

TEST_CASE("precedence: command line over environment over config file") {
  std::string cfg = write_config("p.toml", "[check]\nrows = \"item\"\n");
  // config alone
  CHECK(first_type(run({"--config", cfg, "check", kGood})) == "item");
  // environment over config
  CHECK(first_type(run({"--config", cfg, "check", kGood}, "", {"LEANBATCH_ROWS=decl"})) == "decl");
  // command line over environment and config
  CHECK(first_type(run({"--config", cfg, "check", "--rows", "item", kGood}, "", {"LEANBATCH_ROWS=decl"})) == "item");
  CHECK(first_type(run({"check", "--rows=decl", kGood}, "", {"LEANBATCH_ROWS=item"})) == "decl");
  std::remove(cfg.c_str());
}
