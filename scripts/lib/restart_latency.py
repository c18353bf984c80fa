#!/usr/bin/env python3
"""Restart latency inside a run: runs the given leanbatch command (it must pass --events and
restart workers, e.g. --max-requests 2) and times, for every planned restart, the span from the
"restarting" event row to the first declaration row after it: the new incarnation started,
loaded the export (from the run's image directory) and answered its check. Prints
"COUNT MEDIAN_S MAX_S" (or "0 - -")."""
import json
import subprocess
import sys
import time

p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
t_restart = None
waits = []
for line in p.stdout:
    now = time.time()
    if '"type":"event"' in line:
        if json.loads(line).get("event") == "restarting":
            t_restart = now
    elif '"type":"decl"' in line and t_restart is not None:
        waits.append(now - t_restart)
        t_restart = None
p.wait()
waits.sort()
if waits:
    print(f"{len(waits)} {waits[len(waits) // 2]:.2f} {waits[-1]:.2f}")
else:
    print("0 - -")
