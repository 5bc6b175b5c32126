"""Street scenes drawn with numpy and Pillow, together with the exact geometry of what was drawn.

A scene is a road running to the horizon under a sky, with buildings, lane markings, cars, maybe a
bus on a slant, traffic lights, people walking and a tree. Everything is drawn from the same
numbers that ``Scene`` returns as label-model coordinates, so a label put from them sits on its
pixels. Scenes are drawn from a seed: the same seed gives the same image, byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from labelspace.model.coordinates import (
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    RotatableBoundingBoxCoordinates,
    SkeletonCoordinates,
)
from labelspace.model.skeletons import SkeletonTemplate

PEDESTRIAN = SkeletonTemplate(
    [
        ("head", 0.5, 0.0),
        ("neck", 0.5, 0.18),
        ("left_shoulder", 0.3, 0.22),
        ("right_shoulder", 0.7, 0.22),
        ("left_hand", 0.1, 0.5),
        ("right_hand", 0.9, 0.5),
        ("hip", 0.5, 0.55),
        ("left_knee", 0.35, 0.78),
        ("right_knee", 0.65, 0.78),
        ("left_foot", 0.25, 1.0),
        ("right_foot", 0.8, 1.0),
    ],
    [
        ("head", "neck"),
        ("neck", "left_shoulder"),
        ("neck", "right_shoulder"),
        ("left_shoulder", "left_hand"),
        ("right_shoulder", "right_hand"),
        ("neck", "hip"),
        ("hip", "left_knee"),
        ("hip", "right_knee"),
        ("left_knee", "left_foot"),
        ("right_knee", "right_foot"),
    ],
)
"""The template a walking person is drawn from (and labelled with)."""

HORIZON = 0.45
"""Where the road meets the sky, as a fraction of the image height."""

_Pixels = Callable[[float, float], tuple[float, float]]
"""Turns a normalised ``(x, y)`` into pixels of the image being drawn."""

_CAR_COLOURS = ((200, 30, 30), (30, 80, 190), (235, 235, 235), (40, 40, 45), (240, 190, 20), (60, 150, 70))


@dataclass(frozen=True)
class Scene:
    """A drawn street and the geometry of what is in it, normalised to the image (0..1).

    Attributes:
        image: The picture, height x width x 3, RGB, uint8.
        road: The road surface.
        lanes: The lane markings, each a line from the bottom of the image towards the horizon.
        cars: A box around each car, nearest last.
        bus: The bus, a box turned by its angle (degrees, clockwise), if there is one.
        lights: The lit lamp of each traffic light.
        light_colours: Which lamp is lit, per traffic light: ``"red"``, ``"amber"`` or ``"green"``.
        pedestrians: Each person walking, as ``PEDESTRIAN``'s nodes.
        tree: The tree's leaves, pixel by pixel, if there is a tree.
    """

    image: npt.NDArray[np.uint8]
    road: PolygonCoordinates
    lanes: tuple[PolylineCoordinates, ...]
    cars: tuple[BoundingBoxCoordinates, ...]
    bus: RotatableBoundingBoxCoordinates | None
    lights: tuple[PointCoordinate, ...]
    light_colours: tuple[str, ...]
    pedestrians: tuple[SkeletonCoordinates, ...]
    tree: BitmaskCoordinates | None

    @property
    def width(self) -> int:
        """The image width in pixels."""
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        """The image height in pixels."""
        return int(self.image.shape[0])


def _road_edges(y: float) -> tuple[float, float]:
    """The road's left and right edge at height ``y`` (normalised): it narrows to the horizon."""
    t = (y - HORIZON) / (1 - HORIZON)
    return 0.47 - 0.45 * t, 0.53 + 0.45 * t


