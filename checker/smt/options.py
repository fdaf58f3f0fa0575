"""The command line's Z3 options; imported by checker/cli.py without importing Z3."""
from __future__ import annotations

import argparse
import dataclasses

from ..errors import UserError


def add_smt_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("Z3: bounded model checking (--backend smt), induction proofs, sanity checks")
    g.add_argument("--depth", type=int, metavar="K",
                   help="with --backend smt: how many steps to look (default 10); with --simulate: "
                        "the longest random walk (default 100)")
    g.add_argument("--prove", action="store_true",
                   help="prove the invariants for every depth by induction (Z3), using the spec's "
                        "strengthening invariants; works far beyond explicit search's CPU counts")
    g.add_argument("--all-cpus", action="store_true",
                   help="with --prove: prove the invariants for every number of CPUs at once (the CPUs "
                        "as an unbounded set; other bounds as given), cross-checked at 2-8 CPUs")
    g.add_argument("--cmp", action="store_true",
                   help="with --prove --all-cpus: prove the invariants for every number of CPUs by the CMP "
                        "abstraction instead (explicit search of the named CPUs, one more, and one CPU "
                        "standing for all the others with its state havoc), no strengthening invariants")
    g.add_argument("--max-k", type=int, metavar="K",
                   help="with --prove: try k-induction up to K when 1-induction fails (default 3)")
    g.add_argument("--strict", action="store_true",
                   help="sanity findings (vacuous invariants, dead guards, ...) are errors, exit 2")
    g.add_argument("--no-sanity", action="store_true", help="skip the Z3 sanity checks")


def smt_options(a: argparse.Namespace, opts):
    """RunOptions with the Z3 choices of the command line; usage errors are UserErrors."""
    for flag in ("depth", "max_k"):
        v = getattr(a, flag)
        if v is not None and v <= 0:
            raise UserError(f"--{flag.replace('_', '-')} must be positive, got {v}")
    if a.depth is not None and a.backend != "smt" and getattr(a, "simulate", None) is None:
        raise UserError("--depth is the BMC bound of --backend smt, or the walk length of --simulate",
                        None, "add --backend smt or --simulate N (for explicit search, --max-depth "
                        "stops the BFS)")
    if a.prove and a.backend not in ("auto", "smt"):
        raise UserError(f"--prove uses Z3 (induction), not the {a.backend} search", None,
                        "drop --backend")
    if a.max_k is not None and not a.prove:
        raise UserError("--max-k is the k-induction bound of --prove", None, "add --prove")
    if a.all_cpus and not a.prove:
        raise UserError("--all-cpus is a kind of proof", None, "add --prove")
    if a.cmp and not a.all_cpus:
        raise UserError("--cmp is a way to prove for every number of CPUs", None, "add --prove --all-cpus")
    if a.all_cpus and getattr(a, "cpus", None) is not None:
        raise UserError(f"--cpus {a.cpus} and --all-cpus: the proof with --all-cpus is for every CPU count",
                        None, "drop --cpus (or --all-cpus for a proof at that count)")
    if a.strict and a.no_sanity:
        raise UserError("--strict makes sanity findings errors, --no-sanity skips them", None,
                        "give one of them")
    return dataclasses.replace(opts, depth=a.depth, prove=a.prove, max_k=a.max_k, all_cpus=a.all_cpus, cmp=a.cmp,
                               sanity=not a.no_sanity, strict=a.strict)
