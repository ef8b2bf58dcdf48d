"""Geometry of server-rendered SVG charts: no JavaScript, a text alternative, a table beside.

The template ``ledger/_bar_chart.html`` draws what :func:`stacked_bar_chart` computes; keeping
the arithmetic here makes it testable without rendering.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

# Colour-blind-safe hues dark enough for 3:1 contrast on white (WCAG 1.4.11).
PALETTE = ("#B35806", "#0072B2", "#117733", "#6A3D9A", "#8C510A")


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class LegendItem:
    x: float
    colour: str
    label: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: float
    top: float
    plot_width: float
    plot_height: float
    segments: list[Segment]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    legend: list[LegendItem]
    title: str
    description: str

    @property
    def bottom(self) -> float:
        return self.top + self.plot_height

    @property
    def right(self) -> float:
        return self.left + self.plot_width


def nice_step(maximum: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` gridlines."""
    if maximum <= 0:
        return 1.0
    rough = maximum / ticks
    power = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 5, 10):
        if rough <= factor * power:
            return factor * power
    return 10 * power


def stacked_bar_chart(
    *,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal]]],
    title: str,
    description: str,
    format_value: Callable[[float], str] = lambda v: f"{v:,.0f}",
    width: int = 720,
    height: int = 320,
) -> BarChart:
    """Bars per category, each stacked from the series in order (negative values count as 0:
    corrections net out before they reach a chart)."""
    stacks = [
        sum(max(float(values[i]), 0.0) for _label, values in series) for i in range(len(categories))
    ]
    step = nice_step(max(stacks, default=0.0))
    top_value = step * max(math.ceil(max(stacks, default=0.0) / step), 1)
    # Room on the left for the longest y label (about 7 px a character at 12 px).
    longest = max(len(format_value(step * n)) for n in range(round(top_value / step) + 1))
    left, top, right_pad, bottom_pad = max(48.0, 7.0 * longest + 14), 36.0, 12.0, 44.0
    plot_width, plot_height = width - left - right_pad, height - top - bottom_pad
    scale = plot_height / top_value
    slot = plot_width / max(len(categories), 1)
    bar_width = max(min(slot * 0.7, 48.0), 2.0)
    segments: list[Segment] = []
    for i, category in enumerate(categories):
        x = left + slot * i + (slot - bar_width) / 2
        base = top + plot_height
        for index, (label, values) in enumerate(series):
            value = max(float(values[i]), 0.0)
            if value <= 0:
                continue
            h = value * scale
            base -= h
            segments.append(
                Segment(
                    x=round(x, 2),
                    y=round(base, 2),
                    width=round(bar_width, 2),
                    height=round(h, 2),
                    colour=PALETTE[index % len(PALETTE)],
                    title=f"{category}, {label}: {format_value(value)}",
                )
            )
    every = max(math.ceil(len(categories) / 12), 1)
    x_ticks = [
        Tick(round(left + slot * i + slot / 2, 2), category)
        for i, category in enumerate(categories)
        if i % every == 0
    ]
    y_ticks = []
    value = 0.0
    while value <= top_value + step / 2:
        y_ticks.append(Tick(round(top + plot_height - value * scale, 2), format_value(value)))
        value += step
    legend = [
        LegendItem(x=left + 170 * index, colour=PALETTE[index % len(PALETTE)], label=label)
        for index, (label, _values) in enumerate(series)
    ]
    return BarChart(
        width=width,
        height=height,
        left=left,
        top=top,
        plot_width=plot_width,
        plot_height=plot_height,
        segments=segments,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        legend=legend,
        title=title,
        description=description,
    )
