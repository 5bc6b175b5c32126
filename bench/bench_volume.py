"""The Annotator on a CT volume in a real JupyterLab and Chromium: window/level, slice changes, bytes, opening.

    .venv/bin/python bench/bench_volume.py [--drag-seconds 5] [--jumps 30] [--bases 8]

Writes, in a temporary folder, a 512x512x500 int16 CT as one multi-frame DICOM file (262 MB,
explicit little endian, stored HU + 1024 with a rescale intercept of -1024; pydicom writes it in a
few seconds, so no NIfTI is needed): a phantom with a body outline, lungs, liver, kidneys, aorta and
spine that change smoothly from slice to slice, with Gaussian noise (sigma 20 HU), HU -1000..2000.
The row is ``LabelRow.from_media(ontology, {"ct": path})``, shown by
``Annotator(row, width=1024, height=720)``. Slices go to the browser as values (``_slice``) and are
windowed there; the script checks that the space says ``data-source="volume"``. Measures, in
Chromium through JupyterLab (targets from issue 9 in brackets):

  1. the first slice, from the widget on the page to the slice painted (and the kernel's share of
     it, timed in this process: opening the file and describing the volume, the first slice);
  2. window/level: a right-drag on the slice for ``--drag-seconds``, twice: with Playwright's mouse
     (each move waits for the browser's answer, so it sends about one a frame at best), and with a
     pointer event sent in the page every animation frame (what a real mouse gives the page). Windows
     painted a second [60], time between animation frames [p95 16.7 ms], the work done in the
     animation frames (every requestAnimationFrame callback timed: windowing the values, the
     reformats, the Konva layers), and ``paintMs`` (``data-paint-ms``: one slice windowed);
  3. a slice change, from ``lsView.seek(i)`` to the slice handed to the stage (``ls-frame``) and to
     the stage's image drawn (``ls-image-drawn``) [30 ms]: to a neighbouring slice read ahead
     (cached); to a far slice while the rest of the volume is still read into the browser in the
     background, then to any slice once it is all read; then Right pressed every 33 ms (a held key) for 60 slices; then the crosshair
     moved (both reformats fetched);
  4. the bytes received for each slice, beside its 512 KiB of values.

The load average is printed before and after: another benchmark on the machine slows this one.
"""

# ruff: noqa: E501 - the JavaScript run in the page is kept on readable lines
from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from playwright.sync_api import sync_playwright
from tests.media.test_volume import dicom_file
from tests.widget.jupyter import CHROMIUM, CHROMIUM_ARGS, Notebook, jupyter_lab, write_notebook

from bench_video import WATCH  # the first paint of a new widget's space

FRAMES, SIZE = 500, 512
WIDTH, HEIGHT = 1024, 720

SETUP = """
import time
started = time.perf_counter()
from labelspace import Annotator, LabelRow, Ontology, Shape
ontology = Ontology()
organ = ontology.add_object("organ", Shape.POLYGON, color="#2ca02c")
row = LabelRow.from_media(ontology, {"ct": "ct.dcm"})
print(f"{time.perf_counter() - started:.2f}")
"""

SHOW = f"w = Annotator(row, width={WIDTH}, height={HEIGHT})\nw"


# Time every _slice answer and every requestAnimationFrame callback; record each window painted.
INSTRUMENT = """() => {
  const ann = document.querySelector('.ls-annotator');
  const view = ann.lsView;
  const source = view.frames.now(Number(ann.dataset.row), 'ct');
  window.__vol = source;
  window.__slices = []; window.__inflight = 0;
  const invoke = source.host.invoke;
  window.__invoke = invoke; window.__row = Number(ann.dataset.row);
  source.host.invoke = async (name, msg) => {
    const t0 = performance.now();
    window.__inflight++;
    try {
      const answer = await invoke(name, msg);
      const bytes = answer[1].reduce((sum, b) => sum + b.byteLength, 0);
      window.__slices.push({ axis: msg.axis, index: msg.index, t0, t1: performance.now(), bytes, encoding: answer[0].encoding });
      return answer;
    } finally { window.__inflight--; }
  };
  window.__work = [];
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) => raf((t) => {
    const s = performance.now();
    try { cb(t); } finally { window.__work.push([s, performance.now() - s]); }
  });
  window.__windows = [];
  window.__decoded = new Map();
  source.on((e) => {
    if (e.kind === 'window') window.__windows.push([performance.now(), source.paintMs]);
    else if (e.kind === 'slice') window.__decoded.set(e.axis + '/' + e.index, performance.now());
  });
  return { kind: source.kind, shape: source.media.shape, window: source.window, range: source.media.value_range };
}"""

