"""``crm bench``: the main jobs measured against a baseline run in the same process.

Each figure is a ratio against something a user could pick instead, measured in the
same run, because shared machines are noisy and absolute times drift.
"""
