#!/usr/bin/env python3
"""Check `optimg burn CUE --dry-run --json` against the cue sheet itself.

usage: burn_cue_check.py CUE JSON

The expected disc is computed here from the cue text and the sizes of its
files, independently of optimg: FILEs laid end to end, a track's PREGAP
inserted before its first INDEX, its POSTGAP after its last stored frame.
Checked per track: mode, INDEX 01 (start), length, pregap (and how much of
it is not stored), postgap, every INDEX position, FLAGS, ISRC and CD-TEXT;
per session: CATALOG and CD-TEXT.  Exits 1 with every difference listed.
"""
import json
import os
import shlex
import sys

CDTEXT = ("TITLE", "PERFORMER", "SONGWRITER", "COMPOSER", "ARRANGER",
          "MESSAGE")


def msf(text):
    m, s, f = (int(x) for x in text.split(":"))
    return (m * 60 + s) * 75 + f


def sector_size(mode):
    return {"AUDIO": 2352, "MODE1/2048": 2048, "MODE1/2352": 2352}[mode]


def parse(path):
    """Tracks with absolute LBAs, as a reader of the sheet must lay them."""
    base = os.path.dirname(path)
    disc = {"catalog": None, "cdtext": {}}
    tracks = []
    file_start = 0          # LBA of the current FILE's frame 0, gaps included
    file_sectors = 0
    shift = 0               # gap frames inserted since that FILE began
    t = None
    for raw in open(path, encoding="utf-8"):
        words = shlex.split(raw)
        if not words:
            continue
        key = words[0].upper()
        if key == "FILE":
            file_start += shift + file_sectors
            shift = 0
            name = os.path.join(base, words[1])
            file_sectors = None
            file_name = name
        elif key == "TRACK":
            t = {"number": int(words[1]), "cue_mode": words[2],
                 "indices": {}, "pregap_zero": 0, "postgap_zero": 0,
                 "flags": set(), "isrc": None, "cdtext": {}}
            if file_sectors is None:
                file_sectors = (os.path.getsize(file_name) //
                                sector_size(words[2]))
            if words[2] != "AUDIO":
                t["flags"].add("DATA")
            if tracks and tracks[-1]["postgap_zero"]:
                shift += tracks[-1]["postgap_zero"]
            tracks.append(t)
        elif key == "INDEX":
            if not t["indices"]:
                shift += t["pregap_zero"]
            t["indices"][int(words[1])] = file_start + shift + msf(words[2])
        elif key == "PREGAP":
            t["pregap_zero"] = msf(words[1])
        elif key == "POSTGAP":
            t["postgap_zero"] = msf(words[1])
        elif key == "FLAGS":
            t["flags"].update(w.upper() for w in words[1:])
        elif key == "ISRC":
            t["isrc"] = words[1]
        elif key == "CATALOG":
            disc["catalog"] = words[1]
        elif key in CDTEXT:
            (t["cdtext"] if t is not None else disc["cdtext"])[key] = words[1]
    end = file_start + shift + file_sectors
    for i, t in enumerate(tracks):
        first = min(t["indices"].values()) - t["pregap_zero"]
        t["first"] = first
        t["start"] = t["indices"][1]
        t["pregap"] = t["start"] - first
    for i, t in enumerate(tracks):
        nxt = tracks[i + 1]["first"] if i + 1 < len(tracks) else \
            end + t["postgap_zero"]
        t["length"] = nxt - t["start"]
    disc["sectors"] = end + tracks[-1]["postgap_zero"]
    return disc, tracks


def main():
    disc, want = parse(sys.argv[1])
    got = json.load(open(sys.argv[2]))
    bad = []

    def same(what, a, b):
        if a != b:
            bad.append("%s: cue says %r, optimg says %r" % (what, a, b))

    same("sessions", 1, len(got["sessions"]))
    s = got["sessions"][0]
    same("catalog", disc["catalog"], s["catalog"])
    same("disc CD-TEXT", disc["cdtext"], s["cdtext"])
    same("sectors", disc["sectors"], got["sectors"])
    same("track count", len(want), len(s["tracks"]))
    if (disc["cdtext"] or any(t["cdtext"] for t in want)) and \
            not s["cdtext_packs"]:
        bad.append("CD-TEXT but no packs")
    for w, g in zip(want, s["tracks"]):
        n = "track %d" % w["number"]
        same(n + " number", w["number"], g["number"])
        same(n + " mode", "AUDIO" if w["cue_mode"] == "AUDIO" else "MODE1",
             g["mode"])
        same(n + " source mode", w["cue_mode"], g["source_mode"])
        for k in ("start", "length", "pregap", "pregap_zero",
                  "postgap_zero"):
            same("%s %s" % (n, k), w[k], g[k])
        same(n + " indices", sorted(w["indices"].items()),
             sorted((i["number"], i["lba"]) for i in g["indices"]))
        same(n + " flags", sorted(w["flags"]), sorted(g["flags"]))
        same(n + " ISRC", w["isrc"], g["isrc"])
        same(n + " CD-TEXT", w["cdtext"], g["cdtext"])
    for b in bad:
        print("burn_cue_check: " + b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
