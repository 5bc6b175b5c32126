// Coordinates between pixel geometry and their wire form: normalised to the image (0..1) exactly as
// Python's labelspace.model.operations.coordinates_to_wire writes them and coordinates_from_wire
// reads them. Boxes {x, y, w, h}, rotated boxes {x, y, w, h, theta} (theta in degrees, unscaled),
// points {x, y}, polygons {polygons: [[[x, y, x, y, ...], hole, ...], part, ...]}, polylines
// {points: [x, y, ...]}, skeletons {name, nodes: [{name, x, y, visibility}]}, bitmasks
// {height, width, counts} (uncompressed column-major RLE, see rle.ts). Keys in Python's order.

import type { ShapeKind } from "../protocol/ontology";
import type { Geom, Pt, SkeletonNodeGeom, Visibility } from "./geom";
import { decodeRle, encodeRle } from "./rle";

/** Malformed wire coordinates. */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WireError";
  }
}

/** How far past 1 a normalised value may reach, as the model allows (coordinates.TOLERANCE). */
export const TOLERANCE = 1e-6;

/** Float error just below 0 would make the model refuse a shape touching the left or top edge. */
const norm = (v: number, size: number): number => {
  const n = v / size;
  return n < 0 && n > -1e-9 ? 0 : n;
};

function flat(points: Pt[], width: number, height: number): number[] {
  const out: number[] = [];
  for (const p of points) out.push(norm(p.x, width), norm(p.y, height));
  return out;
}

function checkImage(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new WireError(`The image size must be positive whole pixels, got ${width} x ${height}.`);
  }
}

/** Pixel geometry on a width x height image in wire form. A bitmask must be the image's size. */
export function toWire(g: Geom, width: number, height: number): Record<string, unknown> {
  checkImage(width, height);
  switch (g.kind) {
    case "bounding_box":
      return { x: norm(g.x, width), y: norm(g.y, height), w: norm(g.w, width), h: norm(g.h, height) };
    case "rotatable_bounding_box":
      return { x: norm(g.x, width), y: norm(g.y, height), w: norm(g.w, width), h: norm(g.h, height), theta: g.theta };
    case "point":
      return { x: norm(g.x, width), y: norm(g.y, height) };
    case "polygon":
      return { polygons: g.parts.map((rings) => rings.map((ring) => flat(ring, width, height))) };
    case "polyline":
      return { points: flat(g.points, width, height) };
    case "skeleton":
      return {
        name: g.name,
        nodes: g.nodes.map((n) => ({ name: n.name, x: norm(n.x, width), y: norm(n.y, height), visibility: n.visibility ?? null })),
      };
    case "bitmask":
      if (g.width !== width || g.height !== height) {
        throw new WireError(`The bitmask is ${g.width}x${g.height} but the image is ${width}x${height}; a mask must be the size of its image.`);
      }
      return { height: g.height, width: g.width, counts: encodeRle(g.mask, g.width, g.height) };
  }
}

// -- reading, checked as the model checks --

