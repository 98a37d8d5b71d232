#!/usr/bin/env python3
"""Draws eng/icon.png (128x128): a connection whose first segment is the PROXY header, then the payload.

Standard library only, so anyone can redraw it: python3 eng/make-icon.py
"""
import struct
import zlib
from pathlib import Path

SIZE = 128
BACKGROUND = (0x1F, 0x3A, 0x5F)   # deep blue rounded square
HEADER = (0xF2, 0xA9, 0x00)       # the header: amber
PAYLOAD = (0xE8, 0xEE, 0xF4)      # the application's bytes: pale


def inside_rounded_square(x, y, radius=24):
    cx = min(max(x, radius), SIZE - 1 - radius)
    cy = min(max(y, radius), SIZE - 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius


def pixel(x, y):
    if not inside_rounded_square(x, y):
        return (0, 0, 0, 0)
    # Three rows of "bytes on the wire": each row starts with the header block, payload follows.
    for row, top in enumerate((30, 56, 82)):
        if top <= y < top + 16:
            if 18 <= x < 50:
                return HEADER + (255,)
            start = 56
            for width in ((24, 14, 20), (30, 22), (16, 20, 18))[row]:
                if start <= x < start + width:
                    return PAYLOAD + (255,)
                start += width + 5
    return BACKGROUND + (255,)


def png(width, height, rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(v for px in row for v in px) for row in rows)
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


rows = [[pixel(x, y) for x in range(SIZE)] for y in range(SIZE)]
Path(__file__).with_name("icon.png").write_bytes(png(SIZE, SIZE, rows))
