#!/usr/bin/python3
"""Seeded test trees for optimg mkiso, and comparisons of what readers
extracted from the image with the tree it was made from.

  mkiso_tree.py gen SEED DIR          make a tree (devices only as root)
  mkiso_tree.py deep N DIR            a chain of N directories
  mkiso_tree.py compare SRC DST [--links] [--no-special] [--names joliet]
  mkiso_tree.py list SRC (rr|joliet|joliet-latin1)  paths a reader lists
"""
import hashlib
import os
import random
import stat
import sys

JOLIET_MAX = 64
BAD_JOLIET = set('*/:;?\\')


def rand_name(rng, i):
    kinds = [
        lambda: 'f%03d.txt' % i,
        lambda: 'Mixed Case %d.Dat' % i,
        lambda: '.hidden%d' % i,
        lambda: 'many.dots.in.name.%d.tar.gz' % i,
        lambda: 'caf\u00e9 \u65e5\u672c\u8a9e %d' % i,
        lambda: 'emoji \U0001F600 %d' % i,
        lambda: ('long%d-' % i) + 'x' * rng.randint(60, 240),
        lambda: 'noext%d' % i,
        lambda: 'UPPER%d.TXT' % i,
        lambda: 'upper%d.txt' % i,
    ]
    name = rng.choice(kinds)()
    return name.encode()[:255].decode('utf-8', 'ignore')


def gen(seed, top):
    rng = random.Random(seed)
    os.makedirs(top, exist_ok=True)
    dirs = [top]
    # A chain deeper than ISO 9660's 8 levels.
    d = top
    for lvl in range(1, 12):
        d = os.path.join(d, 'level%02d' % lvl)
        os.mkdir(d)
        dirs.append(d)
    with open(os.path.join(d, 'bottom.txt'), 'wb') as f:
        f.write(b'deep down\n')
    # libarchive cannot connect nested relocations (a relocated directory
    # inside a relocated subtree), so the random part stays within 13
    # levels; deep_chain() below goes further for the other readers.
    shallow = [x for x in dirs if x[len(top):].count('/') <= 11]
    for i in range(30):
        parent = rng.choice(shallow)
        p = os.path.join(parent, 'dir%02d %s' % (i, rng.choice(
            ['', 'sub', '\u00fcber', 'x' * 70])))
        os.mkdir(p)
        os.chmod(p, rng.choice([0o755, 0o750, 0o700, 0o775]))
        dirs.append(p)
        if p[len(top):].count('/') <= 11:
            shallow.append(p)
    files = []
    for i in range(160):
        p = os.path.join(rng.choice(dirs), rand_name(rng, i))
        size = rng.choice([0, 1, 17, 2047, 2048, 2049, 4096, 10000,
                           rng.randint(0, 300000)])
        with open(p, 'wb') as f:
            f.write(rng.randbytes(size))
        os.chmod(p, rng.choice([0o644, 0o600, 0o755, 0o444, 0o640]))
        files.append(p)
    for i in range(6):
        src = rng.choice(files)
        os.link(src, os.path.join(rng.choice(dirs), 'hardlink%d' % i))
    targets = ['../x/./y', '/etc/passwd', 'dangling', '.', '..',
               '/'.join(['component%02d' % k for k in range(30)]),
               'a//b/', 'caf\u00e9']
    for i in range(12):
        d = rng.choice(dirs)
        if i < len(targets):
            t = targets[i]
        else:
            t = os.path.relpath(rng.choice(files), d)
        os.symlink(t, os.path.join(d, 'symlink%d' % i))
    os.mkfifo(os.path.join(rng.choice(dirs), 'fifo0'))
    if os.geteuid() == 0:
        os.mknod(os.path.join(top, 'chardev'), 0o620 | stat.S_IFCHR,
                 os.makedev(1, 3))
        os.mknod(os.path.join(top, 'blockdev'), 0o660 | stat.S_IFBLK,
                 os.makedev(7, 200))
    # Times last, deepest first, so that creating entries does not
    # move them again.
    everything = []
    for root, dnames, fnames in os.walk(top):
        for n in dnames + fnames:
            everything.append(os.path.join(root, n))
    for p in sorted(everything, key=lambda s: -s.count('/')):
        t = rng.randint(631152000, 1900000000)
        os.utime(p, (t, t), follow_symlinks=False)


