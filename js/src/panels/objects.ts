// The objects of the row: class colour and name, a short id, confidence for predictions, and
// hide and lock toggles. Clicking one selects it (Shift adds).

import type { AnnotationStore } from "../core/store";
import { shortId } from "../core/ids";
import { button, el, swatch } from "./dom";

const MAX_LISTED = 300;

export interface ObjectsHandlers {
  select(key: string, add: boolean): void;
}

export class ObjectsPanel {
  readonly root = el("div", "ls-panel ls-objects");
  private readonly list = el("ul", "ls-object-list");
  private readonly rows = new Map<string, { li: HTMLElement; signature: string }>();
  private readonly more = el("li", "ls-muted");
  private lastSelected: HTMLElement | null = null;

  constructor(
    private readonly store: AnnotationStore,
    private readonly handlers: ObjectsHandlers,
  ) {
    this.root.append(el("h4", "", "Objects"), this.list);
  }

  private row(key: string): HTMLElement {
    const store = this.store;
    const a = store.objects.get(key)!;
    const li = el("li", "ls-object");
    li.dataset.key = a.key;
    if (store.selection.has(a.key)) li.classList.add("ls-selected");
    if (a.hidden) li.classList.add("ls-hidden");
    if (!store.isShown(a) && !a.hidden) li.classList.add("ls-filtered");
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
    const items = [...store.objects.values()];
    (this.root.firstChild as HTMLElement).textContent = `Objects (${items.length})`;
    // A long list is cut (the DOM of ten thousand rows would slow every edit): the selected
    // objects come first, then as many others as fit the cap.
    let listed = items;
    if (items.length > MAX_LISTED) {
      const selected = items.filter((a) => store.selection.has(a.key));
      listed = [...selected, ...items.filter((a) => !store.selection.has(a.key)).slice(0, Math.max(0, MAX_LISTED - selected.length))];
    }
    const rows: HTMLElement[] = listed.map((a) => {
      // Rows are kept and rebuilt only when what they show changed: replacing hundreds of rows on
      // every edit makes the whole notebook lay out again.
      const signature = [a.hidden, a.locked, a.spec.name, a.meta?.confidence, a.meta?.manual_annotation, a.space].join("|");
      const kept = this.rows.get(a.key);
      if (kept && kept.signature === signature) {
        // Selection and the prediction threshold only change the row's classes.
        kept.li.classList.toggle("ls-selected", store.selection.has(a.key));
        kept.li.classList.toggle("ls-filtered", !store.isShown(a) && !a.hidden);
        return kept.li;
      }
      const li = this.row(a.key);
      this.rows.set(a.key, { li, signature });
      return li;
    });
    for (const key of [...this.rows.keys()]) if (!store.objects.has(key)) this.rows.delete(key);
    if (listed.length < items.length) {
      this.more.textContent = `and ${items.length - listed.length} more (Tab steps through them on the image)`;
      rows.push(this.more);
    }
    const current = this.list.children;
    if (current.length !== rows.length || rows.some((r, i) => current[i] !== r)) this.list.replaceChildren(...rows);
    // Bring a newly selected row into the list's view without scrolling anything around the widget
    // (reading positions lays the page out: only when the selection changed).
    const selected = this.list.querySelector<HTMLElement>(".ls-selected");
    if (selected === this.lastSelected) return;
    this.lastSelected = selected;
    if (selected) {
      const top = selected.offsetTop - this.list.offsetTop;
      if (top < this.list.scrollTop || top + selected.offsetHeight > this.list.scrollTop + this.list.clientHeight) {
        this.list.scrollTop = top - this.list.clientHeight / 2;
      }
    }
  }
}
