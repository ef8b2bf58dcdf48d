"""The geometry of the server-rendered SVG charts."""

from decimal import Decimal

from coproduce.ledger.charts import nice_step, stacked_bar_chart


def test_nice_steps_are_round():
    assert [nice_step(v) for v in (0, 4, 9, 47, 230, 9_999)] == [1.0, 1, 2, 10, 50, 2000]


def test_stacked_bars_scale_stack_and_label():
    chart = stacked_bar_chart(
        categories=["2026-01", "2026-02", "2026-03"],
        series=[
            ("Citizens", [Decimal("10"), Decimal("0"), Decimal("30")]),
            ("Professionals", [Decimal("5"), Decimal("-2"), Decimal("10")]),
        ],
        title="Hours",
        description="Hours per month",
    )
    assert len(chart.segments) == 4  # zero and negative values draw nothing
    march = [s for s in chart.segments if s.title.startswith("2026-03")]
    citizens, professionals = march
    assert professionals.y + professionals.height == citizens.y  # stacked
    assert citizens.y + citizens.height == chart.bottom
    top = chart.y_ticks[-1]
    assert float(top.label.replace(",", "")) >= 40 and top.position >= chart.top - 0.01
    assert [tick.label for tick in chart.x_ticks] == ["2026-01", "2026-02", "2026-03"]
    assert [item.label for item in chart.legend] == ["Citizens", "Professionals"]


def test_an_empty_chart_still_has_an_axis():
    chart = stacked_bar_chart(categories=[], series=[], title="t", description="d")
    assert chart.segments == [] and chart.y_ticks
