// The annotation store: what the kernel says the label row holds, decoded into pixel geometry for
// the current frame of each space, plus what only the view holds (selection, hidden, locked, the
// prediction threshold, previews of edits not yet answered). Observers hear what changed.

import type { ClassificationSpec, ObjectSpec, OntologySpec } from "../protocol/ontology";
import type { UpdateMessage } from "../protocol/messages";
import type { ClassificationState, InstanceKey, MetaState, ObjectState, RowState, RunState, SpaceState } from "../protocol/state";
import type { Geom } from "./shapes";
import { ghostRun } from "./keyframes";
import { runAt } from "./runs";

export { runAt };
import { fromWire } from "./wire";

export interface Annotation {
  key: string;
  space: string;
  id: string;
  spec: ObjectSpec;
  state: ObjectState;
  /** The geometry on the space's current frame (pixels), or null if the object is not on it. */
  geom: Geom | null;
  meta: MetaState | null;
  /** An edit shown before the kernel has answered it. */
  preview: Geom | null;
  /** On a video or volume frame the object is not on: its nearest run (the last before, else the first after) and its geometry, worked out when the object is selected, and kept while that run stays the nearest. */
  ghostRun: RunState | null;
  ghost: Geom | null;
  hidden: boolean;
  locked: boolean;
  /** Bumped on every change of what is drawn (caches key on it). */
  version: number;
}

export type StoreEvent =
  | { kind: "row" }
  /** `preview`: only what is drawn while an edit is on its way changed, not what the row holds. */
  | { kind: "objects"; keys: string[]; preview?: boolean }
  | { kind: "classifications" }
  | { kind: "selection"; changed: string[] }
  | { kind: "visibility" }
  | { kind: "threshold" }
  | { kind: "range" }
  | { kind: "frame"; spaces: string[] };

export const keyOf = (k: InstanceKey): string => `${k.space}/${k.id}`;

/** Whether two states of an instance say the same (they come from JSON: compare as JSON). */
function sameState(a: ObjectState, b: ObjectState): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

export class AnnotationStore {
  ontology: OntologySpec = { objects: [], classifications: [] };
  objectSpecs = new Map<string, ObjectSpec>();
  classificationSpecs = new Map<string, ClassificationSpec>();
  row: RowState | null = null;
  spaces: SpaceState[] = [];
  readonly objects = new Map<string, Annotation>();
  readonly classifications = new Map<string, ClassificationState>();
  readonly selection = new Set<string>();
  readonly frames = new Map<string, number>();
  /** Predictions (manual_annotation false) below this confidence are not shown. */
  threshold = 0;
  /** A frame range chosen on the timeline: dynamic answers apply to it instead of the current frame. */
  range: { space: string; start: number; end: number } | null = null;
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  setOntology(ontology: OntologySpec): void {
    this.ontology = ontology;
    this.objectSpecs = new Map(ontology.objects.map((o) => [o.hash, o]));
    this.classificationSpecs = new Map(ontology.classifications.map((c) => [c.hash, c]));
  }

  on(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: StoreEvent): void {
    for (const l of this.listeners) l(e);
  }

  space(id: string): SpaceState | undefined {
    return this.spaces.find((s) => s.id === id);
  }

  frame(space: string): number {
    return this.frames.get(space) ?? 0;
  }

  loadRow(row: RowState): void {
    const previous = this.row;
    this.row = row;
    this.spaces = row.spaces;
    if (!previous || previous.index !== row.index) {
      this.frames.clear();
      this.selection.clear();
      this.range = null;
    }
    const keep = new Map([...this.objects].filter(([, a]) => previous?.index === row.index && (a.hidden || a.locked)));
    this.objects.clear();
    for (const state of row.objects) {
      const a = this.build(state);
      const old = keep.get(a.key);
      if (old) {
        a.hidden = old.hidden;
        a.locked = old.locked;
      }
      this.objects.set(a.key, a);
    }
    this.classifications.clear();
    for (const c of row.classifications) this.classifications.set(keyOf(c), c);
    for (const key of [...this.selection]) if (!this.objects.has(key)) this.selection.delete(key);
    this.emit({ kind: "row" });
  }

