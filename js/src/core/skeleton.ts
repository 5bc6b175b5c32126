// Skeletons: placing an ontology template into a box, moving nodes, and their visibility.

import type { SkeletonSpec } from "../protocol/ontology";
import type { BoxGeom, Pt, SkeletonGeom, Visibility } from "./geom";

/**
 * The template's nodes (which span the unit box) scaled into `box`, every node visible: what
 * Python's SkeletonTemplate.place does, in pixels.
 */
export function placeSkeleton(template: SkeletonSpec, box: BoxGeom, name: string): SkeletonGeom {
  return {
    kind: "skeleton",
    name,
    nodes: template.nodes.map((n) => ({ name: n.name, x: box.x + n.x * box.w, y: box.y + n.y * box.h, visibility: "visible" })),
  };
}

function checkNode(g: SkeletonGeom, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= g.nodes.length) {
    throw new RangeError(`Skeleton node ${index} does not exist (there are ${g.nodes.length}).`);
  }
}

export function moveSkeletonNode(g: SkeletonGeom, index: number, p: Pt): SkeletonGeom {
  checkNode(g, index);
  return { ...g, nodes: g.nodes.map((n, i) => (i === index ? { ...n, x: p.x, y: p.y } : n)) };
}

export function setNodeVisibility(g: SkeletonGeom, index: number, visibility: Visibility): SkeletonGeom {
  checkNode(g, index);
  return { ...g, nodes: g.nodes.map((n, i) => (i === index ? { ...n, visibility } : n)) };
}

/** Invisible becomes visible; visible, occluded and unsaid become invisible. */
export function toggleNodeVisibility(g: SkeletonGeom, index: number): SkeletonGeom {
  checkNode(g, index);
  return setNodeVisibility(g, index, g.nodes[index].visibility === "invisible" ? "visible" : "invisible");
}
