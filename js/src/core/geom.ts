// The pixel-space geometry of every shape an Annotator object can have: plain, immutable data.
// Positions are pixels of the original image (0..width, 0..height, y down); core/wire.ts converts
// them to and from the normalised form the model keeps.

export interface Pt {
  x: number;
  y: number;
}

/** An axis-aligned box: top-left corner and size. */
export interface BoxGeom {
  kind: "bounding_box";
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The unrotated box (x, y, w, h) turned `theta` degrees clockwise (on screen) about its centre. */
export interface RotatedBoxGeom {
  kind: "rotatable_bounding_box";
  x: number;
  y: number;
  w: number;
  h: number;
  theta: number;
}

/** Parts; each part is a list of rings: ring 0 its outer boundary, the others its holes. */
export interface PolygonGeom {
  kind: "polygon";
  parts: Pt[][][];
}

export interface PolylineGeom {
  kind: "polyline";
  points: Pt[];
}

export interface PointGeom {
  kind: "point";
  x: number;
  y: number;
}

/** A skeleton node's visibility as the model keeps it; null when not said. */
export type Visibility = "visible" | "occluded" | "invisible" | null;

export interface SkeletonNodeGeom {
  name: string;
  x: number;
  y: number;
  visibility: Visibility;
}

export interface SkeletonGeom {
  kind: "skeleton";
  name: string;
  nodes: SkeletonNodeGeom[];
}

/** A mask over the whole image: `mask[y * width + x]` is 1 where set, else 0. */
export interface BitmaskGeom {
  kind: "bitmask";
  width: number;
  height: number;
  mask: Uint8Array;
}

export type Geom = BoxGeom | RotatedBoxGeom | PolygonGeom | PolylineGeom | PointGeom | SkeletonGeom | BitmaskGeom;

/** An axis-aligned rectangle in pixels. */
export interface Bounds {
  x: number;
  y: number;
  w: number;
  h: number;
}