const show = (v: unknown): string => {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 40)}...` : s;
  } catch {
    return String(v);
  }
};

function record(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new WireError(`${path} must be an object, got ${show(v)}.`);
  return v as Record<string, unknown>;
}

function list(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new WireError(`${path} must be a list, got ${show(v)}.`);
  return v;
}

function finite(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new WireError(`${path} must be a finite number, got ${show(v)}.`);
  return v;
}

/** A normalised value: 0..1, up to TOLERANCE past 1. */
function unit(v: unknown, path: string): number {
  const n = finite(v, path);
  if (!(n >= 0 && n <= 1 + TOLERANCE)) throw new WireError(`${path} is ${n}, outside 0..1 (coordinates are normalised to the image).`);
  return n;
}

function box(d: Record<string, unknown>, path: string, width: number, height: number): { x: number; y: number; w: number; h: number } {
  const x = unit(d.x, `${path}.x`);
  const y = unit(d.y, `${path}.y`);
  const w = unit(d.w, `${path}.w`);
  const h = unit(d.h, `${path}.h`);
  if (x + w > 1 + TOLERANCE || y + h > 1 + TOLERANCE) {
    throw new WireError(`${path} reaches past the image: x + w = ${x + w} and y + h = ${y + h} must be at most 1.`);
  }
  return { x: x * width, y: y * height, w: w * width, h: h * height };
}

function points(v: unknown, path: string, minimum: number, width: number, height: number): Pt[] {
  const values = list(v, path);
  if (values.length % 2) throw new WireError(`${path} needs an even number of values (x, y pairs), got ${values.length}.`);
  if (values.length / 2 < minimum) throw new WireError(`${path} needs at least ${minimum} points, got ${values.length / 2}.`);
  const out: Pt[] = [];
  for (let i = 0; i < values.length; i += 2) {
    out.push({ x: unit(values[i], `${path}[${i}]`) * width, y: unit(values[i + 1], `${path}[${i + 1}]`) * height });
  }
  return out;
}

const VISIBILITIES: readonly Visibility[] = ["visible", "occluded", "invisible", null];

function skeletonNode(v: unknown, path: string, width: number, height: number): SkeletonNodeGeom {
  const n = record(v, path);
  if (typeof n.name !== "string" || !n.name) throw new WireError(`${path}.name must be a non-empty string, got ${show(n.name)}.`);
  const visibility = n.visibility === undefined ? null : n.visibility;
  if (!VISIBILITIES.includes(visibility as Visibility)) {
    throw new WireError(`${path}.visibility must be "visible", "occluded", "invisible" or null, got ${show(visibility)}.`);
  }
  return { name: n.name, x: unit(n.x, `${path}.x`) * width, y: unit(n.y, `${path}.y`) * height, visibility: visibility as Visibility };
}

function wholeSize(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new WireError(`${path} must be a positive whole number, got ${show(v)}.`);
  return v;
}

/** Wire coordinates of an object of `shape` as pixel geometry on a width x height image; throws WireError when malformed. */
export function fromWire(shape: ShapeKind, wire: Record<string, unknown>, width: number, height: number, path = "coordinates"): Geom {
  checkImage(width, height);
  const d = record(wire, path);
  switch (shape) {
    case "bounding_box":
      return { kind: "bounding_box", ...box(d, path, width, height) };
    case "rotatable_bounding_box":
      return { kind: "rotatable_bounding_box", ...box(d, path, width, height), theta: finite(d.theta, `${path}.theta`) };
    case "point":
      return { kind: "point", x: unit(d.x, `${path}.x`) * width, y: unit(d.y, `${path}.y`) * height };
    case "polygon": {
      const parts = list(d.polygons, `${path}.polygons`);
      if (!parts.length) throw new WireError(`${path}.polygons needs at least one part.`);
      return {
        kind: "polygon",
        parts: parts.map((part, i) => {
          const rings = list(part, `${path}.polygons[${i}]`);
          if (!rings.length) throw new WireError(`${path}.polygons[${i}] has no rings; each part needs an outer ring.`);
          return rings.map((ring, j) => points(ring, `${path}.polygons[${i}][${j}]`, 3, width, height));
        }),
      };
    }
    case "polyline":
      return { kind: "polyline", points: points(d.points, `${path}.points`, 2, width, height) };
    case "skeleton": {
      const name = d.name === undefined ? "" : d.name;
      if (typeof name !== "string") throw new WireError(`${path}.name must be a string, got ${show(name)}.`);
      const raw = list(d.nodes, `${path}.nodes`);
      if (!raw.length) throw new WireError(`${path}.nodes needs at least one node.`);
      const nodes = raw.map((n, i) => skeletonNode(n, `${path}.nodes[${i}]`, width, height));
      const seen = new Set<string>();
      for (const n of nodes) {
        if (seen.has(n.name)) throw new WireError(`${path} has two nodes named ${show(n.name)}; node names must be unique.`);
        seen.add(n.name);
      }
      return { kind: "skeleton", name, nodes };
    }
    case "bitmask": {
      const h = wholeSize(d.height, `${path}.height`);
      const w = wholeSize(d.width, `${path}.width`);
      if (w !== width || h !== height) {
        throw new WireError(`${path}: the bitmask is ${w}x${h} but the image is ${width}x${height}; a mask must be the size of its image.`);
      }
      const counts = d.counts;
      if (!Array.isArray(counts) && !ArrayBuffer.isView(counts)) throw new WireError(`${path}.counts must be a list of run lengths, got ${show(counts)}.`);
      try {
        return { kind: "bitmask", width: w, height: h, mask: decodeRle(counts as ArrayLike<number>, w, h) };
      } catch (e) {
        throw new WireError(`${path}.counts: ${(e as Error).message}`);
      }
    }
    default:
      throw new WireError(`${path}: unknown shape ${show(shape)}.`);
  }
}