  /** Apply what the kernel says an edit changed; returns the keys of the objects it touched. */
  applyUpdate(msg: UpdateMessage): string[] {
    if (this.row) this.row.history = msg.history;
    const keys: string[] = [];
    for (const state of msg.objects) {
      const old = this.objects.get(keyOf(state));
      // The kernel confirming what is shown already (an undo shown at once, say) changes nothing.
      if (old && !old.preview && sameState(old.state, state)) continue;
      const a = this.build(state, old);
      this.objects.set(a.key, a);
      keys.push(a.key);
    }
    for (const k of msg.removed_objects) {
      const key = keyOf(k);
      this.objects.delete(key);
      this.selection.delete(key);
      keys.push(key);
    }
    for (const c of msg.classifications) this.classifications.set(keyOf(c), c);
    for (const k of msg.removed_classifications) this.classifications.delete(keyOf(k));
    if (this.row) {
      this.row.objects = [...this.objects.values()].map((a) => a.state);
      this.row.classifications = [...this.classifications.values()];
    }
    this.emit({ kind: "objects", keys });
    if (msg.classifications.length || msg.removed_classifications.length) this.emit({ kind: "classifications" });
    return keys;
  }

  private build(state: ObjectState, old?: Annotation): Annotation {
    const spec = this.objectSpecs.get(state.feature);
    if (!spec) throw new Error(`object ${state.id} has feature ${state.feature}, which is not in the ontology`);
    const a: Annotation = {
      key: keyOf(state),
      space: state.space,
      id: state.id,
      spec,
      state,
      geom: null,
      meta: null,
      preview: null,
      ghostRun: null,
      ghost: null,
      hidden: old?.hidden ?? false,
      locked: old?.locked ?? false,
      version: (old?.version ?? 0) + 1,
    };
    this.locate(a);
    return a;
  }

  /** Decode an annotation's geometry on its space's current frame. */
  private locate(a: Annotation): void {
    const space = this.space(a.space);
    const run: RunState | null = runAt(a.state.runs, this.frame(a.space));
    if (!space || !run) {
      a.geom = null;
      a.meta = null;
      return;
    }
    a.geom = fromWire(a.spec.shape, run.coordinates, space.width, space.height);
    a.meta = run.meta;
  }

  /** Move spaces to a frame (spaces that step together move in one event). */
  setFrame(spaces: string | string[], frame: number): void {
    const moved = (typeof spaces === "string" ? [spaces] : spaces).filter((s) => this.frame(s) !== frame);
    if (!moved.length) return;
    for (const s of moved) this.frames.set(s, frame);
    for (const a of this.objects.values()) {
      if (moved.includes(a.space)) {
        this.locate(a);
        a.version++;
      }
    }
    this.emit({ kind: "frame", spaces: moved });
  }

  /** What is drawn for an annotation: its preview while an edit is on its way, else its geometry. */
  shown(a: Annotation): Geom | null {
    const g = a.preview ?? a.geom;
    if (g || !this.selection.has(a.key)) return g;
    const space = this.space(a.space);
    if (!space || space.frames <= 1) return null;
    const run = ghostRun(a.state, this.frame(a.space));
    if (run !== a.ghostRun) {
      a.ghostRun = run;
      a.ghost = run ? fromWire(a.spec.shape, run.coordinates, space.width, space.height) : null;
    }
    return a.ghost;
  }

  /** Whether what is shown of an annotation is its ghost: it is not on this frame. */
  isGhost(a: Annotation): boolean {
    return !a.preview && !a.geom && this.shown(a) !== null;
  }

  isPrediction(a: Annotation): boolean {
    return a.meta !== null && !a.meta.manual_annotation;
  }

