#!/usr/bin/env python3
"""Writes a Mailchimp account-export granular opens file (`Timestamp,Email`), one row per open,
in time order as Mailchimp lists them: ROWS opens by PEOPLE distinct people over DAYS days from
2026-09-01. The same seed writes the same file. Usage: gen_opens.py ROWS OUT [SEED] [PEOPLE] [DAYS]"""
import random
import sys
import time

rows = int(sys.argv[1])
out = sys.argv[2]
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 42
people = int(sys.argv[4]) if len(sys.argv) > 4 else 200_000
days = int(sys.argv[5]) if len(sys.argv) > 5 else 30
rng = random.Random(seed)
names = ["ana", "ben", "carla", "dev", "emma", "farid", "grace", "hugo", "ines", "jamal",
         "kim", "leo", "maya", "nico", "olu", "priya", "quinn", "rosa", "sam", "tara"]
domains = ["example.com", "example.org", "example.net", "mail.example"]
start = 1788220800  # 2026-09-01 00:00:00 UTC
span = days * 86400
with open(out, "w", newline="") as f:
    f.write("Timestamp,Email\n")
    for i in range(rows):
        # Opens in time order, a little jitter; most people open more than once.
        t = start + (i * span) // rows
        p = rng.randrange(people)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))
        f.write("%s,%s.%d@%s\n" % (stamp, names[p % 20], p, domains[p % 4]))