# From a request for slice `frame` to the slice handed to the stage (ls-frame) and to the stage's image drawn.
SEEK = """async (frame) => {
  const ann = document.querySelector('.ls-annotator');
  const view = ann.lsView;
  const source = window.__vol;
  const cached = source.slices.has('0/' + frame);
  const asked = window.__slices.length;
  performance.clearMarks('ls-image-drawn');
  let tFrame = null;
  const shown = new Promise((resolve) => {
    const on = (e) => { if (e.detail.frame === frame) { tFrame = performance.now(); ann.removeEventListener('ls-frame', on); resolve(true); } };
    ann.addEventListener('ls-frame', on);
    setTimeout(() => { ann.removeEventListener('ls-frame', on); resolve(false); }, 10000);
  });
  const t0 = performance.now();
  view.seek(frame);
  if (!(await shown)) return null;
  const drawnAt = () => performance.getEntriesByName('ls-image-drawn').map((e) => e.startTime).find((t) => t >= tFrame);
  await new Promise((resolve) => { const check = () => (drawnAt() !== undefined ? resolve() : requestAnimationFrame(check)); check(); });
  const own = window.__slices.slice(asked).find((s) => s.axis === 0 && s.index === frame);
  const decoded = own ? window.__decoded.get('0/' + frame) - t0 : null;
  return { cached, frame: tFrame - t0, drawn: drawnAt() - t0, asked: own ? own.t0 - t0 : null, answered: own ? own.t1 - t0 : null, decoded };
}"""

# Right pressed every `gap` ms, `n` times (a held key): when each slice is painted.
HOLD = """async ([n, gap]) => {
  const ann = document.querySelector('.ls-annotator');
  const start = Number(ann.dataset.frame);
  const painted = [], presses = [];
  const on = (e) => painted.push([e.detail.frame, performance.now()]);
  ann.addEventListener('ls-frame', on);
  const t0 = performance.now();
  for (let k = 0; k < n; k++) {
    presses.push(performance.now());
    ann.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', code: 'ArrowRight', bubbles: true }));
    ann.dispatchEvent(new KeyboardEvent('keyup', { key: 'ArrowRight', code: 'ArrowRight', bubbles: true }));
    await new Promise((r) => setTimeout(r, gap));
  }
  const t1 = performance.now();
  const end = start + n;
  await new Promise((resolve) => { const check = () => (Number(ann.dataset.frame) === end || performance.now() - t1 > 10000 ? resolve() : setTimeout(check, 5)); check(); });
  ann.removeEventListener('ls-frame', on);
  // Each slice painted, from the press that asked for it.
  const latency = painted.filter(([f]) => f > start && f <= end).map(([f, t]) => t - presses[f - start - 1]);
  return { start, end, reached: Number(ann.dataset.frame), keys: t1 - t0, painted: painted.map(([f, t]) => [f, t - t0]), latency };
}"""

DRAG_START = """() => {
  window.__work.length = 0; window.__windows.length = 0;
  performance.clearMarks('ls-image-drawn');
  window.__ticks = []; window.__ticking = true;
  const tick = (t) => { window.__ticks.push(t); if (window.__ticking) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  return window.__vol.canvases.filter((c) => c.slice).length;
}"""

# Per animation frame during the drag: its interval, and the work of the callbacks run in it.
DRAG_END = """() => {
  window.__ticking = false;
  const ticks = window.__ticks, work = window.__work;
  const intervals = ticks.slice(1).map((t, i) => t - ticks[i]);
  const perFrame = [];
  let j = 0;
  for (let i = 1; i < ticks.length; i++) {
    let sum = 0;
    while (j < work.length && work[j][0] < ticks[i]) { if (work[j][0] >= ticks[i - 1]) sum += work[j][1]; j++; }
    perFrame.push(sum);
  }
  const draws = performance.getEntriesByName('ls-image-drawn').map((e) => e.startTime);
  return { intervals, perFrame, windows: window.__windows, draws, window: window.__vol.window };
}"""

