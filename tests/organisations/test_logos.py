"""Logo files are judged by their content and rebuilt; anything that could run, load or hide
something is refused with a message, metadata is dropped."""

import struct
import zlib

import pytest

from careerrelay.organisations.logos import MAX_BYTES, Kind, LogoRejected, check_logo, clean_png, clean_svg
from tests.helpers.brand import JPEG, SVG, chunk, make_png, upload

OPEN = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'


def refused(data, name) -> str:
    with pytest.raises(LogoRejected) as caught:
        check_logo(upload(data, name))
    return str(caught.value.message)


def test_a_png_is_rebuilt_without_its_text_chunks_and_keeps_its_size():
    original = make_png(
        extra_chunks=[(b"tEXt", b"Comment\x00<script>alert(1)</script>"), (b"gAMA", b"\x00\x00\xb1\x8f")]
    )
    logo = check_logo(upload(original, "logo.png"))
    assert (logo.kind, logo.width, logo.height) == (Kind.PNG, 40, 24)
    assert b"tEXt" not in logo.data and b"<script>" not in logo.data
    assert b"gAMA" in logo.data  # it changes how the colours look: kept
    assert logo.data.startswith(b"\x89PNG\r\n\x1a\n") and logo.data.endswith(b"IEND\xaeB`\x82")
    # The pixels are the same once inflated again.
    assert clean_png(logo.data).data == logo.data


def test_a_png_with_html_appended_after_its_end_is_refused():
    assert "画像以外のデータ" in refused(
        make_png() + b"<html><script>alert(document.cookie)</script></html>", "logo.png"
    )


def test_a_png_whose_data_hides_something_after_the_image_is_refused():
    raw = b"".join(b"\x00" + b"\x0f\x76\x6e" * 40 for _ in range(24))
    stream = zlib.compress(raw) + b"<script>alert(1)</script>"
    bad = make_png()[:33] + chunk(b"IDAT", stream) + chunk(b"IEND", b"")
    assert "PNG画像として読み取れません" in refused(bad, "logo.png")


@pytest.mark.parametrize(
    "damage",
    [
        lambda png: png[:-20],  # cut short
        lambda png: png[:29] + b"\x00\x00\x00\x00" + png[33:],  # header CRC broken
        lambda png: make_png(raw=b"\x00" * 10),  # less image data than the header promises
        lambda png: make_png(raw=b"\x07" + b"\x00" * (40 * 3) + b"\x00" * (23 * 121)),  # filter type 7
    ],
)
def test_a_damaged_png_is_refused(damage):
    assert "PNG画像として読み取れません" in refused(damage(make_png()), "logo.png")


def test_a_png_larger_than_the_pixel_cap_is_refused_before_it_is_inflated():
    # 50,000 × 50,000 would inflate to 7.5 GB; the header alone decides.
    header = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )
    assert "2000ピクセルまで" in refused(bomb, "logo.png")


def test_a_file_larger_than_the_limit_is_refused():
    assert "1MBまで" in refused(make_png() + b"\x00" * MAX_BYTES, "logo.png")


def test_a_pdf_renamed_png_is_refused():
    assert "PNG・JPEG・SVGの画像ではないようです" in refused(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "logo.png")


def test_a_jpeg_named_png_is_refused_and_other_extensions_are_not_accepted():
    assert "拡張子と中身の形式が一致しません" in refused(JPEG, "logo.png")
    assert "PNG(.png)・JPEG(.jpg)・SVG(.svg)" in refused(make_png(), "logo.gif")


def test_a_jpeg_is_rebuilt_without_exif_or_comments():
    def segment(marker, body):
        return marker + struct.pack(">H", 2 + len(body)) + body

    exif = segment(b"\xff\xe1", b"Exif\x00\x00GPS 35.6812N 139.7671E\x00\x00")
    comment = segment(b"\xff\xfe", b"<svg onload>")
    tagged = JPEG[:2] + exif + comment + JPEG[2:]
    logo = check_logo(upload(tagged, "logo.jpeg"))
    assert (logo.kind, logo.width, logo.height) == (Kind.JPEG, 40, 24)
    assert b"GPS" not in logo.data and b"onload" not in logo.data
    assert logo.data.startswith(b"\xff\xd8") and logo.data.endswith(b"\xff\xd9")