  /** Whether an annotation is drawn: on the frame, not hidden, and not a prediction under the threshold. */
  isShown(a: Annotation): boolean {
    if (a.hidden || !this.shown(a)) return false;
    return !(this.isPrediction(a) && (a.meta?.confidence ?? 1) < this.threshold);
  }

  /** The annotations shown on a space, in the row's order. */
  visible(space: string): Annotation[] {
    const out: Annotation[] = [];
    for (const a of this.objects.values()) if (a.space === space && this.isShown(a)) out.push(a);
    return out;
  }

  /** The annotations on a space's frame and not hidden, predictions whatever their confidence. */
  drawable(space: string): Annotation[] {
    const out: Annotation[] = [];
    for (const a of this.objects.values()) if (a.space === space && !a.hidden && this.shown(a)) out.push(a);
    return out;
  }

  predictions(space?: string): Annotation[] {
    return [...this.objects.values()].filter((a) => (space === undefined || a.space === space) && this.isPrediction(a) && this.isShown(a));
  }

  setPreview(key: string, geom: Geom | null): void {
    const a = this.objects.get(key);
    if (!a) return;
    a.preview = geom;
    a.version++;
    this.emit({ kind: "objects", keys: [key], preview: true });
  }

  clearPreviews(keys: Iterable<string>): void {
    const changed: string[] = [];
    for (const key of keys) {
      const a = this.objects.get(key);
      if (a?.preview) {
        a.preview = null;
        a.version++;
        changed.push(key);
      }
    }
    if (changed.length) this.emit({ kind: "objects", keys: changed, preview: true });
  }

  select(keys: Iterable<string>, mode: "set" | "add" | "toggle" = "set"): void {
    const before = new Set(this.selection);
    if (mode === "set") this.selection.clear();
    for (const key of keys) {
      if (!this.objects.has(key)) continue;
      if (mode === "toggle" && this.selection.has(key)) this.selection.delete(key);
      else this.selection.add(key);
    }
    const changed = [...before].filter((k) => !this.selection.has(k));
    for (const k of this.selection) if (!before.has(k)) changed.push(k);
    this.emit({ kind: "selection", changed });
  }

  selected(): Annotation[] {
    return [...this.selection].map((k) => this.objects.get(k)).filter((a): a is Annotation => a !== undefined);
  }

  setHidden(keys: Iterable<string>, hidden: boolean): void {
    for (const key of keys) {
      const a = this.objects.get(key);
      if (a) {
        a.hidden = hidden;
        if (hidden) this.selection.delete(key);
      }
    }
    this.emit({ kind: "visibility" });
  }

  setLocked(keys: Iterable<string>, locked: boolean): void {
    for (const key of keys) {
      const a = this.objects.get(key);
      if (a) a.locked = locked;
    }
    this.emit({ kind: "visibility" });
  }

  setRange(range: { space: string; start: number; end: number } | null): void {
    this.range = range;
    this.emit({ kind: "range" });
  }

  /** The frames a dynamic answer on a space applies to: the chosen range, else the current frame. */
  answerFrames(space: string): [number, number] {
    const r = this.range;
    if (r && r.space === space) return [r.start, r.end];
    const f = this.frame(space);
    return [f, f];
  }

  setThreshold(value: number): void {
    this.threshold = value;
    const dropped = this.selected().filter((a) => !this.isShown(a)).map((a) => a.key);
    for (const key of dropped) this.selection.delete(key);
    // Predictions it hides leave the selection: the layers hear that as a selection change.
    if (dropped.length) this.emit({ kind: "selection", changed: dropped });
    this.emit({ kind: "threshold" });
  }

  /** Classification instances of a space (global ones and those on its current frame). */
  classificationsOn(space: string): ClassificationState[] {
    const frame = this.frame(space);
    return [...this.classifications.values()].filter((c) => c.space === space && (c.global || runAt(c.runs, frame) !== null));
  }
}
