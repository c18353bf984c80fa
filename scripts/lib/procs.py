"""Child processes of a process, from /proc (scripts/soak-faults, scripts/lib/sweep_monitor.py)."""
import os


def children(pid):
    """(pid, state, comm) of every child of `pid`; comm is at most 15 characters
    ("leanbatch-worke" for leanbatch-worker)."""
    kids = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        rest = stat[stat.rindex(")") + 2:].split()
        if int(rest[1]) == pid:
            kids.append((int(p), rest[0], stat[stat.index("(") + 1:stat.rindex(")")]))
    return kids


def is_worker(comm):
    return comm.startswith("leanbatch-work")
