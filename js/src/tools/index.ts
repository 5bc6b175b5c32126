// Which tool draws an ontology object: one per shape kind.

import type { ObjectSpec } from "../protocol/ontology";
import { BoxTool, PointTool } from "./box";
import { BrushTool, type BrushMode } from "./brush";
import { PolygonTool } from "./polygon";
import type { Tool, ToolHost } from "./tool";

export function toolFor(host: ToolHost, spec: ObjectSpec, brush: { mode: BrushMode; radius: number }): Tool {
  switch (spec.shape) {
    case "bounding_box":
    case "rotatable_bounding_box":
    case "skeleton":
      return new BoxTool(host, spec);
    case "polygon":
    case "polyline":
      return new PolygonTool(host, spec);
    case "point":
      return new PointTool(host, spec);
    case "bitmask":
      return new BrushTool(host, spec, brush);
  }
}