# A pointer move every animation frame, as the browser hands a real mouse's moves to the page.
PAGE_DRAG = """async (seconds) => {
  const el = document.querySelector('.ls-annotator').lsView.views[0].stage.container;
  const r = el.getBoundingClientRect();
  const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
  const send = (type, x, y, buttons) => el.dispatchEvent(new PointerEvent(type, { pointerId: 1, pointerType: 'mouse', isPrimary: true, button: type === 'pointermove' ? -1 : 2, buttons, clientX: x, clientY: y, bubbles: true, cancelable: true, composed: true }));
  // A synthetic pointer cannot be captured: the capture is left out while this drag runs.
  el.setPointerCapture = () => undefined;
  send('pointerdown', cx, cy, 2);
  const t0 = performance.now();
  let k = 0;
  const at = () => [cx + 140 * Math.sin(k / 40), cy + 90 * Math.sin(1.7 * k / 40)];
  await new Promise((done) => {
    const step = () => {
      k++;
      send('pointermove', ...at(), 2);
      if (performance.now() - t0 < seconds * 1000) requestAnimationFrame(step); else done();
    };
    requestAnimationFrame(step);
  });
  send('pointerup', ...at(), 0);  // where the drag ended: the window stays
  delete el.setPointerCapture;
  return k;
}"""

# The parts of a far slice's way measured on their own: a round trip with no values (an index
# outside the volume: the kernel answers with an error), and inflating a slice's values in the page.
PARTS = """async () => {
  const trips = [];
  for (let k = 0; k < 15; k++) {
    const t0 = performance.now();
    await window.__invoke('_slice', { row: window.__row, space: 'ct', axis: 0, index: -1 });
    trips.push(performance.now() - t0);
  }
  const source = window.__vol;
  const key = [...source.slices.keys()].find((k) => k.startsWith('0/'));
  const slice = await source.slices.get(key);
  const raw = new Uint8Array(slice.values.buffer, slice.values.byteOffset, slice.values.byteLength);
  const inflate = (bytes, how) => new Response(new Blob([bytes]).stream().pipeThrough(how)).arrayBuffer();
  const packed = new Uint8Array(await inflate(raw, new CompressionStream('deflate')));
  const inflating = [];
  for (let k = 0; k < 15; k++) {
    const t0 = performance.now();
    await inflate(packed, new DecompressionStream('deflate'));
    inflating.push(performance.now() - t0);
  }
  return { trips, inflating, packed: packed.byteLength };
}"""

# The crosshair moved to (row, column): both reformats fetched and drawn.
CROSS = """async ([row, column]) => {
  const view = document.querySelector('.ls-annotator').lsView;
  const t0 = performance.now();
  view.views[0].volume.moveCross(row, column);
  const [coronal, sagittal] = view.views[0].volume.reformats;
  const done = () => coronal.slice?.index === row && sagittal.slice?.index === column;
  await new Promise((resolve) => { const check = () => (done() || performance.now() - t0 > 10000 ? resolve() : setTimeout(check, 1)); check(); });
  if (!done()) return null;
  await new Promise((r) => requestAnimationFrame(() => r()));  // drawn at the next animation frame
  return performance.now() - t0;
}"""

QUIET = "() => window.__inflight === 0"


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def p(values, q):
    return float(np.percentile(np.asarray(values, float), q)) if len(values) else float("nan")


