"""Draw the app's PNG icons from the design in frontend/static/frontend/icon.svg.

Run once after changing the design and commit the PNGs (they are static assets; nothing is
drawn at run time):

    .venv/bin/python scripts/make_icons.py

There is no SVG rasteriser in the stack, so the SVG's three shapes are reproduced here with
Pillow in the SVG's own 64-unit coordinates: the blue rounded square, the white speech
bubble with its tail, and the yellow outlined answer bubble behind it. Shapes are drawn at
four times the size and scaled down, which smooths their edges.
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "frontend" / "static" / "frontend" / "icons"

BRAND = "#1d4f7a"  # the SVG's square; --brand in app.css
WHITE = "#ffffff"
ACCENT = "#f2c14e"  # the answer bubble's outline; --accent in app.css
SUPERSAMPLE = 4

Point = tuple[float, float]
# Maps a point in the SVG's 64-unit space to pixels of the (supersampled) canvas.
Transform = Callable[[Point], Point]

# The glyph (both bubbles, the outline's stroke included) spans x 8..58, y 18..58.
GLYPH_BOX = (8.0, 18.0, 58.0, 58.0)


def arc(cx: float, cy: float, r: float, start_deg: float, end_deg: float, steps: int = 24) -> list[Point]:
    """Points on a circular arc (SVG's y axis points down, so 90 degrees is straight down)."""
    return [
        (
            cx + r * math.cos(math.radians(start_deg + (end_deg - start_deg) * i / steps)),
            cy + r * math.sin(math.radians(start_deg + (end_deg - start_deg) * i / steps)),
        )
        for i in range(steps + 1)
    ]


def speech_bubble() -> list[Point]:
    """The white bubble: M14 18h28a6 6 0 0 1 6 6v12a6 6 0 0 1-6 6H28l-9 7v-7h-5
    a6 6 0 0 1-6-6V24a6 6 0 0 1 6-6z"""
    return [
        (14, 18),
        (42, 18),
        *arc(42, 24, 6, -90, 0),
        (48, 36),
        *arc(42, 36, 6, 0, 90),
        (28, 42),
        (19, 49),
        (19, 42),
        (14, 42),
        *arc(14, 36, 6, 90, 180),
        (8, 24),
        *arc(14, 24, 6, 180, 270),
    ]


def answer_outline() -> list[Point]:
    """The yellow stroke: M44 28h6a6 6 0 0 1 6 6v10a6 6 0 0 1-6 6h-2v6l-7-6h-9
    (stroke-width 4, round joins, butt ends)."""
    return [
        (44, 28),
        (50, 28),
        *arc(50, 34, 6, -90, 0),
        (56, 44),
        *arc(50, 44, 6, 0, 90),
        (48, 50),
        (48, 56),
        (41, 50),
        (32, 50),
    ]


STROKE = 4.0


def fit(canvas: int, box: tuple[float, float, float, float], extent: float) -> Transform:
    """Scale and centre ``box`` (in SVG units) so that its larger side is ``extent`` pixels."""
    x0, y0, x1, y1 = box
    scale = extent / max(x1 - x0, y1 - y0)
    dx = (canvas - (x1 - x0) * scale) / 2 - x0 * scale
    dy = (canvas - (y1 - y0) * scale) / 2 - y0 * scale
    return lambda p: (p[0] * scale + dx, p[1] * scale + dy)


def scale_of(transform: Transform) -> float:
    return transform((1, 0))[0] - transform((0, 0))[0]


def draw_stroke(
    draw: ImageDraw.ImageDraw, points: list[Point], transform: Transform, fill: str | int
) -> None:
    """An open path stroked as the SVG does: butt ends, round joins. Built from one
    quadrilateral per segment and a disc at every inner vertex (Pillow's own wide lines
    leave seams between short segments)."""
    _stroke(draw, [transform(p) for p in points], STROKE * scale_of(transform) / 2, fill)


def _stroke(
    draw: ImageDraw.ImageDraw, pixels: list[Point], half: float, fill: str | int | tuple[int, ...]
) -> None:
    for (x0, y0), (x1, y1) in itertools.pairwise(pixels):
        length = math.hypot(x1 - x0, y1 - y0)
        if length == 0:
            continue
        nx, ny = -(y1 - y0) / length * half, (x1 - x0) / length * half
        draw.polygon(
            [(x0 + nx, y0 + ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny), (x0 - nx, y0 - ny)], fill=fill
        )
    for x, y in pixels[1:-1]:
        draw.ellipse((x - half, y - half, x + half, y + half), fill=fill)


def draw_glyph(image: Image.Image, transform: Transform) -> None:
    draw = ImageDraw.Draw(image)
    draw.polygon([transform(p) for p in speech_bubble()], fill=WHITE)
    draw_stroke(draw, answer_outline(), transform, ACCENT)


def render(size: int, paint: Callable[[Image.Image, int], None]) -> Image.Image:
    """Paint on a supersampled RGBA canvas and scale down to ``size``."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    paint(image, big)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def standard(image: Image.Image, big: int) -> None:
    """The SVG as it is: a rounded square (transparent corners) with the glyph."""
    scale = big / 64
    ImageDraw.Draw(image).rounded_rectangle((0, 0, big - 1, big - 1), radius=14 * scale, fill=BRAND)
    draw_glyph(image, lambda p: (p[0] * scale, p[1] * scale))


def full_bleed(image: Image.Image, big: int) -> None:
    """A square without transparency (iOS rounds the corners itself and would show
    transparent ones as black), the glyph where the SVG has it."""
    scale = big / 64
    ImageDraw.Draw(image).rectangle((0, 0, big, big), fill=BRAND)
    draw_glyph(image, lambda p: (p[0] * scale, p[1] * scale))


def maskable(image: Image.Image, big: int) -> None:
    """Full-bleed background; the glyph inside the safe zone, the centred circle whose
    radius is 40% of the icon, so no platform mask (circle, squircle, teardrop) cuts it."""
    ImageDraw.Draw(image).rectangle((0, 0, big, big), fill=BRAND)
    x0, y0, x1, y1 = GLYPH_BOX
    half_diagonal = math.hypot(x1 - x0, y1 - y0) / 2
    safe_radius = 0.4 * big * 0.95  # a little inside the circle
    extent = max(x1 - x0, y1 - y0) * safe_radius / half_diagonal
    draw_glyph(image, fit(big, GLYPH_BOX, extent))


def badge(image: Image.Image, big: int) -> None:
    """Monochrome: platforms use only the alpha channel of a badge. Both bubbles in white,
    with a transparent gap where the answer's outline crosses the speech bubble so that the
    two stay apart without colour."""
    transform = fit(big, GLYPH_BOX, big * 0.84)
    scale = scale_of(transform)
    draw = ImageDraw.Draw(image)
    draw.polygon([transform(p) for p in speech_bubble()], fill=WHITE)
    _stroke(draw, [transform(p) for p in answer_outline()], (STROKE + 3) * scale / 2, (0, 0, 0, 0))
    draw_stroke(draw, answer_outline(), transform, WHITE)


ICONS: dict[str, tuple[int, Callable[[Image.Image, int], None]]] = {
    "icon-192.png": (192, standard),
    "icon-512.png": (512, standard),
    "maskable-512.png": (512, maskable),
    "apple-touch-icon-180.png": (180, full_bleed),
    "badge-96.png": (96, badge),
}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (size, paint) in ICONS.items():
        image = render(size, paint)
        if paint is full_bleed:
            image = image.convert("RGB")  # opaque, as iOS expects
        image.save(OUT / name, optimize=True)
        print(f"wrote {(OUT / name).relative_to(ROOT)} ({size}x{size})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
