#!/usr/bin/env python3
"""fs_mktree.py tree DIR SEED [--big]   make a seeded random tree
   fs_mktree.py manifest DIR           print what extraction must keep

The tree has directories nested 8 deep and more, long and non-ASCII
names, relative, absolute and dangling symlinks, hard-link groups, empty
files, random modes and whole-second mtimes; with --big also a sparse
file of 4.5 GiB (cheap on disk) called big.sparse.  The manifest lists
type, mode, mtime, size, link target and hard-link group of every entry,
sorted, so two trees compare with diff.
"""
import os
import random
import sys

NAMES = ["a", "B", "readme.txt", "Ünïcödé-é", "日本語のファイル", "Ж",
         "emoji-\U0001F600", "with space", "dash-and_underscore",
         "UPPER.LOWER.ext", "x" * 120, "long-" + "é" * 60, ".hidden",
         "semi;colon", "q'uote"]


def name(rng, used):
    while True:
        n = rng.choice(NAMES)
        if rng.random() < 0.5:
            n = "%s-%d" % (n, rng.randrange(1000))
        if n not in used:
            used.add(n)
            return n


def content(rng):
    k = rng.random()
    if k < 0.15:
        return b""
    if k < 0.6:
        return rng.randbytes(rng.randrange(1, 3000))
    if k < 0.9:
        return rng.randbytes(rng.randrange(3000, 70000))
    return bytes(rng.randrange(2) for _ in range(10)) * 30000


def tree(root, seed, big):
    rng = random.Random(seed)
    os.makedirs(root)
    dirs, files, entries = [root], [], []
    # A chain 10 levels deep (ISO 9660 allows 8: relocation happens).
    d = root
    for i in range(10):
        d = os.path.join(d, "level%d-%s" % (i + 1, rng.choice(NAMES)[:20]))
        os.mkdir(d)
        dirs.append(d)
    for _ in range(12):
        parent = rng.choice(dirs)
        d = os.path.join(parent, name(rng, set(os.listdir(parent))))
        os.mkdir(d)
        dirs.append(d)
    for _ in range(60):
        parent = rng.choice(dirs)
        f = os.path.join(parent, name(rng, set(os.listdir(parent))))
        with open(f, "wb") as fh:
            fh.write(content(rng))
        files.append(f)
    # hard-link groups (non-empty: some writers share no extent for empty)
    for _ in range(3):
        src = os.path.join(rng.choice(dirs), "hl-%d" % rng.randrange(10**6))
        with open(src, "wb") as fh:
            fh.write(rng.randbytes(rng.randrange(1, 5000)))
        for _ in range(rng.randrange(1, 3)):
            parent = rng.choice(dirs)
            os.link(src, os.path.join(parent, "hl-link-%d" %
                                      rng.randrange(10**6)))
        files.append(src)
    # symlinks: relative to a file, to a directory, absolute, dangling
    for target in (os.path.relpath(rng.choice(files), root), "..",
                   "/etc/passwd", "does/not/exist"):
        parent = root if not target.startswith(".") else rng.choice(dirs)
        if parent != root and not target.startswith("/"):
            target = os.path.relpath(os.path.join(root, target), parent)
        os.symlink(target, os.path.join(parent, name(rng, set(
            os.listdir(parent))) + "-link"))
    if big:
        with open(os.path.join(root, "big.sparse"), "wb") as fh:
            fh.write(b"start")
            fh.seek((4 << 30) - 3)
            fh.write(b"across 4 GiB")
            fh.truncate((9 << 29) + 12345)
            fh.seek(-3, 2)
            fh.write(b"end")
    # modes and times last, deepest first, so nothing is in the way
    for dirpath, dirnames, filenames in sorted(os.walk(root),
                                               key=lambda w: -len(w[0])):
        for n in filenames + dirnames:
            p = os.path.join(dirpath, n)
            t = rng.randrange(946684800, 1893456000)
            if os.path.islink(p):
                os.utime(p, (t, t), follow_symlinks=False)
            elif os.path.isfile(p):
                os.chmod(p, rng.choice([0o644, 0o600, 0o755, 0o444, 0o640]))
                os.utime(p, (t, t))
        if dirpath != root:
            os.chmod(dirpath, rng.choice([0o755, 0o700, 0o555, 0o750]))
            t = rng.randrange(946684800, 1893456000)
            os.utime(dirpath, (t, t))


def manifest(root):
    out, inodes = [], {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            if os.path.islink(p):
                out.append("l - %d - %s -> %s" % (st.st_mtime, rel,
                                                  os.readlink(p)))
            elif os.path.isdir(p):
                out.append("d %o %d - %s" % (st.st_mode & 0o7777,
                                             st.st_mtime, rel))
            else:
                out.append("f %o %d %d %s" % (st.st_mode & 0o7777,
                                              st.st_mtime, st.st_size, rel))
                if st.st_nlink > 1:
                    inodes.setdefault(st.st_ino, []).append(rel)
    for group in inodes.values():
        out.append("hardlinks " + " = ".join(sorted(group)))
    return sorted(out)


if __name__ == "__main__":
    if sys.argv[1] == "tree":
        tree(sys.argv[2], int(sys.argv[3]), "--big" in sys.argv)
    else:
        sys.stdout.buffer.write(("\n".join(manifest(sys.argv[2])) +
                                 "\n").encode("utf-8", "surrogateescape"))
