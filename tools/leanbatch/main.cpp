// leanbatch: batch proof checking of Lean 4 exports. Thin main: parse, wire, exit code.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>

#include "common/exit_codes.hpp"
#include "common/logging.hpp"
#include "leanbatch/commands.hpp"

#ifndef LEANBATCH_VERSION
#define LEANBATCH_VERSION "0.0.0"
#endif

namespace {

leanbatch::host::CancelToken g_cancel;  // the only global: reachable from the signal handler

extern "C" void on_interrupt(int) {
  g_cancel.request();  // an atomic store: async-signal-safe
}

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  // A closed stdout is reported by failed writes (then we stop), not by SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace leanbatch::tools;
  CLI::App app{"leanbatch: batch proof checking of Lean 4 exports (lean4export NDJSON 3.1)", "leanbatch"};
  app.set_version_flag("--version", std::string("leanbatch ") + LEANBATCH_VERSION);
  app.require_subcommand(1);
  int verbosity = 0;
  bool quiet = false;
  app.add_flag("-v,--verbose", verbosity, "more diagnostics on stderr (repeat for more)");
  app.add_flag("-q,--quiet", quiet, "only errors on stderr");

  CheckCliOptions check;
  auto* c = app.add_subcommand("check", "check every declaration of export files; one NDJSON row each, then a summary");
  c->add_option("files", check.files, "export files (lean4export NDJSON 3.1)")->required()->check(CLI::ExistingFile);
  c->add_option("--decl", check.decls, "check only this declaration (and what it depends on); repeatable");
  c->add_option("--allow-axiom", check.allow_axioms, "add an axiom to the allowlist (propext, Quot.sound, Classical.choice)");
  c->add_flag("--allow-unsafe", check.allow_unsafe, "check unsafe and partial declarations instead of declining them");
  c->add_flag("--axioms", check.axioms, "list the axioms each declaration depends on");
  c->add_flag("--strict-axioms", check.strict_axioms, "reject declarations that depend on axioms outside the allowlist");
  c->add_option("--budget-ms", check.budget_ms, "time budget per declaration in milliseconds (0: none)");
  c->add_flag("--in-process", check.in_process, "check in this process instead of supervised workers");
  c->add_option("-j,--jobs", check.jobs, "number of worker processes (default: number of CPUs)");
  c->add_flag("--events", check.events, "also print worker start/exit/restart events as rows");

  InfoOptions info;
  auto* i = app.add_subcommand("info", "describe an export file: a summary row, rows for named declarations");
  i->add_option("file", info.file, "export file")->required()->check(CLI::ExistingFile);
  i->add_option("--decl", info.decls, "add a row for this declaration (kind, universe parameters, type, dependencies)");
  i->add_option("--extract", info.extract, "write these declarations and their dependency closure to -o OUT")->expected(1, -1);
  i->add_option("-o,--output", info.output, "output file for --extract");

  ScaleOptions scale;
  auto* s = app.add_subcommand("make-scale-corpus", "write N renamed copies of an export (benchmark corpora)");
  s->add_option("input", scale.input, "valid export file")->required()->check(CLI::ExistingFile);
  s->add_option("copies", scale.copies, "number of copies")->required()->check(CLI::Range(1u, 1000000u));
  s->add_option("-o,--output", scale.output, "output file")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }
  setup_logging(quiet ? -1 : verbosity, "leanbatch");
  install_interrupt_handlers();
  RowWriter out(stdout);
  if (c->parsed()) {
    check.cancel = &g_cancel;
    return run_check(check, out);
  }
  if (i->parsed()) return run_info(info, out);
  if (s->parsed()) return run_make_scale_corpus(scale, out);
  return kExitUsage;
}
