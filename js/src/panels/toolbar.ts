// The toolbar: the select tool, one tool per ontology object (its colour, name and key), the brush
// settings when a mask tool is chosen, undo and redo, fit, the layout of several spaces, and help.

import type { ObjectSpec, ShapeKind } from "../protocol/ontology";
import type { HistoryState } from "../protocol/state";
import type { BrushMode } from "../tools/brush";
import { button, el, swatch } from "./dom";

const SHAPE_NAMES: Record<ShapeKind, string> = {
  bounding_box: "box",
  rotatable_bounding_box: "rotated box",
  polygon: "polygon",
  polyline: "polyline",
  point: "point",
  skeleton: "skeleton",
  bitmask: "mask",
};

export interface ToolbarHandlers {
  choose(spec: ObjectSpec | null): void;
  undo(): void;
  redo(): void;
  fit(): void;
  help(): void;
  layout(): void;
  brushMode(mode: BrushMode): void;
}

export class Toolbar {
  readonly root = el("div", "ls-toolbar");
  private readonly tools = el("div", "ls-tools");
  private readonly brush = el("div", "ls-brush");
  private readonly undoButton: HTMLButtonElement;
  private readonly redoButton: HTMLButtonElement;
  readonly layoutButton: HTMLButtonElement;
  private buttons = new Map<string, HTMLButtonElement>();

  constructor(private readonly handlers: ToolbarHandlers) {
    this.undoButton = button("↶ Undo", "Undo (Ctrl+Z)", handlers.undo);
    this.redoButton = button("↷ Redo", "Redo (Ctrl+Shift+Z)", handlers.redo);
    this.layoutButton = button("Side by side", "Show the row's spaces side by side or one at a time", handlers.layout);
    const right = el("div", "ls-toolbar-right");
    right.append(this.undoButton, this.redoButton, button("Fit", "Show the whole image (F)", handlers.fit), this.layoutButton, button("?", "Keyboard shortcuts (?)", handlers.help));
    this.root.append(this.tools, this.brush, right);
  }

  setOntology(objects: ObjectSpec[]): void {
    this.buttons.clear();
    const select = button("⬚ Select", "Select, move and edit (Escape)", () => this.handlers.choose(null), "ls-tool");
    select.dataset.tool = "select";
    this.buttons.set("select", select);
    const items = objects.map((o, i) => {
      const b = button("", `${o.name}: ${SHAPE_NAMES[o.shape]}${i < 9 ? ` (${i + 1})` : ""}`, () => this.handlers.choose(o), "ls-tool");
      b.dataset.tool = o.hash;
      b.append(swatch(o.color), el("span", "", o.name), el("span", "ls-tool-shape", SHAPE_NAMES[o.shape]));
      if (i < 9) b.append(el("kbd", "", String(i + 1)));
      this.buttons.set(o.hash, b);
      return b;
    });
    this.tools.replaceChildren(select, ...items);
  }

  setActive(spec: ObjectSpec | null, brush: { mode: BrushMode; radius: number }): void {
    const key = spec?.hash ?? "select";
    for (const [k, b] of this.buttons) b.classList.toggle("ls-active", k === key);
    this.brush.hidden = spec?.shape !== "bitmask";
    if (spec?.shape === "bitmask") {
      const modes: [BrushMode, string, string][] = [
        ["brush", "Brush", "B"],
        ["eraser", "Eraser", "E"],
        ["fill", "Fill polygon", "G"],
      ];
      this.brush.replaceChildren(
        ...modes.map(([mode, label, k]) => {
          const b = button(label, `${label} (${k})`, () => this.handlers.brushMode(mode), "ls-tool");
          b.classList.toggle("ls-active", brush.mode === mode);
          return b;
        }),
        el("span", "ls-muted", ` size ${brush.radius * 2}px [ ]`),
      );
    }
  }

  setHistory(h: HistoryState, readonly: boolean): void {
    this.undoButton.disabled = readonly || h.undo === 0;
    this.redoButton.disabled = readonly || h.redo === 0;
    this.undoButton.title = h.undo ? `Undo ${h.undo_label} (Ctrl+Z), ${h.undo} steps` : "Nothing to undo";
    this.redoButton.title = h.redo ? `Redo ${h.redo_label} (Ctrl+Shift+Z), ${h.redo} steps` : "Nothing to redo";
  }
}
