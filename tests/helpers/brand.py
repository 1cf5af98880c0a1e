"""Logo files for the brand tests, made here: PNGs by a few lines of zlib, a JPEG that headless
Chromium encoded from a 40×24 canvas (the project has no image library), SVGs as text."""

import base64
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAA"
    "AABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAA"
    "ABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAA"
    "AAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAA"
    "AAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAA"
    "AABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDAAYEBQYF"
    "BAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMK"
    "ChMoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCj/wAARCAAYACgDASIAAhEB"
    "AxEB/8QAFgABAQEAAAAAAAAAAAAAAAAAAAYI/8QAGhABAAEFAAAAAAAAAAAAAAAAAAMGF1Wk0v/EABkBAAIDAQAAAAAAAAAA"
    "AAAAAAEDAgQGBf/EACgRAAECAwQLAAAAAAAAAAAAAAEAAgMREgQFMVETFBUhMlJxgZGh0f/aAAwDAQACEQMRAD8Ah1xaitMN"
    "tQ9oduFaiPLZSWXu6xstVVZO6WHdZWtRWmG2oey1FaYbah7apC9M5dLY8DM+viw8AsrNouLr1pmdWHgAIBxU2RXw+BxHQpde"
    "tMzqw8F160zOrDwAUNyTNaj858lQ4CSQv//Z"
)


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def make_png(width=40, height=24, *, rgb=(15, 118, 110), extra_chunks=(), raw=None) -> bytes:
    """An 8-bit RGB PNG of one colour; extra_chunks go between the header and the image data."""
    if raw is None:
        raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + b"".join(chunk(kind, body) for kind, body in extra_chunks)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
    ' xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" viewBox="0 0 200 60" inkscape:version="1.3">'
    "<title>山﨑製作所</title>"
    '<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>'
    '<defs><linearGradient id="g"><stop offset="0" stop-color="#0f766e"/></linearGradient></defs>'
    '<rect width="200" height="60" fill="url(#g)" style="stroke:#000;stroke-width:2"/>'
    '<use xlink:href="#g"/>'
    '<text x="10" y="40" font-size="24">山﨑 &amp; Co</text>'
    "</svg>"
)


def upload(data: bytes | str, name: str) -> SimpleUploadedFile:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return SimpleUploadedFile(name, data)
