// Pure geometry of the image canvas: view transforms, fitting, zooming and boxes.
// Image coordinates are pixels of the original image; screen coordinates are canvas pixels.

export interface Point {
  x: number;
  y: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A view: screen = image * scale + offset. */
export interface View {
  scale: number;
  x: number;
  y: number;
}

export const MAX_ZOOM = 32;

/**
 * The canvas size for an image of `imageWidth` x `imageHeight` shown with optional maxima (0 = none).
 * With both maxima the canvas is exactly that size; with one, the image is scaled down to fit it
 * (never up) and the canvas follows the image's shape; with none, the image's own size.
 */
export function displaySize(imageWidth: number, imageHeight: number, maxWidth: number, maxHeight: number): { width: number; height: number } {
  if (maxWidth > 0 && maxHeight > 0) return { width: maxWidth, height: maxHeight };
  let scale = 1;
  if (maxWidth > 0) scale = Math.min(1, maxWidth / imageWidth);
  if (maxHeight > 0) scale = Math.min(1, maxHeight / imageHeight);
  return { width: Math.max(1, Math.round(imageWidth * scale)), height: Math.max(1, Math.round(imageHeight * scale)) };
}

/** The view that shows the whole image centred in the canvas, scaled down (never up) to fit. */
export function fitView(imageWidth: number, imageHeight: number, canvasWidth: number, canvasHeight: number): View {
  const scale = Math.min(1, canvasWidth / imageWidth, canvasHeight / imageHeight);
  return {
    scale,
    x: (canvasWidth - imageWidth * scale) / 2,
    y: (canvasHeight - imageHeight * scale) / 2,
  };
}

export function toImage(view: View, p: Point): Point {
  return { x: (p.x - view.x) / view.scale, y: (p.y - view.y) / view.scale };
}

export function toScreen(view: View, p: Point): Point {
  return { x: p.x * view.scale + view.x, y: p.y * view.scale + view.y };
}

/** Zoom by `factor` keeping the image point under the screen point `at` where it is. */
export function zoomAt(view: View, factor: number, at: Point, minScale: number, maxScale = MAX_ZOOM): View {
  const scale = Math.min(maxScale, Math.max(minScale, view.scale * factor));
  const anchor = toImage(view, at);
  return { scale, x: at.x - anchor.x * scale, y: at.y - anchor.y * scale };
}

export function pan(view: View, dx: number, dy: number): View {
  return { scale: view.scale, x: view.x + dx, y: view.y + dy };
}

/** The box spanned by two corners, in any order. */
export function boxFromCorners(a: Point, b: Point): Rect {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.abs(b.x - a.x), height: Math.abs(b.y - a.y) };
}

/** Clip a box to the image. */
export function clampBox(box: Rect, imageWidth: number, imageHeight: number): Rect {
  const x0 = Math.min(Math.max(box.x, 0), imageWidth);
  const y0 = Math.min(Math.max(box.y, 0), imageHeight);
  const x1 = Math.min(Math.max(box.x + box.width, 0), imageWidth);
  const y1 = Math.min(Math.max(box.y + box.height, 0), imageHeight);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** Move a box so that it lies inside the image, keeping its size where it fits. */
export function keepInside(box: Rect, imageWidth: number, imageHeight: number): Rect {
  const width = Math.min(box.width, imageWidth);
  const height = Math.min(box.height, imageHeight);
  return {
    x: Math.min(Math.max(box.x, 0), imageWidth - width),
    y: Math.min(Math.max(box.y, 0), imageHeight - height),
    width,
    height,
  };
}

/** Round a box to whole pixels (the Innotater's boxes are pixel rows). */
export function roundBox(box: Rect): Rect {
  const x = Math.round(box.x);
  const y = Math.round(box.y);
  return { x, y, width: Math.round(box.x + box.width) - x, height: Math.round(box.y + box.height) - y };
}

export function isEmptyBox(box: ArrayLike<number> | null | undefined): boolean {
  return !box || (box[2] === 0 && box[3] === 0);
}

/** Format a box for its text field: "x, y, w, h", whole numbers without decimals. */
export function formatBox(box: ArrayLike<number>): string {
  return Array.from(box)
    .slice(0, 4)
    .map((v) => (Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100)))
    .join(", ");
}
