"""Server-rendered SVG plots: coordinates computed here, drawn by a template with a text
alternative and the data table beside it."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class PlotPoint:
    label: str
    title: str
    x: float
    y: float
    funded: bool


@dataclass(frozen=True)
class Plot:
    width: int
    height: int
    left: int
    bottom: int
    points: list[PlotPoint]
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]


def _nice_ticks(maximum: float, count: int = 4) -> list[float]:
    if maximum <= 0:
        return [0.0]
    raw = maximum / count
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks, value = [], 0.0
    while value <= maximum + 1e-9:
        ticks.append(value)
        value += step
    return ticks


def _money(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 1_000:
        return f"{value / 1_000:g}k"
    return f"{value:g}"


def cost_support_plot(
    rows: list[tuple[str, str, Decimal, int, bool]], width: int = 640, height: int = 360
) -> Plot:
    """Scatter of cost (x) against supporting ballots (y); rows are (code, title, cost, votes,
    funded)."""
    left, bottom, top, right = 64, 40, 12, 16
    inner_w, inner_h = width - left - right, height - bottom - top
    max_cost = float(max((r[2] for r in rows), default=1)) or 1.0
    max_votes = float(max((r[3] for r in rows), default=1)) or 1.0
    x_ticks = _nice_ticks(max_cost)
    y_ticks = _nice_ticks(max_votes)
    x_max, y_max = max(x_ticks[-1], max_cost), max(y_ticks[-1], max_votes)

    def sx(value: float) -> float:
        return round(left + inner_w * value / x_max, 1)

    def sy(value: float) -> float:
        return round(top + inner_h * (1 - value / y_max), 1)

    points = [
        PlotPoint(code, title, sx(float(cost)), sy(float(votes)), funded)
        for code, title, cost, votes, funded in rows
    ]
    return Plot(
        width=width,
        height=height,
        left=left,
        bottom=height - bottom,
        points=points,
        x_ticks=[(sx(t), _money(t)) for t in x_ticks],
        y_ticks=[(sy(t), f"{t:g}") for t in y_ticks],
    )