def walk(top):
    out = {}
    for root, dnames, fnames in os.walk(top):
        for n in dnames + fnames:
            p = os.path.join(root, n)
            out[os.path.relpath(p, top)] = os.lstat(p)
    return out


def digest(p):
    h = hashlib.sha256()
    with open(p, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def compare(src, dst, links, special, rdev=True):
    a, b = walk(src), walk(dst)
    errors = []
    if not special:
        a = {k: v for k, v in a.items()
             if stat.S_ISREG(v.st_mode) or stat.S_ISDIR(v.st_mode) or
             stat.S_ISLNK(v.st_mode)}
    for k in sorted(set(a) - set(b)):
        errors.append('missing: %r' % k)
    for k in sorted(set(b) - set(a)):
        errors.append('extra: %r' % k)
    groups = {}
    for k in sorted(set(a) & set(b)):
        x, y = a[k], b[k]
        if stat.S_IFMT(x.st_mode) != stat.S_IFMT(y.st_mode):
            errors.append('type differs: %r' % k)
            continue
        if stat.S_IMODE(x.st_mode) != stat.S_IMODE(y.st_mode) and \
                not stat.S_ISLNK(x.st_mode):
            errors.append('mode %o != %o: %r' % (x.st_mode, y.st_mode, k))
        if int(x.st_mtime) != int(y.st_mtime) and not stat.S_ISLNK(x.st_mode):
            errors.append('mtime %d != %d: %r' % (x.st_mtime, y.st_mtime, k))
        if stat.S_ISREG(x.st_mode):
            if x.st_size != y.st_size:
                errors.append('size %d != %d: %r' % (x.st_size, y.st_size,
                                                     k))
            elif digest(os.path.join(src, k)) != digest(os.path.join(dst,
                                                                     k)):
                errors.append('content differs: %r' % k)
            groups.setdefault((x.st_dev, x.st_ino), set()).add(
                (y.st_dev, y.st_ino))
        if stat.S_ISLNK(x.st_mode):
            s, t = os.readlink(os.path.join(src, k)), \
                os.readlink(os.path.join(dst, k))
            if os.path.normpath(s) != os.path.normpath(t) and s != t:
                errors.append('link %r != %r: %r' % (s, t, k))
        if (stat.S_ISCHR(x.st_mode) or stat.S_ISBLK(x.st_mode)) and rdev:
            if x.st_rdev != y.st_rdev:
                errors.append('rdev differs: %r' % k)
    if links:
        for g in groups.values():
            if len(g) != 1:
                errors.append('hard links split: %d inodes' % len(g))
    for e in errors[:40]:
        print(e, file=sys.stderr)
    return 1 if errors else 0


def joliet_ok(rel):
    for c in rel.split('/'):
        if len(c) > JOLIET_MAX or any(ord(ch) > 0xFFFF or ch in BAD_JOLIET
                                      for ch in c):
            return False
    return True


def listing(src, ns):
    out = sys.stdout.buffer
    for k, v in sorted(walk(src).items()):
        if ns == 'joliet-latin1':   # as isoinfo -J prints it
            if not (stat.S_ISREG(v.st_mode) or stat.S_ISDIR(v.st_mode)):
                continue
            if not joliet_ok(k):
                continue
            out.write(b'/' + bytes(ord(c) if ord(c) < 256 else ord('_')
                                   for c in k) + b'\n')
            continue
        if ns == 'joliet':
            if not (stat.S_ISREG(v.st_mode) or stat.S_ISDIR(v.st_mode)):
                continue
            if not joliet_ok(k):
                continue
        out.write(('/' + k + '\n').encode())


def main():
    cmd = sys.argv[1]
    if cmd == 'gen':
        gen(int(sys.argv[2]), sys.argv[3])
        return 0
    if cmd == 'deep':
        d = sys.argv[3]
        for lvl in range(int(sys.argv[2])):
            d = os.path.join(d, 'deep%02d' % lvl)
            os.makedirs(d)
            with open(os.path.join(d, 'f'), 'w') as f:
                f.write('%d\n' % lvl)
        return 0
    if cmd == 'compare':
        return compare(sys.argv[2], sys.argv[3], '--links' in sys.argv,
                       '--no-special' not in sys.argv,
                       '--no-rdev' not in sys.argv)
    if cmd == 'list':
        listing(sys.argv[2], sys.argv[3])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main())