def draw_street(
    seed: int,
    *,
    width: int = 960,
    height: int = 540,
    cars: int = 3,
    bus: bool = True,
    lights: int = 1,
    pedestrians: int = 1,
    tree: bool = True,
) -> Scene:
    """Draw a street scene.

    Args:
        seed: Chooses the colours, buildings and where things stand.
        width: Image width in pixels.
        height: Image height in pixels.
        cars: How many cars drive on the road.
        bus: Whether a bus stands on the right, turned as on a bend.
        lights: How many traffic lights (one on each side of the road at most).
        pedestrians: How many people walk on the pavement on the left.
        tree: Whether a tree grows on the right.
    """
    rng = np.random.default_rng(seed)
    w, h = width, height

    def px(x: float, y: float) -> tuple[float, float]:
        return x * w, y * h

    # Sky: a gradient from deep to pale blue down to the horizon; ground below it.
    pixels = np.empty((h, w, 3), np.uint8)
    fade = np.linspace(0, 1, h)[:, None]
    pixels[:] = (np.array([70, 130, 210]) * (1 - fade) + np.array([200, 225, 245]) * fade).astype(np.uint8)[:, None, :]
    horizon_px = int(HORIZON * h)
    pixels[horizon_px:] = (118, 150, 96)
    image = Image.fromarray(pixels)
    draw = ImageDraw.Draw(image)

    # Buildings along the horizon, with lit and dark windows.
    x = 0.0
    while x < 1:
        bw, bh = rng.uniform(0.06, 0.14), rng.uniform(0.12, 0.32)
        grey = int(rng.integers(110, 190))
        top = HORIZON - bh
        draw.rectangle([px(x, top), px(x + bw, HORIZON)], fill=(grey, grey - 8, grey - 15))
        for wy in np.arange(top + 0.02, HORIZON - 0.03, 0.045):
            for wx in np.arange(x + 0.01, x + bw - 0.02, 0.025):
                lit_window = rng.random() < 0.3
                draw.rectangle(
                    [px(wx, wy), px(wx + 0.012, wy + 0.022)], fill=(250, 225, 140) if lit_window else (60, 70, 85)
                )
        x += bw + rng.uniform(0.0, 0.02)

    # The road and its pavement.
    bottom_left, bottom_right = _road_edges(1.0)
    road_points = [(bottom_left, 1.0), (0.47, HORIZON), (0.53, HORIZON), (bottom_right, 1.0)]
    draw.polygon([px(0.0, 1.0), px(0.44, HORIZON), px(0.56, HORIZON), px(1.0, 1.0)], fill=(170, 165, 155))
    draw.polygon([px(*p) for p in road_points], fill=(72, 72, 78))
    road = PolygonCoordinates([PointCoordinate(*p) for p in road_points])

    # Lane markings: a dashed centre line, drawn as dashes along one line (the label is the whole line).
    lanes = []
    for offset in (-0.17, 0.17):
        start, end = (0.5 + offset, 1.0), (0.5 + offset * 0.06, HORIZON + 0.02)
        for i in range(0, 12, 2):
            a, b = i / 12, (i + 1) / 12
            draw.line(
                [px(*_lerp(start, end, a)), px(*_lerp(start, end, b))], fill=(245, 245, 240), width=max(2, w // 240)
            )
        lanes.append(PolylineCoordinates([PointCoordinate(*start), PointCoordinate(*end)]))

    # A tree on the right pavement: its leaves are a mask of overlapping discs.
    tree_mask = None
    if tree:
        cx, cy = rng.uniform(0.86, 0.92), rng.uniform(0.32, 0.36)
        draw.rectangle([px(cx - 0.008, cy), px(cx + 0.008, cy + 0.22)], fill=(95, 65, 40))
        leaves = Image.new("L", (w, h), 0)
        leaves_draw = ImageDraw.Draw(leaves)
        for _ in range(7):
            dx, dy, r = rng.uniform(-0.05, 0.05), rng.uniform(-0.08, 0.03), rng.uniform(0.05, 0.08)
            leaves_draw.ellipse([px(cx + dx - r * h / w, cy + dy - r), px(cx + dx + r * h / w, cy + dy + r)], fill=255)
        mask = np.asarray(leaves) > 0
        texture = rng.integers(-18, 18, (h, w, 1))
        green = np.clip(np.array([50, 120, 45]) + texture, 0, 255).astype(np.uint8)
        pixels = np.asarray(image).copy()
        pixels[mask] = green[mask]
        image = Image.fromarray(pixels)
        draw = ImageDraw.Draw(image)
        tree_mask = BitmaskCoordinates(mask)

    # Traffic lights at the road's edges; one lamp is lit.
    lamps = []
    lit_colours = []
    for side in range(min(lights, 2)):
        lx = 0.2 if side == 0 else 0.8
        top = 0.3
        draw.rectangle([px(lx - 0.004, top + 0.12), px(lx + 0.004, 0.72)], fill=(50, 50, 50))
        draw.rectangle([px(lx - 0.018, top), px(lx + 0.018, top + 0.13)], fill=(30, 30, 30))
        lit = int(rng.integers(0, 3))
        for i, colour in enumerate(((230, 40, 30), (240, 170, 20), (40, 200, 70))):
            ly = top + 0.022 + i * 0.043
            shade = colour if i == lit else tuple(c // 4 for c in colour)
            r = 0.014
            draw.ellipse([px(lx - r * h / w, ly - r), px(lx + r * h / w, ly + r)], fill=shade)
            if i == lit:
                lamps.append(PointCoordinate(lx, ly))
                lit_colours.append(("red", "amber", "green")[i])

    # A bus standing on the right, turned a little as on a bend.
    bus_box = None
    if bus:
        bw, bh = 0.2, 0.15
        bx, by = rng.uniform(0.62, 0.66), rng.uniform(0.55, 0.6)
        theta = float(rng.uniform(-12, -6))
        corners = _turned(bx * w, by * h, bw * w, bh * h, theta)
        draw.polygon(corners, fill=(235, 140, 30), outline=(60, 40, 20))
        for i in range(4):
            a, b = 0.08 + i * 0.22, 0.26 + i * 0.22
            pane = _turned(bx * w, by * h, bw * w, bh * h, theta, window=(a, 0.15, b, 0.45))
            draw.polygon(pane, fill=(150, 200, 230))
        bus_box = RotatableBoundingBoxCoordinates(bh, bw, bx, by, theta)

    # Cars on the road, far to near, sized by their distance.
    car_boxes = []
    bottoms = np.sort(rng.uniform(0.6, 0.97, cars))
    for bottom in bottoms:
        left_edge, right_edge = _road_edges(bottom)
        scale = (bottom - HORIZON) / (1 - HORIZON)
        cw, ch = 0.22 * scale, 0.16 * scale
        lane_left = rng.random() < 0.5
        cx = left_edge + (right_edge - left_edge) * (0.3 if lane_left else 0.68) + rng.uniform(-0.02, 0.02)
        x0, y0 = min(max(cx - cw / 2, 0.0), 1 - cw), bottom - ch
        colour = _CAR_COLOURS[int(rng.integers(0, len(_CAR_COLOURS)))]
        _draw_car(draw, px, x0, y0, cw, ch, colour)
        car_boxes.append(BoundingBoxCoordinates(height=ch, width=cw, top_left_x=x0, top_left_y=y0))

    # People walking on the left pavement.
    people = []
    for i in range(pedestrians):
        ph = 0.2 + 0.04 * i
        pw = ph * 0.45 * h / w
        x0, y0 = 0.04 + 0.09 * i + rng.uniform(0, 0.03), 0.62 + 0.05 * i
        skeleton = PEDESTRIAN.place(x0, y0, pw, ph, name="pedestrian")
        _draw_person(draw, px, skeleton, colour=(40 + 60 * i, 60, 120))
        people.append(skeleton)

    return Scene(
        image=np.asarray(image, dtype=np.uint8).copy(),
        road=road,
        lanes=tuple(lanes),
        cars=tuple(car_boxes),
        bus=bus_box,
        lights=tuple(lamps),
        light_colours=tuple(lit_colours),
        pedestrians=tuple(people),
        tree=tree_mask,
    )


def _lerp(a: tuple[float, float], b: tuple[float, float], t: float) -> tuple[float, float]:
    return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t


def _turned(
    x: float,
    y: float,
    w: float,
    h: float,
    theta: float,
    window: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0),
) -> list[tuple[float, float]]:
    """Corners (pixels) of part of the box ``x, y, w, h`` turned ``theta`` degrees clockwise about its centre.

    ``window`` picks the part, as fractions of the box: left, top, right, bottom.
    """
    cx, cy = x + w / 2, y + h / 2
    cos, sin = math.cos(math.radians(theta)), math.sin(math.radians(theta))
    left, top, right, bottom = window
    out = []
    for fx, fy in ((left, top), (right, top), (right, bottom), (left, bottom)):
        dx, dy = x + fx * w - cx, y + fy * h - cy
        out.append((cx + dx * cos - dy * sin, cy + dx * sin + dy * cos))
    return out


def _draw_car(
    draw: ImageDraw.ImageDraw, to_px: _Pixels, x: float, y: float, w: float, h: float, colour: tuple[int, int, int]
) -> None:
    dark = tuple(c // 2 for c in colour)
    draw.rounded_rectangle([to_px(x, y + h * 0.35), to_px(x + w, y + h * 0.85)], radius=4, fill=colour, outline=dark)
    draw.polygon(
        [
            to_px(x + w * 0.18, y + h * 0.36),
            to_px(x + w * 0.3, y),
            to_px(x + w * 0.7, y),
            to_px(x + w * 0.82, y + h * 0.36),
        ],
        fill=colour,
        outline=dark,
    )
    draw.polygon(
        [
            to_px(x + w * 0.25, y + h * 0.34),
            to_px(x + w * 0.34, y + h * 0.07),
            to_px(x + w * 0.66, y + h * 0.07),
            to_px(x + w * 0.75, y + h * 0.34),
        ],
        fill=(150, 190, 215),
    )
    for wx in (0.12, 0.7):
        draw.rectangle([to_px(x + w * wx, y + h * 0.78), to_px(x + w * (wx + 0.18), y + h)], fill=(20, 20, 20))
    for lx in (0.04, 0.84):
        draw.rectangle(
            [to_px(x + w * lx, y + h * 0.45), to_px(x + w * (lx + 0.12), y + h * 0.55)], fill=(250, 240, 200)
        )


def _draw_person(
    draw: ImageDraw.ImageDraw, to_px: _Pixels, skeleton: SkeletonCoordinates, colour: tuple[int, int, int]
) -> None:
    at = {n.name: to_px(n.x, n.y) for n in skeleton.values}
    thickness = max(3, int(abs(at["hip"][1] - at["head"][1]) / 9))
    for a, b in PEDESTRIAN.edges:
        draw.line([at[a], at[b]], fill=colour, width=thickness)
    hx, hy = at["head"]
    r = thickness * 1.6
    draw.ellipse([hx - r, hy - r, hx + r, hy + r], fill=(230, 190, 160))