def phantom(frames: int = FRAMES, size: int = SIZE, seed: int = 0) -> np.ndarray:
    """CT values (HU, int16) of a torso-like phantom: smooth organs that grow and shrink along z, plus noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    x, y = (x - size / 2) / (size / 2), (y - size / 2) / (size / 2)
    out = np.empty((frames, size, size), np.int16)
    for k in range(frames):
        z = k / max(1, frames - 1)
        hu = np.full((size, size), -1000.0, np.float32)
        neck = max(0.0, z - 0.8) / 0.2
        body = (x / (0.82 - 0.25 * neck)) ** 2 + (y / (0.6 - 0.15 * neck)) ** 2
        hu[body < 1] = -100  # fat
        hu[body < 0.8] = 40  # muscle
        if 0.45 < z < 0.85:  # lungs, with some texture
            s = np.sin(np.pi * (z - 0.45) / 0.4)
            for cx in (-0.35, 0.35):
                lung = ((x - cx) / (0.28 * s + 0.02)) ** 2 + ((y + 0.05) / (0.4 * s + 0.02)) ** 2 < 1
                hu[lung] = -850 + 60 * np.cos(8 * x[lung]) * np.sin(6 * y[lung])
        if 0.2 < z < 0.5:  # liver and kidneys
            s = np.sin(np.pi * (z - 0.2) / 0.3)
            hu[((x + 0.3) / (0.35 * s + 0.01)) ** 2 + ((y + 0.05) / (0.3 * s + 0.01)) ** 2 < 1] = 60
            for cx in (-0.3, 0.3):
                hu[((x - cx) / (0.1 * s + 0.01)) ** 2 + ((y - 0.25) / (0.16 * s + 0.01)) ** 2 < 1] = 30
        hu[(x + 0.05) ** 2 + (y - 0.15) ** 2 < 0.06**2] = 300  # aorta with contrast
        spine = (x / 0.12) ** 2 + ((y - 0.38) / 0.1) ** 2
        hu[spine < 1] = 1100 + 1100 * (1 - spine[spine < 1])  # cortical bone, densest inside
        hu[spine < 0.45] = 250  # marrow
        hu[(x - 0.62) ** 2 + (y + 0.2) ** 2 < 0.02**2] = 2500  # a metal skin marker (clipped to 2000 HU)
        hu += rng.standard_normal((size, size), dtype=np.float32) * 20
        np.clip(hu, -1000, 2000, out=hu)
        out[k] = hu
    return out


def write_dicom(path: Path, hu: np.ndarray) -> None:
    """One multi-frame CT file: stored HU + 1024 with a rescale intercept of -1024, window 40/400."""
    stored = (hu.astype(np.int32) + 1024).astype(np.int16)
    dataset = dicom_file(stored, window=(40, 400), PixelSpacing=[0.7, 0.7], SpacingBetweenSlices=1.0)
    dataset.save_as(path, enforce_file_format=True)


def kernel_costs(path: Path, rng: random.Random) -> dict[str, list[float]]:
    """What the kernel's answers cost in Python, outside the kernel: opening and describing the volume (``_media``), slices read and encoded."""
    from labelspace.media import open_media
    from labelspace.widget._volume import describe_volume, encode_slice

    out: dict[str, list[float]] = {"read": [], "encode": [], "reformat": []}
    t0 = time.perf_counter()
    with open_media(path) as source:
        describe_volume(source)
        out["open"] = [(time.perf_counter() - t0) * 1000]
        t0 = time.perf_counter()
        encode_slice(source, 0, 0)
        out["first"] = [(time.perf_counter() - t0) * 1000]
        for _ in range(20):
            i = rng.randrange(FRAMES)
            t0 = time.perf_counter()
            source.slice(0, i)
            t1 = time.perf_counter()
            encode_slice(source, 0, i)
            t2 = time.perf_counter()
            out["read"].append((t1 - t0) * 1000)
            out["encode"].append((t2 - t1) * 1000)
        for axis in (1, 2):
            t0 = time.perf_counter()
            encode_slice(source, axis, rng.randrange(SIZE))
            out["reformat"].append((time.perf_counter() - t0) * 1000)
    return out


def wait_quiet(page) -> None:
    page.wait_for_function(QUIET, timeout=30_000)
    page.wait_for_timeout(150)
    page.wait_for_function(QUIET, timeout=30_000)


