#!/usr/bin/env python3
"""Runs one `leanbatch run … --events` and watches its workers (scripts/bench-sweep).

Samples the resident set of every worker process every 0.1 s, maps processes to worker slots
through the `started` event rows, and counts restarts by cause from the `restarting` rows.
Writes PREFIX.rows.ndjson (the run's rows), PREFIX.rss.tsv (seconds, worker, MB),
PREFIX.restarts.tsv (seconds, worker, cause) and prints one JSON line: wall, CPU of the
whole process tree, peak RSS of the driver and of each worker slot, restarts by cause,
reused rows by origin, exit status.

usage: sweep_monitor.py PREFIX -- leanbatch run … --events MANIFEST
"""
import collections
import json
import os
import resource
import subprocess
import sys
import threading
import time

from procs import children, is_worker


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def worker_children(pid):
    return [p for p, _, comm in children(pid) if is_worker(comm)]


def main():
    prefix = sys.argv[1]
    cmd = sys.argv[sys.argv.index("--") + 1:]
    t0 = time.monotonic()
    with open(prefix + ".rows.ndjson", "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
        samples = []  # (t, pid, mb)
        driver_peak = 0.0
        stop = threading.Event()

        def sample():
            nonlocal driver_peak
            while not stop.wait(0.1):
                t = time.monotonic() - t0
                d = rss_mb(proc.pid)
                if d:
                    driver_peak = max(driver_peak, d)
                for w in worker_children(proc.pid):
                    mb = rss_mb(w)
                    if mb is not None:
                        samples.append((t, w, mb))

        th = threading.Thread(target=sample)
        th.start()
        rc = proc.wait()
        stop.set()
        th.join()
    wall = time.monotonic() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    slot_of, restarts, reused = {}, collections.Counter(), collections.Counter()
    restart_seq = collections.defaultdict(list)  # worker -> causes in order
    with open(prefix + ".rows.ndjson") as f:
        for line in f:
            r = json.loads(line)
            if r.get("type") == "event":
                if r["event"] == "started" and "pid" in r:
                    slot_of[r["pid"]] = r["worker"]
                elif r["event"] == "restarting":
                    restarts[r.get("cause", "?")] += 1
                    restart_seq[r["worker"]].append(r.get("cause", "?"))
            elif r.get("type") == "decl":
                reused[r.get("reused", "checked")] += 1
    peak = collections.defaultdict(float)
    first_seen = {}
    with open(prefix + ".rss.tsv", "w") as f:
        f.write("seconds\tworker\tmb\n")
        for t, pid, mb in samples:
            w = slot_of.get(pid, 0)
            peak[w] = max(peak[w], mb)
            first_seen.setdefault(pid, (t, w))
            f.write(f"{t:.2f}\t{w}\t{mb:.1f}\n")
    # A restart shows as a new process in a slot: its first sample is the restart's time.
    with open(prefix + ".restarts.tsv", "w") as f:
        f.write("seconds\tworker\tcause\n")
        by_slot = collections.defaultdict(list)
        for pid, (t, w) in first_seen.items():
            by_slot[w].append(t)
        for w, times in by_slot.items():
            for k, t in enumerate(sorted(times)[1:]):
                causes = restart_seq.get(w, [])
                f.write(f"{t:.2f}\t{w}\t{causes[k] if k < len(causes) else '?'}\n")
    print(json.dumps({
        "wall": round(wall, 2), "cpu": round(ru.ru_utime + ru.ru_stime, 2), "exit": rc,
        "driver_peak_mb": round(driver_peak, 1),
        "worker_peak_mb": {str(w): round(m, 1) for w, m in sorted(peak.items())},
        "restarts": dict(restarts), "rows": dict(reused),
    }))


if __name__ == "__main__":
    main()
