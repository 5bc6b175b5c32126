// Stepping through the rows of a project: previous and next (P and N), and a list of rows with how
// many objects each holds.

import type { RowSummary } from "../protocol/state";
import { button, el } from "./dom";

export class RowsPanel {
  readonly root = el("div", "ls-rows");
  private readonly select = el("select", "ls-row-select");
  private readonly prev: HTMLButtonElement;
  private readonly next: HTMLButtonElement;

  constructor(goto: (row: number) => void, current: () => number) {
    this.prev = button("◀", "Previous row (P)", () => goto(current() - 1));
    this.next = button("▶", "Next row (N)", () => goto(current() + 1));
    this.select.addEventListener("change", () => goto(Number(this.select.value)));
    this.select.addEventListener("keydown", (e) => e.stopPropagation());
    this.root.append(this.prev, this.select, this.next);
  }

  render(rows: RowSummary[], index: number): void {
    this.root.hidden = rows.length <= 1;
    if (this.select.options.length !== rows.length || [...this.select.options].some((o, i) => o.dataset.label !== `${rows[i].title}|${rows[i].objects}`)) {
      this.select.replaceChildren(
        ...rows.map((r, i) => {
          const o = el("option", "", `${i + 1}. ${r.title} (${r.objects})`);
          o.value = String(i);
          o.dataset.label = `${r.title}|${r.objects}`;
          return o;
        }),
      );
    }
    this.select.value = String(index);
    this.prev.disabled = index <= 0;
    this.next.disabled = index >= rows.length - 1;
  }
}
