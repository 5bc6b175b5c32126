// The help overlay (?): every shortcut, by group, from the key map itself.

import type { Keymap } from "../core/keymap";
import { button, el } from "./dom";

export class HelpOverlay {
  readonly root = el("div", "ls-help");

  constructor(keymap: Keymap, close: () => void) {
    this.root.hidden = true;
    const card = el("div", "ls-help-card");
    card.append(el("h3", "", "Keyboard shortcuts"), el("p", "ls-muted", "They work while the annotator has focus (click it). Mouse: wheel zooms about the cursor; right or middle drag, or Space + drag, pans; double-click on empty image fits."));
    const grid = el("div", "ls-help-grid");
    for (const [group, bindings] of keymap.groups()) {
      const section = el("div", "ls-help-group");
      section.append(el("h4", "", group));
      const seen = new Set<string>();
      const table = el("table");
      for (const b of bindings) {
        if (seen.has(b.action) && !b.action.startsWith("tool")) continue;
        seen.add(b.action);
        const row = el("tr");
        row.append(el("td", "", keymap.combosFor(b.action).join(" / ")), el("td", "", b.description));
        table.append(row);
      }
      section.append(table);
      grid.append(section);
    }
    card.append(grid, button("Close", "Close (Escape or ?)", close));
    this.root.append(card);
    this.root.addEventListener("click", (e) => {
      if (e.target === this.root) close();
    });
  }

  get open(): boolean {
    return !this.root.hidden;
  }

  toggle(open = !this.open): void {
    this.root.hidden = !open;
  }
}
