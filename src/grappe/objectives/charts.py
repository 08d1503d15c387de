"""Server-rendered SVG charts (no JavaScript library): a sparkline of yearly values against targets."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass
class Point:
    x: float
    y: float
    label: str


@dataclass
class Sparkline:
    width: int
    height: int
    points: list[Point]
    targets: list[Point]
    bars: list[tuple[float, float, float, str]]  # x, y, height, label
    bar_width: float

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def target_polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.targets)


def sparkline(
    years: list[int], values: list[Decimal | None], targets: list[Decimal | None], width: int = 140, height: int = 36
) -> Sparkline | None:
    """Values as bars and a line, targets as a dashed line; years without data leave a gap."""
    known = [v for v in (*values, *targets) if v is not None]
    if not known or not years:
        return None
    top = max(known) or Decimal(1)
    pad = 3
    step = (width - 2 * pad) / max(1, len(years))

    def y_of(value: Decimal) -> float:
        return height - pad - float(value / top) * (height - 2 * pad) if top else height - pad

    points, target_points, bars = [], [], []
    for index, (year, value, target) in enumerate(zip(years, values, targets, strict=True)):
        x = pad + step * index + step / 2
        if value is not None:
            y = y_of(value)
            points.append(Point(x, y, f"{year}: {value.normalize():f}"))
            bars.append((x - step / 4, y, height - pad - y, f"{year}: {value.normalize():f}"))
        if target is not None:
            target_points.append(Point(x, y_of(target), f"{year}: {target.normalize():f}"))
    return Sparkline(width, height, points, target_points, bars, step / 2)
