"""Logo files an employer uploads, checked like résumés: by their content (magic bytes and a full
parse), never by their name, and stored as a copy we write ourselves.

The logo is public: it is shown on the company's relay pages and loaded by mail clients. So what
we keep is never the uploaded bytes but a rebuilt file that contains only image data:

- PNG: every chunk is read and its CRC checked; the image data is inflated and must be exactly the
  size the header promises (the dimensions are capped before anything is inflated, so a
  decompression bomb is refused unopened), then compressed again. Only the chunks that draw the
  image are written back (IHDR, PLTE, tRNS, gAMA, cHRM, sRGB, IDAT, IEND): text, EXIF, time and
  animation chunks are dropped. Bytes after IEND (an HTML or ZIP "polyglot") are refused.
- JPEG: every segment up to EOI is read; the frame header gives the dimensions. Only the segments
  that decode the image are written back (DQT, DHT, DRI, SOF0/1/2, SOS with its scan data, JFIF
  APP0, Adobe APP14): EXIF, XMP, ICC, comments and vendor segments are dropped. Bytes after EOI
  are refused.
- SVG: parsed with the standard library's expat with every DOCTYPE refused (so no entity, no
  "billion laughs", no external DTD is ever expanded) and rebuilt from an allow-list of drawing
  elements and attributes. Anything that can run or load something is refused with a message
  rather than silently dropped: script, event handlers (on*), foreignObject, embedded images,
  animation (it can rewrite a link into javascript:), references to anything but a fragment of the
  file itself (#id), CSS with @import or url() to outside. Editor metadata (Inkscape, Illustrator)
  is dropped.

Pillow is not a dependency of the project; with it, PNG and JPEG could also be decoded to pixels
and encoded afresh. The checks here rebuild the container instead, which removes everything but
the compressed image data and refuses files whose structure is not exactly an image.
"""

import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

MAX_BYTES = 1024 * 1024
MAX_SIDE = 2000  # pixels, for PNG and JPEG; an SVG scales
MIN_SIDE = 16


class Kind:
    PNG = "png"
    JPEG = "jpg"
    SVG = "svg"


CONTENT_TYPES = {Kind.PNG: "image/png", Kind.JPEG: "image/jpeg", Kind.SVG: "image/svg+xml"}
EXTENSIONS = {".png": Kind.PNG, ".jpg": Kind.JPEG, ".jpeg": Kind.JPEG, ".svg": Kind.SVG}


