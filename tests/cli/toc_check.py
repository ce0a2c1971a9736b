#!/usr/bin/env python3
"""Checks the tracks `optimg info --json` gives for a TOC file.

  toc_check.py expect JSON SPEC...   each SPEC is one track:
      MODE:SIZE:FIRST:START:LENGTH[:I2,I3...]  (FIRST = index 00 or 01,
      the track's first sector; I2.. absolute LBAs of INDEX 02..)
  toc_check.py same JSON1 JSON2 [FIELD...]   the same disc model: catalog,
      CD-TEXT, sessions and every track field but those named (index00:
      INDEX 00 too)
  toc_check.py cdrdao JSON SHOWTOC   `cdrdao show-toc` output: each TRACK's
      mode, PREGAP, START, END, INDEX, ISRC, copy/pre-emphasis/four-channel
      flags and the catalog number must agree.
"""
import json
import re
import sys

# cdrdao's modes: the word optimg's mode name starts with, the bytes a
# sector takes in the image as optimg keeps the track.
CDRDAO_MODES = {
    "AUDIO": ("AUDIO", 2352), "MODE1": ("MODE1", 2048),
    "MODE1_RAW": ("MODE1", 2352), "MODE2": ("MODE2", 2336),
    "MODE2_FORM1": ("MODE2", 2048), "MODE2_FORM2": ("MODE2", 2336),
    "MODE2_FORM_MIX": ("MODE2", 2336), "MODE2_RAW": ("MODE2", 2352),
}


def first_lba(t):
    return t["start"] - t["pregap"]


def indices(t):
    return [v for k, v in sorted(t["indices"].items()) if int(k) >= 2]


def expect(disc, specs):
    tracks = disc["tracks"]
    assert len(tracks) == len(specs), (len(tracks), specs)
    for t, spec in zip(tracks, specs):
        f = spec.split(":")
        got = [t["mode"], str(t["sector_size"]), str(first_lba(t)),
               str(t["start"]), str(t["length"])]
        want = f[:5]
        if len(f) > 5:
            got.append(",".join(str(i) for i in indices(t)))
            want.append(f[5])
        assert got == want, ("track %d" % t["number"], got, want)


def cdrdao(disc, text):
    tracks = re.split(r"^TRACK +", text, flags=re.M)
    head, tracks = tracks[0], tracks[1:]
    m = re.search(r"CATALOG NUMBER: (\d+)", head)
    assert (disc["catalog"] or None) == (m.group(1) if m else None), \
        ("catalog", disc["catalog"])
    assert len(tracks) == len(disc["tracks"]), (len(tracks), len(disc["tracks"]))
    for t, s in zip(disc["tracks"], tracks):
        num, mode = re.match(r"(\d+) +Mode (\w+)", s).groups()
        base, size = CDRDAO_MODES[mode]
        pregap = re.search(r"PREGAP .*\( *(\d+)\)", s)
        start = int(re.search(r"START .*\( *(\d+)\)", s).group(1))
        end = int(re.search(r"END .*\( *(\d+)\)", s).group(1))
        idx = [int(v) for v in re.findall(r"INDEX +\d+ .*\( *(\d+)\)", s)]
        isrc = re.search(r"ISRC (.*)", s)
        flags = set(t["flags"].split())
        got = (t["number"], t["mode"].split("/")[0], t["sector_size"],
               t["pregap"], t["start"], t["start"] + t["length"],
               indices(t), t["isrc"],
               "DCP" in flags, "PRE" in flags, "4CH" in flags)
        want = (int(num), base, size, int(pregap.group(1)) if pregap else 0,
                start, end, idx,
                isrc.group(1).replace(" ", "") if isrc else None,
                "COPY PERMITTED" in s, "\n          PRE-EMPHASIS" in s,
                "FOUR CHANNEL" in s)
        assert got == want, ("track %s" % num, got, want)


def same(a, b, skip):
    for k in ("catalog", "cdtext", "sessions"):
        assert a[k] == b[k], (k, a[k], b[k])
    assert len(a["tracks"]) == len(b["tracks"])
    for s, t in zip(a["tracks"], b["tracks"]):
        # Sectors before LBA 0 (a DAO NRG's track 1) are in no bin, TOC
        # or CloneCD file: the source is compared from LBA 0.
        if s["start"] - s["pregap"] < 0:
            s["pregap"] = s["start"]
            if s["indices"].get("00", 0) < 0:
                s["indices"]["00"] = 0
        for x in (s, t):	# INDEX 00 at the first sector: the pregap
            if x["indices"].get("00") == x["start"] - x["pregap"]:
                del x["indices"]["00"]
        if "index00" in skip:	# a gap stored where it was not
            for x in (s, t):
                x["indices"].pop("00", None)
        for k in s:
            if k not in skip:
                assert s[k] == t[k], ("track %d" % s["number"], k, s[k], t[k])


def main():
    disc = json.load(open(sys.argv[2]))
    if sys.argv[1] == "same":
        same(disc, json.load(open(sys.argv[3])), sys.argv[4:])
    elif sys.argv[1] == "expect":
        expect(disc, sys.argv[3:])
    else:
        cdrdao(disc, open(sys.argv[3]).read())


if __name__ == "__main__":
    main()
