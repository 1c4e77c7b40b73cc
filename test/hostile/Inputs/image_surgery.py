#!/usr/bin/env python3
"""Damages a signed .spxo image (docs/image-format.md) the ways an attacker or a bad link would, for the
deploy-time hostile tests: `flip-code IN OUT` flips one byte in the middle of the CODE section's payload,
`flip-signature IN OUT` one byte of the signature, `unsign IN OUT` cuts the SIGN trailer off, `truncate IN OUT`
keeps the first half of the file. Each writes OUT and leaves IN as it was."""
import struct
import sys

TRAILER = 4 + 32 + 64  # "SIGN", the signer's public key, the signature


def sections(b):
    """(tag, payload offset, payload length) of each section after the 8-byte header."""
    out, at = [], 8
    while at < len(b) - TRAILER:
        tag, size = b[at:at + 4].decode("ascii"), struct.unpack_from("<I", b, at + 4)[0]
        out.append((tag, at + 8, size))
        at += 8 + size
    return out


def main():
    how, src, dst = sys.argv[1:4]
    b = bytearray(open(src, "rb").read())
    assert b[:4] == b"SPXO", "%s: not an image" % src
    if how == "flip-code":
        (_, at, size), = [s for s in sections(b) if s[0] == "CODE"]
        b[at + size // 2] ^= 0x01
    elif how == "flip-signature":
        b[-1] ^= 0x80
    elif how == "unsign":
        del b[-TRAILER:]
    elif how == "truncate":
        del b[len(b) // 2:]
    else:
        sys.exit("image_surgery: unknown operation " + how)
    open(dst, "wb").write(bytes(b))


if __name__ == "__main__":
    main()
