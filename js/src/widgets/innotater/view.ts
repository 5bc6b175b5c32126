// The Innotater's view: inputs (images, texts) beside targets (boxes, classes, texts, buttons,
// repeated rows), a control bar, and keyboard shortcuts. It reads the synced state (`Model`),
// sends edits as messages, and keeps decoded images in a small cache so that the next and
// previous samples, sent ahead by Python, paint without waiting.

import type { AnyModel } from "@anywidget/types";
import { ImageCanvas, type CanvasShape } from "../../canvas/imageCanvas";
import { type Rect, displaySize, formatBox, isEmptyBox, roundBox } from "../../core/view";
import type {
  BBoxSpec,
  Box,
  Edit,
  ImageMessage,
  ImageSpec,
  InnotationSpec,
  Model,
  MultiClassSpec,
  RepeatSpec,
  RepeatValue,
  Spec,
  TextSpec,
} from "./model";

const CACHE_SIZE = 24;

interface Decoded {
  bitmap: ImageBitmap;
  width: number;
  height: number;
}

/** Where a box lives: a BoundingBoxInnotation, or a cell of a RepeatInnotation. */
interface BoxRef {
  target: string;
  row?: number;
  column?: number;
}

const refId = (r: BoxRef) => (r.row === undefined ? r.target : `${r.target}|${r.row}|${r.column}`);

function parseId(id: string): BoxRef {
  const [target, row, column] = id.split("|");
  return row === undefined ? { target } : { target, row: Number(row), column: Number(column) };
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = "", text = ""): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

function applyLayout(node: HTMLElement, layout: Record<string, string>): void {
  for (const [key, value] of Object.entries(layout)) node.style.setProperty(key, value);
}

class ImageView {
  readonly root = el("div", "ls-image");
  readonly canvas: ImageCanvas;
  active: BoxRef | null = null;
  private shown = -1;

  constructor(
    readonly spec: ImageSpec,
    private readonly app: InnotaterView,
  ) {
    applyLayout(this.root, spec.layout);
    const holder = el("div", "ls-canvas");
    const bar = el("div", "ls-image-bar");
    const fit = el("button", "ls-fit", "Fit");
    fit.title = "Show the whole image (or double-click it). Wheel: zoom. Right or middle drag, or space + drag: pan.";
    fit.addEventListener("click", () => this.canvas.fit());
    bar.append(el("span", "ls-desc", spec.desc), fit);
    this.root.append(bar, holder);
    this.canvas = new ImageCanvas(holder, Math.max(spec.width, 1), Math.max(spec.height, 1), spec.styles, {
      draw: (box) => this.drawn(box),
      change: (id, box) => this.app.sendBox(parseId(id), box),
      select: (id) => {
        if (id) this.activate(parseId(id));
      },
      remove: (id) => this.app.sendBox(parseId(id), { x: 0, y: 0, width: 0, height: 0 }),
      painted: () => this.root.dispatchEvent(new CustomEvent("ls-painted", { bubbles: true, detail: { index: this.shown } })),
    });
  }

  /** The box targets drawn on this image, with their current boxes. */
  boxes(): { ref: BoxRef; box: Box }[] {
    const values = this.app.values;
    const out: { ref: BoxRef; box: Box }[] = [];
    for (const source of this.spec.boxes) {
      if (source.column === undefined) {
        out.push({ ref: { target: source.target }, box: values[source.target] as Box });
      } else {
        const repeat = values[source.target] as RepeatValue | undefined;
        repeat?.items.forEach((row, r) => out.push({ ref: { target: source.target, row: r, column: source.column }, box: row[source.column!] as Box }));
      }
    }
    return out;
  }

  activate(ref: BoxRef | null): void {
    this.active = ref;
    this.app.markActive();
    const id = ref ? refId(ref) : null;
    this.canvas.select(id && this.boxes().some((b) => refId(b.ref) === id && !isEmptyBox(b.box)) ? id : null);
  }

  private drawn(box: Rect): void {
    const refs = this.boxes().map((b) => b.ref);
    let ref = this.active && refs.some((r) => refId(r) === refId(this.active!)) ? this.active : refs[0] ?? null;
    if (!ref) {
      this.app.say("There is no BoundingBoxInnotation for this image to draw into.");
      return;
    }
    this.active = ref;
    this.app.sendBox(ref, box);
  }

