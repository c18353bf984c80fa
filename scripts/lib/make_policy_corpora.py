#!/usr/bin/env python3
"""Writes leanbatch's hand-made policy and reuse-key cases into corpora/leanbatch/ (run from
the repository root). Each case is a soundness finding of the 2026-12-07 review; EXPECTED.tsv
has their rows, tests/cli/policy_test.cpp the runs that found them.

- digest-forward-name-{a,b}: a string literal makes its declaration's digest name the string
  declarations (List.utf8Encode, ...), one of which is declared *later* and refers back.
  The digest then ignored the literal's declaration's body, so a cache or a worker that had
  accepted `a` reused its List.utf8Encode in `b`, where it proves False.
- axiom-one-component-dotted: `axiom «Classical.choice» : False` (one component) printed
  like Lean's Classical.choice and passed the allowlist by its printed name.
- axiom-allowlist-comma: `--allow-axiom a,b` (one name) and `--allow-axiom a --allow-axiom b`
  gave the same whole-export cache key.
- part-duplicate-name-{a,b} (2026-12-08 review): `def x : Prop := F` (F is False), in a also a
  later duplicate `axiom x : F`, then theorems `t_i : F := x`. A part of a split export
  assumed the duplicate, so `x` meant the axiom there, accepted `t_i` and recorded their
  reuse keys; a later run over b (no duplicate) reused them from the cache.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mini_export import B  # noqa: E402

OUT = "corpora/leanbatch"


def forward_name(path, body, with_bad):
    b = B()
    b.enum_type('True', ['True.intro'], ('z',))
    b.enum_type('False', [], ('z',))
    b.enum_type('String', ['String.e'])
    # foo : Prop := (fun _ : String => True/False) "x"
    b.defn('foo', b.prop(), b.app(b.lam('s', b.c('String'), b.c(body)), b.strlit("x")))
    # declared after foo, and refers to it
    b.defn('List.utf8Encode', b.c('foo'), b.c('True.intro'))
    if with_bad:
        b.thm('bad', b.c('False'), b.c('List.utf8Encode'))
    b.write(path)


def one_component_axiom(path):
    b = B()
    b.enum_type('False', [], ('z',))
    i = len(b.names)
    b.names[('Classical.choice',)] = i  # ONE string component "Classical.choice"
    b.lines.append(json.dumps({"in": i, "str": {"pre": 0, "str": "Classical.choice"}}))
    b.lines.append(json.dumps({"axiom": {"isUnsafe": False, "levelParams": [], "name": i, "type": b.c('False')}}))
    ax = b.e(('c1',), {"const": {"name": i, "us": []}})
    b.thm('bad', b.c('False'), ax)
    b.write(path)


def comma_allowlist(path):
    b = B()
    b.enum_type('False', [], ('z',))
    b.axiom('a', b.c('False'))
    b.axiom('b', b.prop())
    b.thm('bad', b.c('False'), b.c('a'))
    b.write(path)


def part_duplicate(path, with_dup, theorems):
    b = B()
    P = b.prop()
    b.defn('F', P, b.pi('p', P, b.bv(0)))
    b.defn('x', P, b.c('F'))
    if with_dup:
        b.axiom('x', b.c('F'))
    for i in theorems:
        b.thm(f't{i}', b.c('F'), b.c('x'))
    b.write(path)


forward_name(f"{OUT}/digest-forward-name-a.accept.ndjson", 'True', False)
forward_name(f"{OUT}/digest-forward-name-b.reject.ndjson", 'False', True)
one_component_axiom(f"{OUT}/axiom-one-component-dotted.reject.ndjson")
comma_allowlist(f"{OUT}/axiom-allowlist-comma.reject.ndjson")
part_duplicate(f"{OUT}/part-duplicate-name-a.reject.ndjson", True, range(8))
part_duplicate(f"{OUT}/part-duplicate-name-b.reject.ndjson", False, [5])
