"""The benchmark model sync_shootdown(N, R, P), as a flushcheck spec.

    python -m checker benchmarks/sync_shootdown.py --cpus N --pages P --set rounds=R
    python -m checker benchmarks/sync_shootdown.py --set wait=false      # the broken variant

The same model in Promela and Murphi: sync_shootdown.pml, sync_shootdown.m; benchmarks/peers.py
runs all three side by side.
"""
from checker.spec import Check
from protocols.sync_shootdown import PROTOCOL

CHECK = Check(PROTOCOL, cpus=4, pages=1, rounds=2, expect="holds")