class LogoRejected(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class CleanLogo:
    kind: str
    data: bytes  # the rebuilt file, the only thing stored
    width: int  # pixels, or the SVG's viewBox proportions
    height: int


NOT_AN_IMAGE = _("PNG・JPEG・SVGの画像ではないようです。ファイルの中身をご確認ください。")
TRAILING_DATA = _("画像の後ろに画像以外のデータが付いているため、受け付けられません。画像を保存し直してください。")


def check_logo(upload) -> CleanLogo:
    """The cleaned logo, or LogoRejected with a message for the person."""
    if upload.size > MAX_BYTES:
        raise LogoRejected(_("ファイルが大きすぎます(%(limit)sMBまで)。") % {"limit": MAX_BYTES // (1024 * 1024)})
    if upload.size == 0:
        raise LogoRejected(_("ファイルが空です。"))
    expected = EXTENSIONS.get(Path(upload.name or "").suffix.lower())
    if expected is None:
        raise LogoRejected(_("PNG(.png)・JPEG(.jpg)・SVG(.svg)のファイルを選んでください。"))
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    upload.seek(0)
    if data.startswith(PNG_SIGNATURE):
        kind, clean = Kind.PNG, clean_png
    elif data.startswith(b"\xff\xd8\xff"):
        kind, clean = Kind.JPEG, clean_jpeg
    elif data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        kind, clean = Kind.SVG, clean_svg
    else:
        raise LogoRejected(NOT_AN_IMAGE)
    if kind != expected:
        raise LogoRejected(_("ファイルの拡張子と中身の形式が一致しません。"))
    return clean(data)


def _check_side(width: int, height: int) -> None:
    if width > MAX_SIDE or height > MAX_SIDE:
        raise LogoRejected(
            _("画像が大きすぎます(縦横とも%(max)sピクセルまで。この画像は%(w)s×%(h)sピクセルです)。")
            % {"max": MAX_SIDE, "w": width, "h": height}
        )
    if width < MIN_SIDE or height < MIN_SIDE:
        raise LogoRejected(_("画像が小さすぎます(縦横とも%(min)sピクセル以上)。") % {"min": MIN_SIDE})


# --- PNG ------------------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEPT_BEFORE_DATA = {b"PLTE", b"tRNS", b"gAMA", b"cHRM", b"sRGB"}
PNG_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
NOT_A_PNG = _("PNG画像として読み取れませんでした。")


def _png_chunks(data: bytes):
    pos = len(PNG_SIGNATURE)
    while True:
        if pos + 12 > len(data):
            raise LogoRejected(NOT_A_PNG)  # ended without IEND
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if length > len(data) or end > len(data) or not kind.isalpha():
            raise LogoRejected(NOT_A_PNG)
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(kind + body) != crc:
            raise LogoRejected(NOT_A_PNG)
        yield kind, body, end
        if kind == b"IEND":
            return
        pos = end


def _png_rows(width: int, height: int, interlaced: bool):
    """(rows, pixels per row) of each pass."""
    if not interlaced:
        return [(height, width)]
    passes = []
    for x0, y0, dx, dy in ADAM7:
        columns = (width - x0 + dx - 1) // dx if width > x0 else 0
        rows = (height - y0 + dy - 1) // dy if height > y0 else 0
        if columns and rows:
            passes.append((rows, columns))
    return passes


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def clean_png(data: bytes) -> CleanLogo:
    header = None
    kept: list[tuple[bytes, bytes]] = []
    compressed = []
    seen_data = finished_data = False
    end = 0
    for kind, body, chunk_end in _png_chunks(data):
        end = chunk_end
        if header is None:
            if kind != b"IHDR" or len(body) != 13:
                raise LogoRejected(NOT_A_PNG)
            header = body
            width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", body)
            if depth not in PNG_DEPTHS.get(colour, ()) or compression or filtering or interlace not in (0, 1):
                raise LogoRejected(NOT_A_PNG)
            _check_side(width, height)
        elif kind == b"IDAT":
            if finished_data:
                raise LogoRejected(NOT_A_PNG)  # image data must be one run of chunks
            seen_data = True
            compressed.append(body)
        elif kind == b"IEND":
            break
        else:
            finished_data = seen_data
            if kind == b"IHDR" or (kind[0:1].isupper() and kind != b"PLTE"):
                raise LogoRejected(NOT_A_PNG)  # a second header, or a critical chunk we cannot read
            if kind in PNG_KEPT_BEFORE_DATA and not seen_data:
                kept.append((kind, body))
    if header is None or not seen_data:
        raise LogoRejected(NOT_A_PNG)
    if end != len(data):
        raise LogoRejected(TRAILING_DATA)
    if colour == 3 and not any(k == b"PLTE" for k, _body in kept):
        raise LogoRejected(NOT_A_PNG)
    bits = PNG_CHANNELS[colour] * depth
    passes = _png_rows(width, height, interlace == 1)
    expected = sum(rows * (1 + (columns * bits + 7) // 8) for rows, columns in passes)
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(b"".join(compressed), expected + 1)
    except zlib.error:
        raise LogoRejected(NOT_A_PNG) from None
    if len(raw) != expected or not inflater.eof or inflater.unused_data or inflater.unconsumed_tail:
        raise LogoRejected(NOT_A_PNG)
    pos = 0
    for rows, columns in passes:  # every scanline starts with a filter type 0-4
        stride = 1 + (columns * bits + 7) // 8
        for _row in range(rows):
            if raw[pos] > 4:
                raise LogoRejected(NOT_A_PNG)
            pos += stride
    recompressed = zlib.compress(raw, 6)
    out = [PNG_SIGNATURE, _png_chunk(b"IHDR", header)]
    out += [_png_chunk(kind, body) for kind, body in kept]
    out += [_png_chunk(b"IDAT", recompressed[i : i + 65536]) for i in range(0, len(recompressed), 65536)]
    out.append(_png_chunk(b"IEND", b""))
    return CleanLogo(Kind.PNG, b"".join(out), width, height)


# --- JPEG -----------------------------------------------------------------------------------------

NOT_A_JPEG = _("JPEG画像として読み取れませんでした。")
JPEG_FRAMES = {0xC0, 0xC1, 0xC2}  # baseline, extended and progressive Huffman: what browsers show
JPEG_KEPT = {0xC4, 0xDB, 0xDD}  # DHT, DQT, DRI


def clean_jpeg(data: bytes) -> CleanLogo:
    out = [b"\xff\xd8"]
    pos = 2
    size = None
    scans = 0
    while True:
        if pos >= len(data) or data[pos] != 0xFF:
            raise LogoRejected(NOT_A_JPEG)
        while pos < len(data) and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= len(data):
            raise LogoRejected(NOT_A_JPEG)
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            break
        if pos + 2 > len(data) or marker in (0x00, 0x01) or 0xD0 <= marker <= 0xD8:
            raise LogoRejected(NOT_A_JPEG)
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        segment = data[pos + 2 : pos + length]
        if length < 2 or pos + length > len(data):
            raise LogoRejected(NOT_A_JPEG)
        pos += length
        whole = bytes([0xFF, marker]) + data[pos - length : pos]
        if marker in JPEG_FRAMES:
            if size is not None or len(segment) < 6:
                raise LogoRejected(NOT_A_JPEG)
            height, width, components = struct.unpack(">HHB", segment[1:6])
            if height == 0 or components not in (1, 3, 4):
                raise LogoRejected(NOT_A_JPEG)
            _check_side(width, height)
            size = (width, height)
            out.append(whole)
        elif marker in JPEG_KEPT:
            out.append(whole)
        elif marker == 0xE0 and segment.startswith(b"JFIF\x00") and len(out) == 1:
            out.append(whole)
        elif marker == 0xEE and segment.startswith(b"Adobe"):  # says how the colours are stored
            out.append(whole)
        elif marker == 0xDA:  # a scan: its header, then entropy-coded data up to the next marker
            if size is None:
                raise LogoRejected(NOT_A_JPEG)
            start = pos
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= len(data):
                    raise LogoRejected(NOT_A_JPEG)
                following = data[pos + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:  # stuffed byte, restart marker
                    pos += 2
                    continue
                break
            out.append(whole + data[start:pos])
            scans += 1
        elif 0xE1 <= marker <= 0xEF or marker in (0xE0, 0xFE):
            continue  # EXIF, XMP, ICC, Photoshop, comments: metadata, dropped
        else:
            raise LogoRejected(_("この形式のJPEG(算術符号・ロスレスなど)には対応していません。"))
    if size is None or not scans:
        raise LogoRejected(NOT_A_JPEG)
    if pos != len(data):
        raise LogoRejected(TRAILING_DATA)
    out.append(b"\xff\xd9")
    return CleanLogo(Kind.JPEG, b"".join(out), *size)


# --- SVG ------------------------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
NOT_AN_SVG = _("SVG画像として読み取れませんでした。")
SVG_MAX_DEPTH = 64
SVG_MAX_ELEMENTS = 20000

SVG_ELEMENTS = {
    "svg", "g", "defs", "title", "desc", "symbol", "use", "switch", "style",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "textPath",
    "linearGradient", "radialGradient", "stop", "clipPath", "mask", "pattern", "marker",
    "filter", "feGaussianBlur", "feOffset", "feBlend", "feColorMatrix", "feComposite", "feFlood",
    "feMerge", "feMergeNode", "feMorphology", "feDropShadow",
}  # fmt: skip
# Refused, not dropped: each can run script, load something, or change the drawing into a link.
SVG_REFUSED = {
    "script", "foreignobject", "iframe", "embed", "object", "image", "feimage", "handler", "listener",
    "animate", "set", "animatetransform", "animatemotion", "animatecolor", "audio", "video", "cursor",
}  # fmt: skip
SVG_ATTRIBUTES = {
    "id", "class", "style", "version", "viewBox", "preserveAspectRatio", "width", "height", "x", "y",
    "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "fr", "d", "points", "pathLength",
    "transform", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap",
    "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "stroke-opacity",
    "opacity", "color", "display", "visibility", "overflow", "offset", "stop-color", "stop-opacity",
    "gradientUnits", "gradientTransform", "spreadMethod", "clip-path", "clip-rule", "clipPathUnits",
    "mask", "maskUnits", "maskContentUnits", "patternUnits", "patternContentUnits", "patternTransform",
    "marker-start", "marker-mid", "marker-end", "markerWidth", "markerHeight", "markerUnits", "refX",
    "refY", "orient", "font-family", "font-size", "font-weight", "font-style", "font-variant",
    "text-anchor", "dominant-baseline", "alignment-baseline", "baseline-shift", "letter-spacing",
    "word-spacing", "text-decoration", "dx", "dy", "rotate", "textLength", "lengthAdjust",
    "startOffset", "filter", "filterUnits", "primitiveUnits", "flood-color", "flood-opacity",
    "stdDeviation", "in", "in2", "result", "mode", "operator", "values", "type", "k1", "k2", "k3",
    "k4", "radius", "vector-effect", "paint-order", "shape-rendering", "text-rendering",
    "color-interpolation-filters", "mix-blend-mode", "isolation", "href", "lang", "role",
    "aria-label", "aria-hidden", "systemLanguage", "enable-background",
}  # fmt: skip
SVG_TEXT_ELEMENTS = {"title", "desc", "style", "text", "tspan", "textPath"}
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.I)
_CSS_FORBIDDEN = (
    "@import", "image-set(", "image(", "://", "expression(", "javascript:", "behavior", "-moz-binding", "\\", "</",
)  # fmt: skip
_NUMBER = re.compile(r"\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*(px)?\s*", re.I)


def _refuse_svg(what) -> LogoRejected:
    return LogoRejected(
        _("このSVGは%(what)sを含むため使えません。図形だけのSVGとして保存し直すか、PNGでアップロードしてください。")
        % {"what": what}
    )


def _check_css(css: str) -> None:
    squeezed = re.sub(r"\s+", "", css).lower()
    if _CSS_URL.search(css) or any(word in squeezed for word in _CSS_FORBIDDEN):
        raise _refuse_svg(_("外部を読み込むスタイル指定"))


@dataclass
class _Node:
    name: str
    attributes: list[tuple[str, str]]
    children: list


class _SvgBuilder:
    def __init__(self):
        self.root: _Node | None = None
        self.stack: list[_Node | None] = []  # None: inside an element being dropped
        self.count = 0
        self.uses_xlink = False

    def start(self, qname, attributes):
        namespace, _sep, name = qname.rpartition(" ")
        if name.lower() in SVG_REFUSED:
            raise _refuse_svg(f"<{name}>")
        self.count += 1
        if self.count > SVG_MAX_ELEMENTS or len(self.stack) >= SVG_MAX_DEPTH:
            raise LogoRejected(_("このSVGは要素が多すぎるため使えません。"))
        for key, value in attributes.items():
            self._check_attribute(key, value)
        parent = self.stack[-1] if self.stack else None
        if self.stack and parent is None:
            self.stack.append(None)  # inside something dropped: dropped too
            return
        if namespace not in ("", SVG_NS) or name not in SVG_ELEMENTS:
            if self.root is None:
                raise LogoRejected(NOT_AN_SVG)
            if name == "a" and namespace in ("", SVG_NS):
                self.stack.append(parent)  # a link: its drawing kept, the link itself dropped
                return
            self.stack.append(None)  # editor metadata and the like
            return
        node = _Node(name, self._kept_attributes(attributes), [])
        if self.root is None:
            if name != "svg":
                raise LogoRejected(NOT_AN_SVG)
            self.root = node
        elif parent is not None:  # always, below the root (XML has one root element)
            parent.children.append(node)
        self.stack.append(node)

    def _check_attribute(self, key, value):
        name = key.rpartition(" ")[2]
        squeezed = re.sub(r"\s+", "", value).lower()
        if name.lower().startswith("on"):
            raise _refuse_svg(_("イベント属性(%(name)s)") % {"name": name})
        if name == "href" and not value.strip().startswith("#"):
            raise _refuse_svg(_("外部への参照(%(value)s)") % {"value": value[:80]})
        if "javascript:" in squeezed or "data:" in squeezed or _CSS_URL.search(value):
            raise _refuse_svg(_("外部への参照"))
        if name == "style":
            _check_css(value)

    def _kept_attributes(self, attributes):
        kept = []
        for key, value in attributes.items():
            namespace, _sep, name = key.rpartition(" ")
            if namespace == "" and name in SVG_ATTRIBUTES:
                kept.append((name, value))
            elif namespace == XLINK_NS and name == "href":
                kept.append(("xlink:href", value))
                self.uses_xlink = True
            elif namespace == XML_NS and name in ("space", "lang"):
                kept.append(("xml:" + name, value))
        return kept

    def end(self, qname):
        node = self.stack.pop()
        if node is not None and node.name == "style":
            # Checked whole: its text may arrive in pieces (CDATA sections), and "@imp" + "ort"
            # must not pass as two harmless halves.
            _check_css("".join(child for child in node.children if isinstance(child, str)))

    def text(self, data):
        node = self.stack[-1] if self.stack else None
        if node is not None and node.name in SVG_TEXT_ELEMENTS:
            node.children.append(data)


def _refuse_doctype(*args):
    raise _refuse_svg(_("DOCTYPE宣言(外部実体・エンティティ)"))


def _refuse_instruction(target, data):
    raise _refuse_svg(_("処理命令(%(target)s)") % {"target": target})


def _serialise(node: _Node, out: list[str]) -> None:
    attributes = "".join(f' {name}="{escape(value)}"' for name, value in node.attributes)
    if not node.children:
        out.append(f"<{node.name}{attributes}/>")
        return
    out.append(f"<{node.name}{attributes}>")
    for child in node.children:
        if isinstance(child, str):
            out.append(escape(child))
        else:
            _serialise(child, out)
    out.append(f"</{node.name}>")


def _length(value: str | None) -> float | None:
    match = _NUMBER.fullmatch(value or "")
    return float(match.group(1)) if match else None


def _svg_size(root: _Node) -> tuple[int, int]:
    attributes = dict(root.attributes)
    box = re.split(r"[\s,]+", attributes.get("viewBox", "").strip())
    if len(box) == 4:
        try:
            width, height = float(box[2]), float(box[3])
        except ValueError:
            width = height = 0.0
    else:
        width, height = _length(attributes.get("width")) or 0.0, _length(attributes.get("height")) or 0.0
    if width <= 0 or height <= 0:
        raise LogoRejected(_("SVGに大きさ(viewBox、または width と height)がありません。"))
    scale = 1000 / max(width, height)  # kept as proportions: the page sets the logo's height
    return max(1, round(width * scale)), max(1, round(height * scale))


def clean_svg(data: bytes) -> CleanLogo:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise LogoRejected(_("SVGは文字コードUTF-8で保存してください。")) from None
    builder = _SvgBuilder()
    parser = expat.ParserCreate("utf-8", namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.UnparsedEntityDeclHandler = _refuse_doctype
    parser.ExternalEntityRefHandler = _refuse_doctype
    parser.ProcessingInstructionHandler = _refuse_instruction
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.text
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        raise LogoRejected(NOT_AN_SVG) from None
    if builder.root is None:
        raise LogoRejected(NOT_AN_SVG)
    root = builder.root
    root.attributes = [(k, v) for k, v in root.attributes if k not in ("xmlns", "xmlns:xlink")]
    root.attributes.insert(0, ("xmlns", SVG_NS))
    if builder.uses_xlink:
        root.attributes.insert(1, ("xmlns:xlink", XLINK_NS))
    width, height = _svg_size(root)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _serialise(root, out)
    return CleanLogo(Kind.SVG, "".join(out).encode("utf-8"), width, height)
