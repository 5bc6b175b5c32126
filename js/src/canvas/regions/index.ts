// The registry of shape kinds: one region module per kind of the ontology.

import type { ShapeKind } from "../../protocol/ontology";
import type { Geom } from "../../core/shapes";
import { bitmaskRegion } from "./bitmask";
import { boxRegion } from "./box";
import { pointRegion } from "./point";
import { polygonRegion } from "./polygon";
import { polylineRegion } from "./polyline";
import type { Region } from "./region";
import { rotatedBoxRegion } from "./rotatedBox";
import { skeletonRegion } from "./skeleton";

const REGIONS: { [K in ShapeKind]: Region<Extract<Geom, { kind: K }>> } = {
  bounding_box: boxRegion,
  rotatable_bounding_box: rotatedBoxRegion,
  polygon: polygonRegion,
  polyline: polylineRegion,
  point: pointRegion,
  skeleton: skeletonRegion,
  bitmask: bitmaskRegion,
};

/** The region module drawing and editing geometry of `g`'s kind. */
export function regionOf<G extends Geom>(g: G): Region<G> {
  return REGIONS[g.kind] as unknown as Region<G>;
}
