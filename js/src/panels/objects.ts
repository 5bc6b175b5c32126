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

  constructor(
    private readonly store: AnnotationStore,
    private readonly handlers: ObjectsHandlers,
  ) {
    this.root.append(el("h4", "", "Objects"), this.list);
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
    const rows = listed.map((a) => {
      const li = el("li", "ls-object");
      li.dataset.key = a.key;
      if (store.selection.has(a.key)) li.classList.add("ls-selected");
      if (a.hidden) li.classList.add("ls-hidden");
      if (!store.isShown(a) && !a.hidden) li.classList.add("ls-filtered");
      const name = el("span", "ls-object-name", a.spec.name);
      const id = el("code", "ls-object-id", shortId(a.id));
      li.append(swatch(a.spec.color), name, id);
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
    });
    if (listed.length < items.length) rows.push(el("li", "ls-muted", `and ${items.length - listed.length} more (Tab steps through them on the image)`));
    this.list.replaceChildren(...rows);
    this.list.querySelector(".ls-selected")?.scrollIntoView({ block: "nearest" });
  }
}
