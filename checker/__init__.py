"""flushcheck: a model checker for TLB-flush (shootdown) protocols."""
__version__ = "0.1.0"
