// leanbatch: batch proof checking of Lean 4 exports. Thin main: parse, wire, exit code.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstdio>

#include "common/exit_codes.hpp"
#include "common/logging.hpp"
#include "leanbatch/commands.hpp"
#include "leanbatch/host/name_syntax.hpp"
#include "leanbatch/env_defaults.hpp"

#ifndef LEANBATCH_VERSION
#define LEANBATCH_VERSION "0.0.0"
#endif

namespace {

// Reachable from the in-process signal handler (worker mode uses libsupervise's guard).
leanbatch::host::CancelToken g_cancel;

extern "C" void on_interrupt(int) {
  g_cancel.request();  // an atomic store: async-signal-safe
}

void install_in_process_interrupts() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);  // a closed terminal: the same orderly stop
}

// A repeatable option takes exactly one value per occurrence (`--decl A --decl B`): taking
// every following word would swallow the export files after it, so a CI job would check
// fewer files than it names.
CLI::Option* one_value_each(CLI::Option* opt) {
  return opt->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

void add_check_options(CLI::App* c, leanbatch::tools::CheckCliOptions& o) {
  one_value_each(c->add_option("--decl", o.decls, "check only this declaration (after what it depends on); repeatable"));
  // Lean's name syntax: `«a.b»` is the one-component name, `a.b` two components.
  one_value_each(c->add_option("--allow-axiom", o.allow_axioms,
                               "add an axiom to the allowlist (propext, Quot.sound, Classical.choice); Lean's name "
                               "syntax, \u00abquoted\u00bb components; repeatable"))
      ->check(CLI::Validator(
          [](std::string& v) {
            auto r = leanbatch::host::parse_lean_name(v);
            return r ? std::string() : "not a Lean name: " + r.error();
          },
          "NAME"));
  c->add_flag("--allow-unsafe", o.allow_unsafe, "check unsafe and partial declarations instead of declining them");
  c->add_flag("--axioms", o.axioms, "list the axioms each declaration depends on");
  c->add_flag("--strict-axioms", o.strict_axioms, "reject declarations that depend on axioms outside the allowlist");
  c->add_option("--budget-ms", o.budget_ms, "time budget per declaration in milliseconds (0: none)");
  c->add_flag("--in-process", o.in_process, "check in this process instead of supervised workers");
  c->add_flag("--reuse", o.reuse,
              "accept again, without checking, a declaration identical to one already verified in this run over "
              "identical dependencies (\"reused\" in its row; the default for run with several exports)");
  c->add_flag("--no-reuse", o.no_reuse, "check every declaration of every export (a --cache is then neither read nor written)");
  c->add_option("--cache", o.cache,
                "keep the keys of verified declarations in this directory between runs: an unchanged declaration over "
                "unchanged dependencies is not checked again (\"reused\":\"cache\"; docs/kernel.md)");
  c->add_option("--image-dir", o.image_dir,
                "keep export images in this directory: a later load of an unchanged export maps its image instead of "
                "parsing it (default: DIR/images with --cache; supervised runs otherwise use a temporary directory)");
  c->add_flag("--no-images", o.no_images, "never write or map export images (every load parses the export)");
  c->add_option("--image-min-mb", o.image_min_mb, "exports smaller than this many MiB are only parsed, never imaged");
  c->add_flag("--no-split", o.no_split, "never split one export over several workers (by default an export is split when there are fewer files than workers)");
  c->add_option("-j,--jobs", o.jobs, "number of worker processes (default: number of CPUs; at most 1024)")
      ->check(CLI::Range(0u, 1024u));
  c->add_option("--cpu-affinity", o.cpu_affinity,
                "auto: when there are more CPUs than workers, pin each worker to a CPU of its own and the driver to "
                "the rest (a worker that migrates between CPUs loses its caches); off: leave placement to the scheduler")
      ->check(CLI::IsMember({"auto", "off"}));
  c->add_flag("--events", o.events, "also print worker start/exit/restart events as rows");
  c->add_option("--shard", o.shard, "check only shard I of N (I/N, 1-based): every N-th export file, or every N-th item when there are fewer files than shards");
  c->add_option("--request-timeout-s", o.request_timeout_s, "watchdog per worker request in seconds (0: none)");
  c->add_option("--max-requests", o.max_requests, "restart a worker after this many requests (0: never)");
  c->add_option("--max-imports", o.max_imports, "restart a worker after this many distinct exports (0: never)");
  c->add_option("--max-retained-mb", o.max_retained_mb, "restart a worker retaining more than this (0: no limit)");
  c->add_option("--rss-soft-mb", o.rss_soft_mb, "restart a worker between requests above this RSS (0: no limit)");
  c->add_option("--rss-hard-mb", o.rss_hard_mb,
                "kill a worker during a request above this RSS (0: no limit; default: 80% of the available memory "
                "divided by the number of workers)")
      ->default_str("auto");
  c->add_option("--idle-restart-s", o.idle_restart_s, "restart a worker idle for this long (0: never)");
  c->add_option("--max-restarts", o.max_restarts, "give up after this many worker failures within 60 s");
  c->add_option("--address-space-mb", o.address_space_mb, "address-space limit (RLIMIT_AS) of each worker (0: none)");
  c->add_option("--max-environments", o.max_environments, "exports each worker keeps loaded, least recently used dropped first")
      ->check(CLI::Range(1u, 1024u));
  // The report (run_report.hpp): the same in every mode.
  c->add_option_function<std::string>(
       "--rows", [&o](const std::string& v) { o.report.item_rows = v == "item"; },
       "decl: a row per declaration (default); item: one \"item\" row per export or manifest item instead, with "
       "its counts, time and first failure")
      ->check(CLI::IsMember({"decl", "item"}));
  c->add_option_function<std::string>(
       "--order", [&o](const std::string& v) { o.report.input_order = v == "input"; },
       "completion: rows as results arrive (default); input: in the order of the files or manifest items "
       "(held in a bounded buffer)")
      ->check(CLI::IsMember({"completion", "input"}));
  c->add_option("--junit", o.report.junit, "also write a JUnit XML report to this file (a testsuite per export, a "
                                           "testcase per declaration)");
  c->add_option_function<std::string>(
       "--progress",
       [&o](const std::string& v) {
         o.report.progress = v == "always" ? leanbatch::tools::ProgressMode::Always
                           : v == "never"  ? leanbatch::tools::ProgressMode::Never
                                           : leanbatch::tools::ProgressMode::Auto;
       },
       "a live progress line on stderr: auto (default: when stderr is a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace leanbatch::tools;
  CLI::App app{"leanbatch: batch proof checking of Lean 4 exports (lean4export NDJSON 3.1 and 3.0)", "leanbatch"};
  app.set_version_flag("--version", std::string("leanbatch ") + LEANBATCH_VERSION);
  app.require_subcommand(1);
  // --help shows each option's default (options bound to a variable show its initial value).
  app.option_defaults()->always_capture_default();
  app.footer("Exit status: 0 all accepted, 1 rejected or malformed, 2 declined (nothing rejected), 3 undecided\n"
             "(crash, timeout, I/O), 64 usage, 130 interrupted. `leanbatch SUBCOMMAND --help` for examples;\n"
             "man leanbatch for the rows (docs/rows.md).");
  int verbosity = 0;
  bool quiet = false;
  app.add_flag("-v,--verbose", verbosity, "more diagnostics on stderr (repeat for more)");
  app.add_flag("-q,--quiet", quiet, "only errors on stderr");

  CheckCliOptions check;
  auto* c = app.add_subcommand("check", "check every declaration of export files; one NDJSON row each, then a summary");
  // No existence check here: a missing or unreadable export is one `file` row (exit 3) and
  // the files beside it are still checked.
  c->add_option("files", check.files,
                "export files (lean4export NDJSON 3.1 or 3.0); - (standard input), pipes and <(...) are read too")
      ->required();
  add_check_options(c, check);
  c->footer(
      "Examples:\n"
      "  leanbatch check Mathlib.ndjson                    every declaration, a worker per CPU\n"
      "  leanbatch check -j8 --strict-axioms a.ndjson b.ndjson\n"
      "  leanbatch check --decl Nat.add_comm lib.ndjson    one declaration (after what it needs)\n"
      "  lake exe lean4export Foo | leanbatch check -      an export on standard input\n"
      "  leanbatch check --rows item --junit report.xml exports/*.ndjson | jq -c .\n"
      "Exit status: 0 all accepted, 1 rejected or malformed, 2 declined, 3 undecided, 64 usage, 130 interrupted.\n"
      "Options also come from LEANBATCH_<OPTION> variables (LEANBATCH_JOBS=8) and --config FILE;\n"
      "the command line wins over the environment, which wins over the file.");

  CheckCliOptions run;
  run.is_run = true;
  auto* r = app.add_subcommand("run", "check the items of a manifest (NDJSON or plain text)");
  r->add_option("manifest", run.files, "manifest file (- for standard input)")
      ->required()
      ->expected(1)
      ->check(CLI::ExistingFile | CLI::IsMember({"-"}));
  add_check_options(r, run);
  r->footer(
      "Manifest: one item per line, NDJSON ({\"file\": \"a.ndjson\", \"decls\": [\"X\"], \"module\": \"A\"}) or plain text\n"
      "(`path`, or `path#Decl.name` for one declaration; `#` starts a comment). Relative paths resolve\n"
      "against the manifest's folder (the working directory for `-`).\n"
      "Examples:\n"
      "  leanbatch run modules.txt\n"
      "  leanbatch run -j16 --max-imports 200 --rows item sweep.ndjson\n"
      "  find exports -name '*.ndjson' | leanbatch run -\n"
      "  leanbatch run --shard 2/4 modules.txt             the second of four machines\n"
      "Exit status and option defaults as for check (leanbatch check --help).");

  InfoOptions info;
  auto* i = app.add_subcommand("info", "describe an export file: a summary row, rows for named declarations");
  i->add_option("file", info.file, "export file")->required()->check(CLI::ExistingFile);
  one_value_each(i->add_option("--decl", info.decls, "add a row for this declaration (kind, universe parameters, type, dependencies); repeatable"));
  one_value_each(i->add_option("--extract", info.extract, "write this declaration and its dependency closure to -o OUT; repeatable"));
  auto* info_out = i->add_option("-o,--output", info.output, "output file for --extract");
  i->footer("Examples:\n"
            "  leanbatch info Mathlib.ndjson                     counts, format, exporter, read speed\n"
            "  leanbatch info lib.ndjson --decl Nat.add_comm     kind, type, dependencies, digest\n"
            "  leanbatch info lib.ndjson --extract Nat.add_comm -o small.ndjson   a minimal export");
  i->get_option("--extract")->needs(info_out);

  ScaleOptions scale;
  auto* s = app.add_subcommand("make-scale-corpus",
                               "write N renamed copies of an export, or M module exports sharing a base (benchmark corpora)");
  s->add_option("input", scale.input, "valid export file")->required()->check(CLI::ExistingFile);
  s->add_option("copies", scale.copies, "number of copies (one output file)")->check(CLI::Range(1u, 1000000u));
  s->add_option("-o,--output", scale.output, "output file (a directory with --modules)")->required();
  auto* mods = s->add_option("--modules", scale.modules,
                             "write M module exports and a manifest into the directory OUT instead")
                   ->check(CLI::Range(1u, 100000u));
  s->add_option("--shared-fraction", scale.shared_fraction,
                "with --modules: the first F of the declarations (closed under dependencies) form the shared base")
      ->check(CLI::Range(0.0, 1.0))
      ->needs(mods);

  s->footer("Examples:\n"
            "  leanbatch make-scale-corpus Init.Prelude.ndjson 100 -o prelude-x100.ndjson\n"
            "  leanbatch make-scale-corpus Init.Prelude.ndjson --modules 200 --shared-fraction 0.9 -o sweep/");

  CacheOptions cache;
  auto* ca = app.add_subcommand("cache", "the verification cache of --cache: stats (entries, size) or clear");
  ca->require_subcommand(1);
  auto* ca_stats = ca->add_subcommand("stats", "a row with the cache's entries, size and schema");
  auto* ca_clear = ca->add_subcommand("clear", "remove every entry (the next run checks everything)");
  for (CLI::App* sub : {ca_stats, ca_clear}) {
    sub->add_option("dir", cache.dir, "the cache directory (default: LEANBATCH_CACHE)");
    sub->fallthrough();
  }
  ca->fallthrough();

  PlanOptions plan;
  auto* pl = app.add_subcommand("plan", "split one export into K manifest items (to spread it over machines with `run`)");
  pl->add_option("file", plan.file, "export file")->required()->check(CLI::ExistingFile);
  pl->add_option("--parts", plan.parts, "number of items")->check(CLI::Range(1u, 100000u));
  pl->footer("Example: leanbatch plan Mathlib.ndjson --parts 4 > parts.ndjson, then on machine I of 4:\n"
             "  leanbatch run --shard I/4 parts.ndjson");

  // Defaults from a file: TOML or INI, options by long name, in [check] / [run] sections.
  app.allow_config_extras(CLI::config_extras_mode::error);  // a misspelt key is an error, not ignored
  app.set_config("--config", "", "read default options from this TOML/INI file ([check] and [run] sections; "
                                 "also LEANBATCH_CONFIG)");

  // -v / -q also after the subcommand.
  for (CLI::App* sub : {c, r, i, s, pl}) sub->fallthrough();
  // Precedence: command line, then LEANBATCH_* variables, then the config file (env_defaults.hpp).
  EnvDefaults env = apply_environment(argc, argv, {c, r}, {"decl"});
  if (const char* cfg = std::getenv("LEANBATCH_CONFIG");
      cfg && *cfg && std::none_of(env.args.begin() + 1, env.args.end(), [](const std::string& a) {
        return a == "--config" || a.rfind("--config=", 0) == 0;
      })) {
    env.args.insert(env.args.begin() + 1, std::string("--config=") + cfg);
    env.used.push_back(std::string("LEANBATCH_CONFIG=") + cfg);
  }
  std::vector<char*> args;
  for (std::string& a : env.args) args.push_back(a.data());
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    if (rc != 0 && !env.used.empty()) {
      std::string vars;
      for (const std::string& u : env.used) vars += (vars.empty() ? "" : ", ") + u;
      report_error("(options taken from the environment: " + vars + ")");
    }
    return rc == 0 ? 0 : kExitUsage;
  }
  setup_logging(quiet ? -1 : verbosity, "leanbatch");
  // A closed stdout is reported by failed writes (then we stop), not by SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  // Rows are flushed by RowWriter (each row, or each batch); a larger buffer makes a batch
  // a few write(2) calls (nothing was written to stdout before this point).
  std::setvbuf(stdout, nullptr, _IOFBF, 1 << 16);
  RowWriter out(stdout);
  // Nobody reads the rows any more: stop as if interrupted (workers cancelled, exit 3).
  out.on_failure([] { g_cancel.request(); });
  CheckCliOptions* chosen = c->parsed() ? &check : r->parsed() ? &run : nullptr;
  if (r->parsed() && !run.decls.empty()) {
    report_error("run: --decl does not apply to a manifest; list the declarations of each item in the manifest ('decls')");
    return kExitUsage;
  }
  if (chosen) {
    if (chosen->in_process) install_in_process_interrupts();
    chosen->cancel = &g_cancel;
    return c->parsed() ? run_check(*chosen, out) : run_manifest(*chosen, out);
  }
  install_in_process_interrupts();
  if (i->parsed()) return run_info(info, out);
  if (s->parsed()) return run_make_scale_corpus(scale, out);
  if (pl->parsed()) return run_plan(plan, out);
  if (ca->parsed()) {
    cache.clear = ca_clear->parsed();
    if (cache.dir.empty())
      if (const char* d = std::getenv("LEANBATCH_CACHE")) cache.dir = d;
    return run_cache(cache, out);
  }
  return kExitUsage;
}
