"""B20 — a perf NMI reads user memory while CR3 belongs to another mm.

Commit 4012e77a903d "x86/nmi: Fix NMI uaccess race against CR3 switching" (Andy Lutomirski,
2018): "A NMI can hit in the middle of context switching or in the middle of switch_mm_irqs_off().
In either case, CR3 might not match current->mm, which could cause copy_from_user_nmi() and
friends to read the wrong memory." The fix adds nmi_uaccess_okay(). Undone here:
nmi_check_mm=False. Trace: CPU 1 switches in from another process; its CR3 is this mm's but
`current` is still the previous task when the NMI samples its user stack.
"""
from checker.spec import Check
from protocols.v6 import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, nmi_check_mm=False, expect="violates nmi_uaccess_safe")
