// The objects of the row: class colour and name, a short id, confidence for predictions, and
// hide and lock toggles. Clicking one selects it (Shift adds).
//
// Every object is listed, but only the rows scrolled into view exist in the page: rows have one
// height, so the list is a spacer as tall as all of them with the visible ones placed on it. A row
// of ten thousand objects costs the page no more than a row of twenty.

import type { Annotation, AnnotationStore } from "../core/store";
import { shortId } from "../core/ids";
import { button, el, swatch } from "./dom";

/** A row's height in CSS pixels (style.css gives `.ls-object` this height). */
export const ROW_HEIGHT = 20;
/** The list's height in CSS pixels. */
export const LIST_HEIGHT = 200;
/** Rows made beyond each edge of the view, so that a short scroll shows rows already there. */
const OVERSCAN = 6;

export interface ObjectsHandlers {
  select(key: string, add: boolean): void;
}

/** The rows of `count` that a list scrolled to `top` shows, with `OVERSCAN` more each side. */
export function visibleRange(top: number, count: number): [number, number] {
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const end = Math.min(count, Math.ceil((top + LIST_HEIGHT) / ROW_HEIGHT) + OVERSCAN);
  return [first, Math.max(first, end)];
}

/** The scroll position that shows row `index`: unchanged when it is in view, else centred on it. */
export function scrollFor(index: number, top: number, count: number): number {
  const y = index * ROW_HEIGHT;
  if (y >= top && y + ROW_HEIGHT <= top + LIST_HEIGHT) return top;
  const max = Math.max(0, count * ROW_HEIGHT - LIST_HEIGHT);
  return Math.max(0, Math.min(max, y - (LIST_HEIGHT - ROW_HEIGHT) / 2));
}

export class ObjectsPanel {
  readonly root = el("div", "ls-panel ls-objects");
  private readonly list = el("ul", "ls-object-list");
  private readonly spacer = el("li", "ls-object-spacer");
  private readonly rows = new Map<string, { li: HTMLElement; signature: string }>();
  private items: Annotation[] = [];
  /** The list's scroll position as last set or reported (reading it back would lay the page out). */
  private top = 0;
  private scrollScheduled = false;
  private lastSelected: string | null = null;

  constructor(
    private readonly store: AnnotationStore,
    private readonly handlers: ObjectsHandlers,
  ) {
    this.list.style.height = `${LIST_HEIGHT}px`;
    this.spacer.setAttribute("aria-hidden", "true");
    this.root.append(el("h4", "", "Objects"), this.list);
    this.list.addEventListener("scroll", () => {
      this.top = this.list.scrollTop;
      if (this.scrollScheduled) return;
      this.scrollScheduled = true;
      requestAnimationFrame(() => {
        this.scrollScheduled = false;
        this.renderWindow();
      });
    });
  }

  private row(a: Annotation): HTMLElement {
    const store = this.store;
    const li = el("li", "ls-object");
    li.dataset.key = a.key;
    li.append(swatch(a.spec.color), el("span", "ls-object-name", a.spec.name), el("code", "ls-object-id", shortId(a.id)));
    if (store.isPrediction(a)) li.append(el("span", "ls-confidence", (a.meta?.confidence ?? 0).toFixed(2)));
    if (store.spaces.length > 1) li.append(el("span", "ls-muted", ` ${a.space}`));
    const tools = el("span", "ls-object-tools");
    tools.append(
      button(a.hidden ? "show" : "hide", "Hide or show (H)", () => store.setHidden([a.key], !a.hidden), "ls-link"),
      button(a.locked ? "unlock" : "lock", "Lock against edits (L)", () => store.setLocked([a.key], !a.locked), "ls-link"),
    );
    li.append(tools);
    li.addEventListener("click", (e) => {
      if ((e.target as HTMLElement).closest("button")) return;
      this.handlers.select(a.key, e.shiftKey);
    });
    return li;
  }

  render(): void {
    const store = this.store;
    this.items = [...store.objects.values()];
    (this.root.firstChild as HTMLElement).textContent = `Objects (${this.items.length})`;
    for (const key of [...this.rows.keys()]) if (!store.objects.has(key)) this.rows.delete(key);
    this.spacer.style.height = `${this.items.length * ROW_HEIGHT}px`;
    // Bring a newly selected object into view (the first of several).
    const i = store.selection.size ? this.items.findIndex((a) => store.selection.has(a.key)) : -1;
    const selected = i < 0 ? null : this.items[i].key;
    if (selected !== this.lastSelected) {
      this.lastSelected = selected;
      const top = i < 0 ? this.top : scrollFor(i, this.top, this.items.length);
      if (top !== this.top) {
        this.top = top;
        this.list.scrollTop = top;
      }
    }
    this.top = Math.min(this.top, Math.max(0, this.items.length * ROW_HEIGHT - LIST_HEIGHT));
    this.renderWindow();
  }

  /** Make and place the rows in view; rows are rebuilt only when what they show changed. */
  private renderWindow(): void {
    const store = this.store;
    const [from, to] = visibleRange(this.top, this.items.length);
    const shown: HTMLElement[] = [this.spacer];
    for (let i = from; i < to; i++) {
      const a = this.items[i];
      const signature = [a.hidden, a.locked, a.spec.name, a.meta?.confidence, a.meta?.manual_annotation, a.space, store.spaces.length > 1].join("|");
      let kept = this.rows.get(a.key);
      if (!kept || kept.signature !== signature) {
        kept = { li: this.row(a), signature };
        this.rows.set(a.key, kept);
      }
      const li = kept.li;
      // Selection and the prediction threshold only change the row's classes.
      li.classList.toggle("ls-selected", store.selection.has(a.key));
      li.classList.toggle("ls-hidden", a.hidden);
      li.classList.toggle("ls-filtered", !store.isShown(a) && !a.hidden);
      const y = `${i * ROW_HEIGHT}px`;
      if (li.style.top !== y) li.style.top = y;
      shown.push(li);
    }
    const current = this.list.children;
    if (current.length !== shown.length || shown.some((r, i) => current[i] !== r)) this.list.replaceChildren(...shown);
  }
}
