# Shared by the benchmark scripts (sourced).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${LB_BUILD_DIR:-$root/build}"
lb="$build/bin/leanbatch"
bench_dir="$build/bench"
mkdir -p "$bench_dir"

# Replaces the section between <!-- NAME:begin --> and <!-- NAME:end --> of
# docs/benchmarks.md with stdin (appends the section if absent).
update_section() {
  local name="$1" doc="$root/docs/benchmarks.md" body
  body="$(cat)"
  [ -f "$doc" ] || printf '# Benchmarks\n' > "$doc"
  if grep -q "<!-- $name:begin -->" "$doc"; then
    awk -v name="$name" -v body="$body" '
      $0 == "<!-- " name ":begin -->" { print; print body; skip = 1; next }
      $0 == "<!-- " name ":end -->" { skip = 0 }
      !skip { print }' "$doc" > "$doc.tmp" && mv "$doc.tmp" "$doc"
  else
    printf '\n<!-- %s:begin -->\n%s\n<!-- %s:end -->\n' "$name" "$body" "$name" >> "$doc"
  fi
}

machine_line() {
  local cpu
  cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "Machine: ${cpu:-unknown CPU}, $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%Y-%m-%d)."
}

# Runs a command under /usr/bin/time; prints "wall_s user_s sys_s maxrss_kb".
timed() {
  local out
  # A command that exits non-zero (a rejected export) is still timed.
  out="$( { /usr/bin/time -f '%e %U %S %M' "$@" > /dev/null; } 2>&1 | tail -n 1 || true)"
  echo "$out"
}