  /** Redraw the shapes from the values. */
  refresh(): void {
    const shapes: CanvasShape[] = this.boxes()
      .filter((b) => !isEmptyBox(b.box))
      .map((b) => ({ kind: "box", id: refId(b.ref), x: b.box[0], y: b.box[1], width: b.box[2], height: b.box[3] }));
    this.canvas.setShapes(shapes);
    const refs = this.boxes().map((b) => b.ref);
    if (!this.active || !refs.some((r) => refId(r) === refId(this.active!))) this.active = refs[0] ?? null;
    const id = this.active ? refId(this.active) : null;
    this.canvas.select(shapes.some((s) => s.id === id) ? id : null);
  }

  /** Paint the image of the sample at `index`, if it has arrived. */
  show(index: number): void {
    const image = this.app.image(this.spec.name, index);
    if (!image) {
      if (this.shown !== index) this.canvas.setImage(null, 0, 0);
      this.app.want(this.spec.name, index);
      return;
    }
    if (this.shown === index) return;
    this.shown = index;
    const size = displaySize(image.width, image.height, this.spec.width, this.spec.height);
    this.canvas.setSize(size.width, size.height);
    this.canvas.setImage(image.bitmap, image.width, image.height);
    this.root.dataset.index = String(index);
  }

  destroy(): void {
    this.canvas.destroy();
  }
}

export class InnotaterView {
  readonly root = el("div", "ls-innotater");
  values: Model["values"] = {};
  private readonly spec: Spec;
  private readonly images: ImageView[] = [];
  private readonly refreshers: (() => void)[] = [];
  private readonly bboxFields = new Map<string, HTMLInputElement>();
  private readonly cache = new Map<string, Decoded>();
  private readonly wanted = new Set<string>();
  private readonly status = el("div", "ls-status");
  private readonly slider = el("input", "ls-slider");
  private readonly position = el("span", "ls-position");
  private readonly prev = el("button", "ls-prev", "< Previous");
  private readonly next = el("button", "ls-next", "Next >");
  private readonly saveButton = el("button", "ls-save", "Save");

  constructor(
    private readonly model: AnyModel<Model>,
    private readonly experimental?: { invoke<T>(name: string, msg?: unknown): Promise<[T, DataView[]]> },
  ) {
    this.spec = model.get("spec");
    this.values = model.get("values");
    this.root.tabIndex = 0;
    this.build();
    this.root.addEventListener("keydown", (e) => this.onKey(e));
    this.root.addEventListener("mousedown", (e) => {
      const target = e.target as HTMLElement;
      if (!target.closest("input, textarea, select, button")) this.root.focus({ preventScroll: true });
    });
    model.on("msg:custom", (msg: ImageMessage, buffers: DataView[]) => this.onMessage(msg, buffers));
    model.on("change:values", () => {
      this.values = model.get("values");
      this.refresh();
    });
    model.on("change:index", () => this.navigated());
    model.on("change:count", () => this.navigated());
    model.on("change:dirty", () => this.controls());
    model.on("change:message", () => this.say(model.get("message")));
    this.navigated();
    this.refresh();
    this.send({ kind: "ready" });
  }

  // -- messages --

  send(edit: Edit): void {
    this.model.send(edit);
  }

  sendBox(ref: BoxRef, box: Rect): void {
    const rounded = box.width === 0 && box.height === 0 ? box : roundBox(box);
    const value = [rounded.x, rounded.y, rounded.width, rounded.height];
    if (ref.row === undefined) this.send({ kind: "set", name: ref.target, value });
    else this.send({ kind: "set", name: ref.target, row: ref.row, column: ref.column, value });
  }

  say(text: string): void {
    this.status.textContent = text;
    this.status.hidden = !text;
  }

  image(name: string, index: number): Decoded | undefined {
    return this.cache.get(`${name}:${index}`);
  }

  /**
   * Ask Python for an image the cache does not hold (Python sends ahead, but the cache forgets):
   * an anywidget request, answered with the image, once per image at a time.
   */
  want(name: string, index: number): void {
    const key = `${name}:${index}`;
    if (this.wanted.has(key) || !this.experimental) return;
    this.wanted.add(key);
    this.experimental
      .invoke<ImageMessage | { kind: "error"; message: string }>("_image", { name, index })
      .then(async ([reply, buffers]) => {
        if (reply.kind === "image") await this.onMessage(reply, buffers);
        else this.say(reply.message);
      })
      .catch((e) => this.say(`Could not fetch image ${index + 1}: ${e}`))
      .finally(() => this.wanted.delete(key));
  }