def test_a_jpeg_with_a_zip_appended_is_refused():
    assert "画像以外のデータ" in refused(JPEG + b"PK\x03\x04" + b"\x00" * 30, "logo.jpg")


def test_a_clean_svg_keeps_its_drawing_and_loses_editor_metadata():
    logo = check_logo(upload(SVG, "logo.svg"))
    text = logo.data.decode()
    assert (logo.kind, logo.width, logo.height) == (Kind.SVG, 1000, 300)
    assert "<title>山﨑製作所</title>" in text and "山﨑 &amp; Co" in text
    assert 'fill="url(#g)"' in text and 'xlink:href="#g"' in text
    assert "inkscape" not in text and "metadata" not in text and "rdf" not in text


@pytest.mark.parametrize(
    ("svg", "said"),
    [
        (OPEN + "<script>alert(1)</script></svg>", "<script>"),
        ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)"/>', "onload"),
        (OPEN + '<rect OnClick="x()"/></svg>', "OnClick"),
        (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'
            '<use xlink:href="http://evil.example/sprite.svg#a"/></svg>',
            "http://evil.example",
        ),
        (
            OPEN + '<a href="javascript:alert(1)"><rect/></a></svg>',
            "javascript:",
        ),
        (
            OPEN + '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">'
            "<iframe src='https://evil.example'/></div></foreignObject></svg>",
            "<foreignObject>",
        ),
        (
            OPEN + '<image href="https://tracker.example/p.gif"/></svg>',
            "<image>",
        ),
        (
            OPEN + '<a href="#x"><animate attributeName="href" to="javascript:alert(1)"/></a></svg>',
            "<animate>",
        ),
        (
            OPEN + "<style>@import url(https://evil.example/x.css);</style></svg>",
            "スタイル",
        ),
        (
            OPEN + "<rect style=\"fill:url( 'https://evil.example/a' )\"/></svg>",
            "外部",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            + OPEN
            + "<text>&xxe;</text></svg>",
            "DOCTYPE",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            + OPEN
            + "<text>&lol3;</text></svg>",
            "DOCTYPE",
        ),
        (OPEN + "<style><![CDATA[@imp]]><![CDATA[ort 'https://evil.example/x.css';]]></style></svg>", "スタイル"),
        (OPEN + "<rect style=\"fill:image-set('https://evil.example/a.png' 1x)\"/></svg>", "スタイル"),
        (
            '<?xml-stylesheet href="https://evil.example/x.css"?>' + OPEN + "</svg>",
            "xml-stylesheet",
        ),
    ],
    ids=[
        "script",
        "onload",
        "onclick-any-case",
        "xlink-href-to-http",
        "javascript-link",
        "foreignObject",
        "external-image",
        "animate-into-javascript",
        "css-import",
        "css-url",
        "external-entity",
        "billion-laughs",
        "css-import-split-over-cdata",
        "css-image-set",
        "stylesheet-instruction",
    ],
)
def test_an_svg_that_can_run_or_load_something_is_refused_saying_what(svg, said):
    message = refused(svg, "logo.svg")
    assert said in message
    assert "使えません" in message


@pytest.mark.parametrize(
    "svg",
    [
        "<html><body>not an svg</body></html>",
        OPEN + "<rect></svg>",
        '<svg xmlns="http://www.w3.org/2000/svg"><rect width="5"/></svg>',  # no size at all
    ],
)
def test_what_is_not_a_whole_svg_is_refused(svg):
    refused(svg, "logo.svg")


def test_an_svg_link_keeps_its_drawing_but_not_the_link():
    text = clean_svg(OPEN.encode() + b'<a href="#top"><rect width="5" height="5"/></a></svg>').data.decode()
    assert '<rect width="5" height="5"/>' in text and "<a" not in text


def test_svg_text_and_attributes_are_escaped_when_written_again():
    text = clean_svg(OPEN.encode() + b'<text id="a&quot;b">&lt;script&gt;</text></svg>').data.decode()
    assert 'id="a&quot;b"' in text and "&lt;script&gt;" in text and "<script>" not in text
