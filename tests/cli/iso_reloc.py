#!/usr/bin/python3
"""Rock Ridge relocation records as pycdlib reads them (t4006).

  iso_reloc.py records ISO      every ISO 9660 record, dots included, as
                                'PATH NAME-IN-NM FLAGS', FLAGS being the
                                RRIP relocation entries it carries: RE,
                                CL (placeholder of a moved directory),
                                PL (".." of a moved directory), and 'dir'
                                or 'file' for the record's own flag
  iso_reloc.py cat ISO RRPATH   a file's bytes through the Rock Ridge path
"""
import sys

import pycdlib


def flags(rec):
    out = ['dir' if rec.is_dir() else 'file']
    rr = rec.rock_ridge
    if rr is None:
        return out
    e = rr.dr_entries
    if e.re_record is not None:
        out.append('RE')
    if e.cl_record is not None:
        out.append('CL')
    if e.pl_record is not None:
        out.append('PL')
    return out


def records(iso):
    # The plain ISO 9660 tree: what a reader sees before it applies
    # CL/PL/RE.  A stack, not recursion: the tree may be deep.
    todo = ['/']
    while todo:
        path = todo.pop()
        for rec in iso.list_children(iso_path=path):
            if rec.is_dot():
                name, full = '.', path.rstrip('/') + '/.'
            elif rec.is_dotdot():
                name, full = '..', path.rstrip('/') + '/..'
            else:
                name = rec.file_identifier().decode('ascii')
                full = path.rstrip('/') + '/' + name
            nm = '-'
            if rec.rock_ridge is not None and name not in ('.', '..'):
                nm = rec.rock_ridge.name().decode('utf-8', 'replace')
            print(full, nm, ' '.join(flags(rec)))
            if rec.is_dir() and name not in ('.', '..'):
                todo.append(full)


def main():
    iso = pycdlib.PyCdlib()
    iso.open(sys.argv[2])
    if sys.argv[1] == 'records':
        records(iso)
    elif sys.argv[1] == 'cat':
        with iso.open_file_from_iso(rr_path=sys.argv[3]) as f:
            sys.stdout.buffer.write(f.read())
    else:
        sys.exit(__doc__)
    iso.close()


if __name__ == '__main__':
    main()
