#!/usr/bin/env python3
"""Draws the extension icon (images/icon.png, 128x128) with the standard library only:
an event loop (a ring with an arrowhead) broken by a pitfall (an orange gap with a warning mark).
Run it again after changing the design; the PNG is committed."""
import math
import struct
import sys
import zlib

SIZE = 128
SUPERSAMPLE = 4
BACKGROUND = (22, 40, 66)
RING = (94, 196, 255)
WARN = (255, 166, 43)


def coverage(x, y):
    """Colour of one sub-pixel: rounded-square background, ring with a gap, warning mark."""
    cx = cy = SIZE / 2
    # rounded square
    r = 22
    qx = max(abs(x - cx) - (SIZE / 2 - r), 0)
    qy = max(abs(y - cy) - (SIZE / 2 - r), 0)
    if math.hypot(qx, qy) > r:
        return None
    colour = BACKGROUND
    d = math.hypot(x - cx, y - cy)
    angle = math.degrees(math.atan2(y - cy, x - cx)) % 360
    # the loop: a ring from 300 deg around to 240 deg, leaving a gap at the top right
    if 34 <= d <= 44 and not (240 < angle < 300):
        colour = RING
    # arrowhead at the end of the ring (angle 240), pointing along the loop
    ax, ay = cx + 39 * math.cos(math.radians(240)), cy + 39 * math.sin(math.radians(240))
    tx, ty = -math.sin(math.radians(240)), math.cos(math.radians(240))
    px, py = x - ax, y - ay
    along = -(px * tx + py * ty)
    across = abs(px * -ty + py * tx)
    if 0 <= along <= 14 and across <= (14 - along) * 0.8:
        colour = RING
    # warning mark in the centre: a bar and a dot
    if abs(x - cx) <= 4.5 and cy - 20 <= y <= cy + 5:
        colour = WARN
    if math.hypot(x - cx, y - (cy + 14)) <= 5:
        colour = WARN
    return colour


def render():
    rows = []
    for py in range(SIZE):
        row = bytearray([0])  # filter byte
        for px in range(SIZE):
            acc = [0, 0, 0, 0]
            for sy in range(SUPERSAMPLE):
                for sx in range(SUPERSAMPLE):
                    c = coverage(px + (sx + 0.5) / SUPERSAMPLE, py + (sy + 0.5) / SUPERSAMPLE)
                    if c is not None:
                        acc[0] += c[0]
                        acc[1] += c[1]
                        acc[2] += c[2]
                        acc[3] += 255
            n = SUPERSAMPLE * SUPERSAMPLE
            alpha = acc[3] / n
            if alpha:
                row += bytes([round(acc[0] * 255 / acc[3]), round(acc[1] * 255 / acc[3]), round(acc[2] * 255 / acc[3]), round(alpha)])
            else:
                row += bytes([0, 0, 0, 0])
        rows.append(bytes(row))
    return b''.join(rows)


def png(raw):
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack('>IIBBBBB', SIZE, SIZE, 8, 6, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')


if __name__ == '__main__':
    out = sys.argv[1] if len(sys.argv) > 1 else 'images/icon.png'
    with open(out, 'wb') as f:
        f.write(png(render()))
