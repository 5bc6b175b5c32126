import { describe, expect, it } from "vitest";
import { AnnotationStore, runAt } from "../src/core/store";
import type { OntologySpec } from "../src/protocol/ontology";
import type { ObjectState, RowState } from "../src/protocol/state";

const ontology: OntologySpec = {
  objects: [{ hash: "car", name: "car", color: "#ff0000", shape: "bounding_box", attributes: [], skeleton: null }],
  classifications: [],
};
const meta = (manual: boolean, confidence = 1) => ({ confidence, manual_annotation: manual, created_by: null, last_edited_by: null });
const car = (id: string, x: number, manual = true, confidence = 1): ObjectState => ({
  space: "s",
  id,
  feature: "car",
  runs: [{ start: 0, end: 0, coordinates: { x, y: 0.1, w: 0.2, h: 0.2 }, meta: meta(manual, confidence) }],
  answers: {},
  dynamic: {},
});
const history = { undo: 0, redo: 0, undo_label: "", redo_label: "" };
const row = (objects: ObjectState[]): RowState => ({
  index: 0,
  title: "r",
  spaces: [{ id: "s", kind: "image", title: "s", width: 100, height: 50, frames: 1, fps: null }],
  objects,
  classifications: [],
  history,
});

function store(objects: ObjectState[]): AnnotationStore {
  const s = new AnnotationStore();
  s.setOntology(ontology);
  s.loadRow(row(objects));
  return s;
}

describe("AnnotationStore", () => {
  it("decodes wire coordinates into pixels of the space", () => {
    const s = store([car("a", 0.5)]);
    expect(s.objects.get("s/a")!.geom).toEqual({ kind: "bounding_box", x: 50, y: 5, w: 20, h: 10 });
  });

  it("applies updates and removals, and drops removed objects from the selection", () => {
    const s = store([car("a", 0.1), car("b", 0.2)]);
    s.select(["s/a", "s/b"]);
    const keys = s.applyUpdate({ kind: "update", request: 1, objects: [car("a", 0.3)], classifications: [], removed_objects: [{ space: "s", id: "b" }], removed_classifications: [], history });
    expect(keys).toEqual(["s/a", "s/b"]);
    expect(s.objects.get("s/a")!.geom).toMatchObject({ x: 30 });
    expect(s.objects.has("s/b")).toBe(false);
    expect([...s.selection]).toEqual(["s/a"]);
  });

  it("shows a preview until it is cleared, and keeps hidden and locked across updates", () => {
    const s = store([car("a", 0.1)]);
    s.setPreview("s/a", { kind: "bounding_box", x: 1, y: 2, w: 3, h: 4 });
    expect(s.shown(s.objects.get("s/a")!)).toMatchObject({ x: 1 });
    s.setHidden(["s/a"], true);
    s.setLocked(["s/a"], true);
    s.applyUpdate({ kind: "update", request: 1, objects: [car("a", 0.2)], classifications: [], removed_objects: [], removed_classifications: [], history });
    const a = s.objects.get("s/a")!;
    expect(a.preview).toBeNull();
    expect(a.hidden && a.locked).toBe(true);
    expect(s.visible("s")).toEqual([]);
  });

  it("hides predictions below the threshold, never a person's annotation", () => {
    const s = store([car("a", 0.1, false, 0.3), car("b", 0.2, false, 0.8), car("c", 0.3, true)]);
    s.select(["s/a"]);
    s.setThreshold(0.5);
    expect(s.visible("s").map((a) => a.id)).toEqual(["b", "c"]);
    expect(s.selection.size).toBe(0);
    expect(s.predictions().map((a) => a.id)).toEqual(["b"]);
  });

  it("finds the run holding a frame", () => {
    const runs = [
      { start: 0, end: 4 },
      { start: 10, end: 10 },
      { start: 12, end: 20 },
    ];
    expect(runAt(runs, 3)).toBe(runs[0]);
    expect(runAt(runs, 10)).toBe(runs[1]);
    expect(runAt(runs, 11)).toBeNull();
    expect(runAt(runs, 20)).toBe(runs[2]);
    expect(runAt(runs, 21)).toBeNull();
  });
});

describe("AnnotationStore updates", () => {
  it("takes the kernel's confirmation of a state it shows already as no change", () => {
    const s = store([car("a", 0.1)]);
    const before = s.objects.get("s/a");
    const keys = s.applyUpdate({ kind: "update", request: 1, objects: [car("a", 0.1)], classifications: [], removed_objects: [], removed_classifications: [], history });
    expect(keys).toEqual([]);
    expect(s.objects.get("s/a")).toBe(before);
    expect(s.applyUpdate({ kind: "update", request: 2, objects: [car("a", 0.2)], classifications: [], removed_objects: [], removed_classifications: [], history })).toEqual(["s/a"]);
  });
});