  private async onMessage(msg: ImageMessage, buffers: DataView[]): Promise<void> {
    if (msg.kind !== "image" || !buffers.length) return;
    const view = buffers[0];
    const blob = new Blob([view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer], { type: msg.mime });
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(blob);
    } catch {
      this.say(`Could not decode the image of sample ${msg.uindex} (${msg.mime}).`);
      return;
    }
    const key = `${msg.name}:${msg.index}`;
    this.cache.get(key)?.bitmap.close();
    this.cache.delete(key);
    this.cache.set(key, { bitmap, width: msg.width, height: msg.height });
    while (this.cache.size > CACHE_SIZE) {
      const [oldest, decoded] = this.cache.entries().next().value as [string, Decoded];
      decoded.bitmap.close();
      this.cache.delete(oldest);
    }
    if (msg.index === this.model.get("index")) for (const image of this.images) image.show(msg.index);
  }

  // -- building --

  private build(): void {
    const body = el("div", this.spec.vertical ? "ls-body ls-vertical" : "ls-body");
    const inputs = el("div", "ls-inputs");
    const targets = el("div", "ls-targets");
    for (const s of this.spec.inputs) inputs.append(this.widget(s));
    for (const s of this.spec.targets) targets.append(this.widget(s));
    body.append(inputs, targets);

    const bar = el("div", "ls-controlbar");
    this.slider.type = "range";
    this.slider.min = "0";
    this.slider.addEventListener("input", () => this.go(Number(this.slider.value)));
    this.prev.addEventListener("click", () => this.go(this.model.get("index") - 1));
    this.next.addEventListener("click", () => this.go(this.model.get("index") + 1));
    bar.append(this.prev, this.slider, this.next, this.position);
    if (this.spec.save) {
      this.saveButton.addEventListener("click", () => this.send({ kind: "save" }));
      bar.append(this.saveButton);
    }
    this.say(this.model.get("message"));
    this.root.append(body, bar, this.status);
  }

  private widget(spec: InnotationSpec): HTMLElement {
    switch (spec.kind) {
      case "image": {
        const view = new ImageView(spec, this);
        this.images.push(view);
        return view.root;
      }
      case "group": {
        const box = el("div", "ls-group");
        applyLayout(box, spec.layout);
        for (const child of spec.children) box.append(this.widget(child));
        return box;
      }
      case "repeat":
        return this.repeat(spec);
      default:
        return this.field(spec, { target: spec.name }, () => this.values[spec.name]);
    }
  }

  /**
   * A control for one value: of a top-level Innotation, or of a repeat cell. Its refresher goes into
   * `refreshers` (a repeat keeps its rows' own, dropped when the rows are rebuilt).
   */
  private field(spec: InnotationSpec, ref: BoxRef, get: () => unknown, refreshers = this.refreshers): HTMLElement {
    const wrap = el("label", `ls-field ls-${spec.kind}`);
    applyLayout(wrap, spec.layout);
    // An edit is shown at once; echoes of earlier edits that arrive before this one's are ignored,
    // so the control does not flicker back to an older value.
    let pending: string | null = null;
    let pendingUntil = 0;
    const edit = (value: unknown) => {
      pending = JSON.stringify(value);
      pendingUntil = performance.now() + 1000;
      if (ref.row === undefined) this.send({ kind: "set", name: ref.target, value });
      else this.send({ kind: "set", name: ref.target, row: ref.row, column: ref.column, value });
    };
    const settled = (current: unknown): boolean => {
      if (pending === null) return true;
      if (performance.now() < pendingUntil && JSON.stringify(current) !== pending) return false;
      pending = null;
      return true;
    };
    switch (spec.kind) {
      case "bbox": {
        const input = el("input", "ls-box-text");
        input.type = "text";
        input.disabled = spec.disabled;
        input.placeholder = "x, y, w, h";
        input.addEventListener("change", () => edit(input.value));
        input.addEventListener("focus", () => this.activateBox(spec, ref));
        this.bboxFields.set(refId(ref), input);
        wrap.append(el("span", "ls-desc", spec.desc), input);
        refreshers.push(() => {
          const box = get() as Box | undefined;
          if (box && document.activeElement !== input) input.value = formatBox(box);
        });
        break;
      }
      case "multiclass": {
        const select = el("select");
        select.disabled = spec.disabled;
        if (!spec.dropdown) select.size = Math.min(spec.classes.length, 8);
        spec.classes.forEach((name, i) => select.append(new Option(name, String(i))));
        select.addEventListener("change", () => edit(Number(select.value)));
        wrap.append(el("span", "ls-desc", spec.desc), select);
        refreshers.push(() => {
          if (settled(get())) select.value = String(get());
        });
        break;
      }
      case "binary": {
        const box = el("input");
        box.type = "checkbox";
        box.disabled = spec.disabled;
        box.addEventListener("change", () => edit(box.checked));
        wrap.append(box, el("span", "ls-desc", spec.desc));
        wrap.title = (spec as MultiClassSpec).classes.join(" / ");
        refreshers.push(() => {
          if (settled(get())) box.checked = Boolean(get());
        });
        break;
      }
      case "text": {
        const text = (spec as TextSpec).multiline ? el("textarea") : el("input");
        text.disabled = spec.disabled;
        text.addEventListener("change", () => edit(text.value));
        wrap.append(el("span", "ls-desc", spec.desc), text);
        refreshers.push(() => {
          if (settled(get()) && document.activeElement !== text) text.value = String(get() ?? "");
        });
        break;
      }
      case "button": {
        const button = el("button", "ls-button", spec.desc);
        button.disabled = spec.disabled;
        button.addEventListener("click", (e) => {
          e.preventDefault();
          if (ref.row === undefined) this.send({ kind: "click", name: ref.target });
          else this.send({ kind: "click", name: ref.target, row: ref.row, column: ref.column });
        });
        wrap.append(button);
        break;
      }
      default:
        wrap.append(el("span", "ls-desc", `(${spec.kind})`));
    }
    return wrap;
  }

  private repeat(spec: RepeatSpec): HTMLElement {
    const box = el("div", "ls-repeat");
    applyLayout(box, spec.layout);
    const rows = el("div", "ls-repeat-rows");
    const add = el("button", "ls-add", "Add");
    add.addEventListener("click", () => this.send({ kind: "add_row", name: spec.name }));
    box.append(el("div", "ls-desc", spec.desc), rows, add);
    let built = -1;
    let rowRefreshers: (() => void)[] = [];
    this.refreshers.push(() => {
      const value = (this.values[spec.name] as RepeatValue | undefined) ?? { rows: 0, items: [] };
      add.disabled = value.rows >= spec.max;
      if (value.rows !== built) {
        rows.replaceChildren();
        rowRefreshers = [];
        for (const key of [...this.bboxFields.keys()]) if (key.startsWith(`${spec.name}|`)) this.bboxFields.delete(key);
        for (let r = 0; r < value.rows; r++) {
          const row = el("div", "ls-repeat-row");
          spec.columns.forEach((column, c) => {
            const get = () => (this.values[spec.name] as RepeatValue).items[r]?.[c];
            row.append(this.field(column, { target: spec.name, row: r, column: c }, get, rowRefreshers));
          });
          const remove = el("button", "ls-remove", "×");
          remove.title = "Remove this row";
          remove.disabled = value.rows <= spec.min;
          remove.addEventListener("click", () => this.send({ kind: "remove_row", name: spec.name, row: r }));
          row.append(remove);
          rows.append(row);
        }
        built = value.rows;
      }
      for (const refresh of rowRefreshers) refresh();
    });
    return box;
  }

  private activateBox(spec: BBoxSpec, ref: BoxRef): void {
    const image = this.images.find((i) => i.spec.name === spec.source);
    image?.activate(ref);
  }

  markActive(): void {
    const active = new Set(this.images.map((i) => (i.active ? refId(i.active) : "")));
    for (const [id, input] of this.bboxFields) input.classList.toggle("ls-active", active.has(id));
  }

  // -- state --

  private refresh(): void {
    for (const refresher of this.refreshers) refresher();
    for (const image of this.images) image.refresh();
    this.markActive();
  }

  private go(index: number): void {
    const count = this.model.get("count");
    const next = Math.max(0, Math.min(count - 1, index));
    if (next === this.model.get("index")) return;
    this.model.set("index", next);
    this.model.save_changes();
    this.navigated();
  }

  private navigated(): void {
    const index = this.model.get("index");
    for (const image of this.images) image.show(index);
    this.controls();
  }

  private controls(): void {
    const index = this.model.get("index");
    const count = this.model.get("count");
    this.slider.max = String(Math.max(0, count - 1));
    this.slider.value = String(index);
    this.position.textContent = `${index + 1} / ${count}`;
    this.prev.disabled = index <= 0;
    this.next.disabled = index >= count - 1;
    this.saveButton.disabled = !this.model.get("dirty");
  }

  private onKey(e: KeyboardEvent): void {
    const target = e.target as HTMLElement;
    if (target.closest("input, textarea, select") || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Delete" || e.key === "Backspace") {
      if (this.images.some((i) => i.canvas.removeSelected())) e.preventDefault();
      return;
    }
    if (!this.model.get("keyboard_shortcuts")) return;
    if (e.key === "n") this.go(this.model.get("index") + 1);
    else if (e.key === "p") this.go(this.model.get("index") - 1);
    else if (e.key === "s" && this.spec.save) this.send({ kind: "save" });
    else return;
    e.preventDefault();
  }

  destroy(): void {
    for (const image of this.images) image.destroy();
    for (const decoded of this.cache.values()) decoded.bitmap.close();
    this.cache.clear();
  }
}
