// Building the operations tools send: a new or changed geometry put on the space's current frame.

import type { Annotation } from "../core/store";
import type { Geom } from "../core/shapes";
import { clampInto } from "../core/shapes";
import { toWire } from "../core/wire";
import type { ObjectSpec } from "../protocol/ontology";
import type { PutObject } from "../protocol/operations";
import { type ToolHost, personMeta } from "./tool";

/** Put geometry for an existing annotation (replacing it on this frame). */
/** The wire form of geometry on a space (masks are run-length encoded here). */
function wire(host: ToolHost, g: Geom): Record<string, unknown> {
  const s = host.space;
  const t0 = performance.now();
  const out = toWire(clampInto(g, s.width, s.height), s.width, s.height);
  // For the benchmarks (bench/bench_annotator.py): encoding a mask.
  if (g.kind === "bitmask") performance.measure("ls-mask-encoded", { start: t0 });
  return out;
}

export function putExisting(host: ToolHost, a: Annotation, g: Geom): PutObject {
  return {
    op: "put_object",
    space: a.space,
    object: a.id,
    frames: host.store.frame(a.space),
    coordinates: wire(host, g),
    on_overlap: "replace",
    meta: personMeta(a),
  };
}

/** Make a new annotation of `spec` from geometry; returns its key and sends it. */
export function createObject(host: ToolHost, spec: ObjectSpec, g: Geom): string {
  const s = host.space;
  const id = host.newId();
  host.send({
    op: "put_object",
    space: s.id,
    object: id,
    feature: spec.hash,
    frames: host.store.frame(s.id),
    coordinates: wire(host, g),
    on_overlap: "error",
    meta: personMeta(null),
  });
  return `${s.id}/${id}`;
}

/** Send a changed geometry for an annotation, previewed until the kernel answers. */
export function sendGeometry(host: ToolHost, a: Annotation, g: Geom): void {
  host.send(putExisting(host, a, g), new Map([[a.key, g]]));
}
