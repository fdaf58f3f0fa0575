"""The seed's design: concurrent + async flush with flush_tlb_info inlined in the csd."""
from checker.spec import Check
from protocols.async_inline import PROTOCOL

CHECK = Check(PROTOCOL, cpus=3, pages=1, rounds=2, expect="holds")
