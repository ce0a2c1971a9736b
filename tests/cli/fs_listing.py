#!/usr/bin/env python3
"""fs_listing.py TOOL IMAGE [NAMESPACE]

Prints a file system listing in one normalised form so the listings of
optimg, xorriso, isoinfo and 7z can be compared with diff:

    TYPE<TAB>SIZE<TAB>PATH[<TAB>-> TARGET]

sorted by path; TYPE is one of f d l c b p s, SIZE is given for regular
files only ('-' otherwise).  NAMESPACE is rr, joliet or iso.
Used by tests/cli/t2*-ls-*.sh; needs the tool in question on PATH.
"""
import json
import os
import re
import subprocess
import sys

TYPES = {"-": "f", "d": "d", "l": "l", "c": "c", "b": "b", "p": "p",
         "s": "s"}


def line(typ, size, path, target=None):
    s = "%s\t%s\t%s" % (typ, size if typ == "f" else "-", path)
    if target is not None:
        s += "\t-> " + target
    return s


def run(cmd):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL).stdout.decode(
                              "utf-8", "surrogateescape")


def optimg(image, ns):
    cmd = [os.environ["OPTIMG"], "ls", "-R", "--json", image]
    if ns:
        cmd[3:3] = ["--namespace", ns]
    out = []
    for e in json.loads(run(cmd)):
        t = {"file": "f", "dir": "d", "symlink": "l", "chr": "c",
             "blk": "b", "fifo": "p", "sock": "s"}[e["type"]]
        out.append(line(t, e["size"], e["path"], e.get("target")))
    return out


def unquote_xorriso(s):
    # xorriso writes names in '...', a ' inside as '"'"'
    return s.replace("'\"'\"'", "'")


XOR = re.compile(r"^(\S)\S{9}\s+\d+\s+\S+\s+\S+\s+(\S+)\s+\w+\s+\d+\s+\S+\s+"
                 r"'(.*?)'(?: -> '(.*)')?$")


def xorriso(image, ns):
    cmd = ["xorriso", "-abort_on", "FATAL", "-return_with", "FATAL", "0"]
    if ns == "iso":
        cmd += ["-rr", "off", "-joliet", "off"]
    elif ns == "joliet":
        cmd += ["-rr", "off", "-joliet", "on"]
    cmd += ["-indev", image, "-find", "/", "-exec", "lsdl"]
    out = []
    for l in run(cmd).splitlines():
        m = XOR.match(l)
        if not m:
            continue
        path = unquote_xorriso(m.group(3))
        if path == "/":
            continue
        target = m.group(4)
        out.append(line(TYPES[m.group(1)], m.group(2), path,
                        unquote_xorriso(target) if target is not None
                        else None))
    return out


ISO = re.compile(r"^(\S)\S{9}\s+\d+\s+\d+\s+\d+\s+(\d+)\s+\w+\s+\d+\s+\d+\s+"
                 r"\[\s*\d+\s+[0-9A-Fa-f]+\]?\s+(.*?)\s*$")


def strip_version(name):
    name = re.sub(r";\d+$", "", name)
    if name.endswith(".") and len(name) > 1:
        name = name[:-1]
    return name


def isoinfo(image, ns):
    cmd = ["isoinfo", "-l", "-i", image]
    if ns == "rr":
        cmd.append("-R")
    elif ns == "joliet":
        cmd.append("-J")
    out, cur, prev = [], "/", None
    for l in run(cmd).splitlines():
        if l.startswith("Directory listing of "):
            cur = l[len("Directory listing of "):]
            prev = None
            continue
        m = ISO.match(l)
        if not m:
            continue
        name, target = m.group(3), None
        if " -> " in name and m.group(1) == "l":
            name, target = name.split(" -> ", 1)
        if name in (".", ".."):
            continue
        if ns != "rr":
            name = strip_version(name)
        typ, size = TYPES[m.group(1)], int(m.group(2))
        path = cur + name
        # isoinfo lists each extent of a multi-extent file: join them.
        if prev is not None and prev[2] == path and typ == "f":
            prev[1] += size
            continue
        prev = [typ, size, path, target]
        out.append(prev)
    return [line(*e) for e in out]


def sevenzip(image, ns):
    out = []
    block = {}
    for l in run(["7z", "l", "-slt", image]).splitlines() + [""]:
        if not l.strip():
            if "Path" in block and block.get("Type") is None:
                typ = "d" if "D" in block.get("Attributes", "") else "f"
                out.append(line(typ, block.get("Size", "0"),
                                "/" + block["Path"]))
            block = {}
            continue
        if " = " in l:
            k, v = l.split(" = ", 1)
            block[k] = v
    return out


TOOLS = {"optimg": optimg, "xorriso": xorriso, "isoinfo": isoinfo,
         "7z": sevenzip}

if __name__ == "__main__":
    tool, image = sys.argv[1], sys.argv[2]
    ns = sys.argv[3] if len(sys.argv) > 3 else None
    for l in sorted(TOOLS[tool](image, ns)):
        print(l)