def drag_window(page, cx: float, cy: float, seconds: float) -> int:
    """Right-drag from the slice's middle along a Lissajous path for ``seconds``; returns the mouse moves sent."""
    page.mouse.move(cx, cy)
    page.mouse.down(button="right")
    moves, k, end = 0, 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        k += 1
        a = k / 40
        page.mouse.move(cx + 140 * np.sin(a), cy + 90 * np.sin(1.7 * a), steps=4)
        moves += 4
    page.mouse.up(button="right")
    return moves


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drag-seconds", type=float, default=5)
    parser.add_argument("--jumps", type=int, default=30)
    parser.add_argument("--bases", type=int, default=8)
    args = parser.parse_args()
    rng = random.Random(9)
    results: dict[str, object] = {}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        hu = phantom()
        made = time.perf_counter() - started
        started = time.perf_counter()
        write_dicom(root / "ct.dcm", hu)
        written = time.perf_counter() - started
        file_mb = (root / "ct.dcm").stat().st_size / 1e6
        value_range = (int(hu.min()), int(hu.max()))
        del hu
        say(f"volume made in {made:.1f} s, DICOM written in {written:.1f} s ({file_mb:.0f} MB)")
        costs = kernel_costs(root / "ct.dcm", rng)
        cells = [SETUP, SHOW]
        write_notebook(root / "bench.ipynb", cells)
        with jupyter_lab(root) as url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.goto(f"{url}/lab/workspaces/bench/tree/bench.ipynb?reset")
            nb = Notebook(page, len(cells))
            nb.run(0, timeout=600_000)
            results["row_s"] = float(nb.output(0))
            say(f"row made in the kernel in {results['row_s']:.2f} s")

            # 1. the first slice.
            page.evaluate(WATCH, "ct")
            nb.run(1, timeout=600_000)
            page.wait_for_function("window.__painted !== null", timeout=120_000)
            results["first"] = page.evaluate("window.__painted - window.__shown")
            page.wait_for_selector(".ls-space[data-source] .ls-volume-bar", timeout=60_000)
            source = page.locator(".ls-annotator .ls-space").first.get_attribute("data-source")
            page.locator(".ls-annotator").first.scroll_into_view_if_needed()
            info = page.evaluate(INSTRUMENT)
            page.wait_for_selector(".ls-reformat[data-axis='2'][data-index]", timeout=60_000)
            # 3b. far slices while the rest of the volume is read in the background (a request may
            # wait behind one of the reader's).
            early = []
            for _ in range(args.jumps // 3):
                cached = set(page.evaluate("() => [...window.__vol.slices.keys()]"))
                choices = [f for f in range(FRAMES) if f"0/{f}" not in cached]
                if not choices:
                    break
                r = page.evaluate(SEEK, rng.choice(choices))
                if r is not None:
                    early.append(r)
                page.wait_for_timeout(100)
            results["early"] = early
            read_from = time.perf_counter()
            wait_quiet(page)
            results["read_all"] = time.perf_counter() - read_from
            results["kept"] = page.evaluate("() => window.__vol.keptBytes")
            page.wait_for_timeout(500)
            say(f"first slice painted after {results['first']:.0f} ms; pictures from {source}; slice changes")

            # 3a. neighbours read ahead: from a far slice, once its neighbours came, 5 steps on and 5 back.
            near = []
            for base in rng.sample(range(20, FRAMES - 20), args.bases):
                page.evaluate(SEEK, base)
                wait_quiet(page)
                for frame in [*range(base + 1, base + 6), *range(base + 4, base - 1, -1)]:
                    r = page.evaluate(SEEK, frame)
                    if r is not None:
                        near.append(r)
                    wait_quiet(page)
            results["near"] = near

            # 3b'. far slices once the volume has been read: any slice, from the values kept here.
            far = []
            for _ in range(args.jumps):
                frame = rng.randrange(FRAMES)
                r = page.evaluate(SEEK, frame)
                if r is not None:
                    far.append(r)
                wait_quiet(page)
            results["far"] = far
            results["far_failed"] = args.jumps - len(far)

            # 3c. a held Right key from a far slice.
            page.evaluate(SEEK, rng.randrange(50, 100))
            wait_quiet(page)
            results["hold"] = page.evaluate(HOLD, [60, 33])
            wait_quiet(page)
            results["parts"] = page.evaluate(PARTS)
            cross = []
            for _ in range(5):
                cross.append(page.evaluate(CROSS, [rng.randrange(40, SIZE - 40), rng.randrange(40, SIZE - 40)]))
                wait_quiet(page)
            results["cross"] = [c for c in cross if c is not None]
            say(f"far slices: median {p([r['drawn'] for r in far], 50):.0f} ms; dragging the window")

            # 2. window/level.
            holder = page.locator(".ls-space-canvas").first
            box = holder.bounding_box()
            cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            for name in ("mouse", "page"):
                window_before = page.locator(".ls-space").first.get_attribute("data-window")
                held = page.evaluate(DRAG_START)
                t0 = time.perf_counter()
                if name == "mouse":
                    moves = drag_window(page, cx, cy, args.drag_seconds)
                else:
                    moves = page.evaluate(PAGE_DRAG, args.drag_seconds)
                dragged = time.perf_counter() - t0
                page.wait_for_timeout(300)
                drag = page.evaluate(DRAG_END)
                window_after = page.locator(".ls-space").first.get_attribute("data-window")
                if window_after == window_before:
                    raise SystemExit(f"the {name} drag did not change the window ({window_before})")
                results[name] = {**drag, "held": held, "moves": moves, "seconds": dragged}
                page.wait_for_timeout(500)
            results["paint_ms_attr"] = page.locator(".ls-space").first.get_attribute("data-paint-ms")

            # 4. bytes.
            results["slices"] = page.evaluate("window.__slices")
            results["received"] = page.evaluate(
                "() => document.querySelector('.ls-annotator').lsView.frames.received.get('_slice') ?? null"
            )
            results["kept"] = page.evaluate("() => window.__vol.keptBytes")
            results["requests"] = page.evaluate("() => window.__vol.requests")
            browser.close()

    load_after = os.getloadavg()
    version = os.popen(f"{CHROMIUM} --version 2>/dev/null").read().strip()
    near, far, hold, parts = results["near"], results["far"], results["hold"], results["parts"]
    near_cached = sum(1 for r in near if r["cached"])
    far_fetched = [r for r in results["early"] + far if r["answered"] is not None]
    slices = [s for s in results["slices"] if s["index"] >= 0]
    by_axis = {a: [s for s in slices if s["axis"] == a] for a in (0, 1, 2)}
    per_slice = p([s["bytes"] for s in by_axis[0]], 50)
    reformat_bytes = p([s["bytes"] for s in by_axis[1] + by_axis[2]], 50)
    encodings = sorted({s["encoding"] for s in slices})
    painted_hold = hold["painted"]
    hold_span = (painted_hold[-1][1] - painted_hold[0][1]) / 1000 if len(painted_hold) > 1 else float("nan")
    roundtrip = [r["answered"] - r["asked"] for r in far_fetched]
    decoding = [r["decoded"] - r["answered"] for r in far_fetched]
    handing = [r["frame"] - r["decoded"] for r in far_fetched]
    to_draw = [r["drawn"] - r["frame"] for r in far + near]
    received = results["received"]
    c = costs

    def ms(values, digits=1):
        return f"median {p(values, 50):.{digits}f} ms, p95 {p(values, 95):.{digits}f} ms"

    def drag_lines(d, how):
        times = [t for t, _ in d["windows"]]
        span = (times[-1] - times[0]) / 1000 if len(times) > 1 else float("nan")
        draws = [t for t in d["draws"] if times and times[0] <= t <= times[-1] + 50]
        busy = [w for w in d["perFrame"] if w > 0]
        return (
            f"   {how}: {d['seconds']:.1f} s, {d['moves']} moves ({d['moves'] / d['seconds']:.0f}/s)\n"
            f"     windows painted {(len(times) - 1) / span:.1f}/s, the stage's image drawn {(len(draws) - 1) / span:.1f}/s   [target 60/s]\n"
            f"     time between animation frames: median {p(d['intervals'], 50):.1f} ms, p95 {p(d['intervals'], 95):.1f} ms, longest {max(d['intervals']):.1f} ms   [p95 16.7 ms]\n"
            f"     work in requestAnimationFrame callbacks per frame that had some: {ms(busy)} ({len(busy)} of {len(d['perFrame'])} frames)\n"
            f"     windowing one 512x512 slice into its canvas (paintMs): {ms([m for _, m in d['windows']], 2)}; "
            f"each new window repaints the slice on screen + 2 reformats (500x512); {d['held']} slice canvases kept\n"
        )

    print(
        f"Python {platform.python_version()} | {version} headless, software rendering | {os.cpu_count()} cores | "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after (1 min)\n"
        f"volume: {FRAMES}x{SIZE}x{SIZE} int16 CT phantom, HU {value_range[0]}..{value_range[1]}, one multi-frame DICOM file "
        f"({file_mb:.0f} MB; made in {made:.1f} s, written in {written:.1f} s); LabelRow.from_media in the kernel {results['row_s']:.2f} s; "
        f"Annotator {WIDTH}x{HEIGHT}; pictures from: {source} (shape {info['shape']}, window {info['window']['center']:g}/{info['window']['width']:g})\n"
        f"1. first slice painted, from the widget on the page: {results['first']:.0f} ms\n"
        f"   the kernel's share, timed in Python here: opening the file and describing the volume (_media) {c['open'][0]:.0f} ms, "
        f"the first slice read and encoded {c['first'][0]:.0f} ms\n"
        f"2. window/level right-drag on the slice (its data-paint-ms at the end: {results['paint_ms_attr']}):\n"
        + drag_lines(results["mouse"], "Playwright's mouse (each move waits for the browser's answer)")
        + drag_lines(results["page"], "a pointer move every animation frame, sent in the page")
        + f"3. slice change, from lsView.seek to the slice handed to the stage (ls-frame) / the stage's image drawn   [target 30 ms]:\n"
        f"   neighbour read ahead ({len(near)}, {near_cached} already in the browser): median {p([r['frame'] for r in near], 50):.1f} / {p([r['drawn'] for r in near], 50):.1f} ms, "
        f"p95 {p([r['frame'] for r in near], 95):.1f} / {p([r['drawn'] for r in near], 95):.1f} ms\n"
        f"   far slice while the volume is read in the background ({len(results['early'])}): median {p([r['frame'] for r in results['early']], 50):.1f} / {p([r['drawn'] for r in results['early']], 50):.1f} ms, "
        f"p95 {p([r['frame'] for r in results['early']], 95):.1f} / {p([r['drawn'] for r in results['early']], 95):.1f} ms\n"
        f"   the rest of the volume read into the browser {results['read_all']:.1f} s after those jumps ({results['kept'] / 2**20:.0f} MiB of values kept)\n"
        f"   far slice once it is read ({len(far)}, {results['far_failed']} not painted within 10 s): median {p([r['frame'] for r in far], 50):.1f} / {p([r['drawn'] for r in far], 50):.1f} ms, "
        f"p95 {p([r['frame'] for r in far], 95):.1f} / {p([r['drawn'] for r in far], 95):.1f} ms\n"
        f"     of which (the slices fetched while reading in the background, and the far ones fetched): the _slice round trip {ms(roundtrip)}; from the answer to its values kept (inflated: decodeSlice) {ms(decoding)}; "
        f"from there to the slice handed to the stage (windowed, shapes set) {ms(handing)}; "
        f"from there to the stage's image drawn (next animation frame; near and far) {ms(to_draw)}\n"
        f"     measured on their own: a round trip with no values (an index outside the volume) {ms(parts['trips'])}; "
        f"inflating {parts['packed'] / 1024:.0f} KiB to 512 KiB with DecompressionStream in the page {ms(parts['inflating'])}; "
        f"in Python: a slice read {p(c['read'], 50):.1f} ms, encoded (int16 + zlib level 1) {p(c['encode'], 50):.1f} ms\n"
        f"   Right held ({hold['end'] - hold['start']} presses, {(hold['end'] - hold['start']) / hold['keys'] * 1000:.0f}/s, from slice {hold['start']}): reached {hold['reached']} (wanted {hold['end']}); "
        f"{len(painted_hold)} slices painted, {(len(painted_hold) - 1) / hold_span:.1f}/s; from a press to its slice handed to the stage {ms(hold['latency'])}\n"
        f"   crosshair moved (both reformats fetched and drawn, {len(results['cross'])}): {ms(results['cross'])}; in Python a reformat read and encoded {p(c['reformat'], 50):.1f} ms\n"
        f"4. bytes received per slice: median {per_slice / 1024:.0f} KiB for 512 KiB of values ({per_slice / (SIZE * SIZE * 2):.2f}x; encodings: {', '.join(encodings)}); "
        f"a reformat {reformat_bytes / 1024:.0f} KiB for {FRAMES * SIZE * 2 / 1024:.0f} KiB\n"
        f"   timed here: {len(by_axis[0])} slices and {len(by_axis[1]) + len(by_axis[2])} reformats, {sum(s['bytes'] for s in slices) / 1e6:.1f} MB; "
        f"{results['requests']} _slice requests by the volume in all; {results['kept'] / 2**20:.0f} MiB of values kept in the browser; "
        f"lsView.frames.received.get('_slice'): {received if received is not None else 'undefined (not counted)'}"
    )


if __name__ == "__main__":
    main()
