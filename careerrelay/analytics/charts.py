"""Charts as server-rendered SVG: readable without JavaScript, printable, and accessible. Each chart
is an image with a title and a description (role="img", aria-labelledby), a sentence saying what it
shows for those who cannot see it, and the table of its numbers, all rendered by
templates/analytics/_chart.html:

    {% include "analytics/_chart.html" with chart=funnel_chart %}

The functions take values already made safe to show (coarse figures per group, exact totals);
a value None is drawn as a gap and written 「—」 in the table. Colours come from CSS classes
(`.series-0` …) so print and high-contrast styles can change them.
"""

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 280
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 12, 16, 44


@dataclass
class Chart:
    id: str
    title: str
    summary: str  # the text alternative: one or two sentences with the figures that matter
    columns: list[str]
    rows: list[list[str]]
    svg: SafeString
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css class, name)


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000, 100000):
        top = step * 4
        if value <= top:
            return top
    return float(int(value * 1.1) + 1)


def _svg(chart_id: str, title: str, summary: str, body: list[str], height: int = HEIGHT) -> SafeString:
    return mark_safe(  # noqa: S308 (every text below is escaped)
        f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {height}" role="img" preserveAspectRatio="xMidYMid meet"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(summary)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _y_axis(top: float, plot_h: float, fmt=_fmt, bottom: float = 0) -> list[str]:
    out = []
    for i in range(5):
        value = bottom + (top - bottom) * i / 4
        y = PAD_TOP + plot_h - plot_h * i / 4
        out.append(f'<line class="grid" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        label = fmt(int(value) if float(value).is_integer() else value)
        out.append(f'<text class="tick" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(label)}</text>')
    return out


def _x_labels(labels: list[str], x_of, plot_h: float) -> list[str]:
    every = max(1, len(labels) // 8)
    return [
        f'<text class="tick" x="{x_of(i):.1f}" y="{PAD_TOP + plot_h + 18}" text-anchor="middle">{escape(label)}</text>'
        for i, label in enumerate(labels)
        if i % every == 0
    ]


def funnel_chart(
    chart_id: str, title: str, summary: str, steps: list[tuple[str, int | None]], columns: list[str]
) -> Chart:
    """Horizontal bars, one per step, widest first, with each step's share of the one before."""
    row_h = 30
    height = PAD_TOP + row_h * len(steps) + 8
    label_w = 150
    top = max([v for _l, v in steps if v] or [1])
    body, rows, previous = [], [], None
    for i, (label, value) in enumerate(steps):
        y = PAD_TOP + i * row_h
        width = 0 if not value else (WIDTH - label_w - 90) * value / top
        rate = f"{100 * value / previous:.1f}%" if value is not None and previous else "—"
        body.append(f'<text class="tick" x="{label_w - 8}" y="{y + 19}" text-anchor="end">{escape(label)}</text>')
        body.append(f'<rect class="series-0" x="{label_w}" y="{y + 4}" width="{width:.1f}" height="{row_h - 8}"/>')
        body.append(f'<text class="value" x="{label_w + width + 6:.1f}" y="{y + 19}">{escape(_fmt(value))}</text>')
        rows.append([label, _fmt(value), rate])
        previous = value if value else None
    return Chart(chart_id, title, summary, columns, rows, _svg(chart_id, title, summary, body, height))


def bar_line_chart(
    chart_id: str,
    title: str,
    summary: str,
    labels: list[str],
    bars: tuple[str, list[int | None]],
    line: tuple[str, list[int | None]],
    columns: list[str],
) -> Chart:
    """Bars for one series (registrations) and a line for another (credits) over the same periods."""
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    top = _nice_max(max([v or 0 for v in bars[1] + line[1]] or [0]))
    n = max(1, len(labels))
    slot = plot_w / n

    def x_of(i):
        return PAD_LEFT + slot * (i + 0.5)

    def y_of(v):
        return PAD_TOP + plot_h - plot_h * (v or 0) / top

    body = _y_axis(top, plot_h)
    for i, value in enumerate(bars[1]):
        if value:
            body.append(
                f'<rect class="series-0" x="{x_of(i) - slot * 0.35:.1f}" y="{y_of(value):.1f}"'
                f' width="{slot * 0.7:.1f}" height="{PAD_TOP + plot_h - y_of(value):.1f}"/>'
            )
    points = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(line[1]) if v is not None)
    if points:
        body.append(f'<polyline class="line series-1" fill="none" points="{points}"/>')
        body.extend(
            f'<circle class="series-1" cx="{x_of(i):.1f}" cy="{y_of(v):.1f}" r="3"/>'
            for i, v in enumerate(line[1])
            if v is not None
        )
    body += _x_labels(labels, x_of, plot_h)
    rows = [[label, _fmt(b), _fmt(c)] for label, b, c in zip(labels, bars[1], line[1], strict=True)]
    chart = Chart(chart_id, title, summary, columns, rows, _svg(chart_id, title, summary, body))
    chart.legend = [("series-0", bars[0]), ("series-1", line[0])]
    return chart


def stacked_bar_chart(
    chart_id: str,
    title: str,
    summary: str,
    labels: list[str],
    series: list[tuple[str, list[int]]],
    first_column: str,
    total_column: str,
) -> Chart:
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    totals = [sum(values[i] for _n, values in series) for i in range(len(labels))]
    top = _nice_max(max(totals or [0]))
    slot = plot_w / max(1, len(labels))

    def x_of(i):
        return PAD_LEFT + slot * (i + 0.5)

    body = _y_axis(top, plot_h)
    for i in range(len(labels)):
        base = 0
        for s, (_name, values) in enumerate(series):
            value = values[i]
            if not value:
                continue
            y = PAD_TOP + plot_h - plot_h * (base + value) / top
            h = plot_h * value / top
            x = x_of(i) - slot * 0.35
            body.append(f'<rect class="series-{s}" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}"/>')
            base += value
    body += _x_labels(labels, x_of, plot_h)
    rows = [[label, *(_fmt(values[i]) for _n, values in series), _fmt(totals[i])] for i, label in enumerate(labels)]
    chart = Chart(
        chart_id,
        title,
        summary,
        [first_column, *(name for name, _v in series), total_column],
        rows,
        _svg(chart_id, title, summary, body),
    )
    chart.legend = [(f"series-{s}", name) for s, (name, _v) in enumerate(series)]
    return chart


def line_chart(
    chart_id: str,
    title: str,
    summary: str,
    labels: list[str],
    values: list[float | None],
    columns: list[str],
    bottom: float = -100,
    top: float = 100,
) -> Chart:
    """One line over fixed bounds (NPS: -100 to 100); None is a gap (a month not shown)."""
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / max(1, len(labels))

    def x_of(i):
        return PAD_LEFT + slot * (i + 0.5)

    def y_of(v):
        return PAD_TOP + plot_h - plot_h * (v - bottom) / (top - bottom)

    body = _y_axis(top, plot_h, bottom=bottom)
    segment: list[str] = []
    for i, value in enumerate([*values, None]):
        if value is None:
            if len(segment) > 1:
                body.append(f'<polyline class="line series-0" fill="none" points="{" ".join(segment)}"/>')
            segment = []
            continue
        segment.append(f"{x_of(i):.1f},{y_of(value):.1f}")
        body.append(f'<circle class="series-0" cx="{x_of(i):.1f}" cy="{y_of(value):.1f}" r="3.5"/>')
    body += _x_labels(labels, x_of, plot_h)
    rows = [[label, _fmt(value)] for label, value in zip(labels, values, strict=True)]
    return Chart(chart_id, title, summary, columns, rows, _svg(chart_id, title, summary, body))
