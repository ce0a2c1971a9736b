#!/usr/bin/python3
"""fs_mkescape.py IMAGE OUTSIDE   write a hostile Rock Ridge image

Its names try to leave the extraction directory: "../../escaped-1", an
absolute name OUTSIDE/escaped-2, a directory "..", and a symlink "link"
to OUTSIDE followed by a directory also called "link" holding a file.
A harmless good.txt comes last.  pycdlib writes the image with
placeholder names of the same length, which are then patched in the
bytes (pycdlib, rightly, would not write such names itself).
"""
import io
import sys

import pycdlib

image, outside = sys.argv[1], sys.argv[2]
evil = {
    b"P1" + b"x" * 13: b"../../escaped-1",
    b"P2" + b"y" * (len(outside) + 8): (outside + "/escaped-2").encode(),
    b"QQ": b"..",
    b"lin2": b"link",
}
iso = pycdlib.PyCdlib()
iso.new(rock_ridge="1.09")


def add(path, rr, data=b"x\n"):
    iso.add_fp(io.BytesIO(data), len(data), path, rr_name=rr.decode())


names = list(evil)
add("/A1.;1", names[0])
add("/A2.;1", names[1])
iso.add_directory("/B_DOTDOT", rr_name=names[2].decode())
add("/B_DOTDOT/F.;1", b"dotdot-file")
iso.add_symlink("/C_LINK.;1", rr_symlink_name="link", rr_path=outside)
iso.add_directory("/D_LINK", rr_name=names[3].decode())
add("/D_LINK/VIA.;1", b"via-link")
add("/E_GOOD.;1", b"good.txt", b"good\n")
buf = io.BytesIO()
iso.write_fp(buf)
data = buf.getvalue()
for k, v in evil.items():
    assert len(k) == len(v) and data.count(k) >= 1, k
    data = data.replace(k, v)
open(image, "wb").write(data)
