#!/usr/bin/env python3
"""chd_tracks.py A.json B.json: exit 1 unless both `optimg info --json`
outputs list the same tracks (number, mode, sector size, start, length,
pregap, unstored gaps, indices) and the same sector count."""
import json
import sys

KEYS = ("number", "mode", "sector_size", "start", "length", "pregap",
        "pregap_unstored", "postgap_unstored", "indices")


def tracks(path):
    with open(path) as f:
        d = json.load(f)
    return d["sectors"], [{k: t[k] for k in KEYS} for t in d["tracks"]]


a, b = tracks(sys.argv[1]), tracks(sys.argv[2])
if a != b:
    print("tracks differ:\n  %s\n  %s" % (a, b), file=sys.stderr)
    sys.exit(1)
