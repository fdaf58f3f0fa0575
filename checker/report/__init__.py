"""Reporters: every output format of a CheckResult, and the command line's report flags."""
