#!/usr/bin/env python3
"""Rewrite a lean4export 3.1.x export in the 3.0.0 spelling (test data for the reader).

Format 3.0.0 differs from 3.1 only in spelling: declarations are keyed by Lean's
ConstantInfo constructor names (axiomInfo, defnInfo, thmInfo, opaqueInfo, quotInfo), an
inductive group holds inductiveVals/constructorVals/recursorVals, and the meta line has no
`format` object (the exporter's version was the format's). Keys come out sorted, as Lean's
Json.compress wrote them.

usage: to-format-3.0.py IN.ndjson > OUT.ndjson
"""
import json
import sys

SINGLE = {"axiom": "axiomInfo", "def": "defnInfo", "thm": "thmInfo", "opaque": "opaqueInfo", "quot": "quotInfo"}
GROUP = {"types": "inductiveVals", "ctors": "constructorVals", "recs": "recursorVals"}


def convert(obj):
    if "meta" in obj:
        meta = dict(obj["meta"])
        meta.pop("format", None)
        meta["exporter"] = {"name": "lean4export", "version": "3.0.0"}
        return {"meta": meta}
    for old, new in SINGLE.items():
        if old in obj:
            return {new: obj[old]}
    if "inductive" in obj:
        return {"inductive": {GROUP[k]: v for k, v in obj["inductive"].items()}}
    return obj


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            if line.strip():
                sys.stdout.write(json.dumps(convert(json.loads(line)), sort_keys=True, separators=(",", ":"),
                                            ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
