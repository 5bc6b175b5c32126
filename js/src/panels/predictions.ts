// Reviewing predictions (annotations with manual_annotation false): a confidence threshold that
// hides those below it, and accepting or rejecting all shown at once.

import type { AnnotationStore } from "../core/store";
import { button, el } from "./dom";

export interface PredictionHandlers {
  acceptAll(): void;
  rejectAll(): void;
}

export class PredictionsPanel {
  readonly root = el("div", "ls-panel ls-predictions");
  private readonly slider = el("input", "ls-threshold");
  private readonly value = el("span", "ls-threshold-value");
  private readonly count = el("span", "ls-muted");

  constructor(
    private readonly store: AnnotationStore,
    handlers: PredictionHandlers,
  ) {
    this.slider.type = "range";
    this.slider.min = "0";
    this.slider.max = "1";
    this.slider.step = "0.01";
    this.slider.value = "0";
    this.slider.title = "Hide predictions below this confidence";
    this.slider.addEventListener("input", () => store.setThreshold(Number(this.slider.value)));
    const row = el("div", "ls-row");
    row.append(el("span", "", "Confidence ≥ "), this.slider, this.value);
    const actions = el("div", "ls-row");
    actions.append(
      button("Accept shown", "Accept every prediction shown (Shift+A)", handlers.acceptAll),
      button("Reject shown", "Remove every prediction shown", handlers.rejectAll),
    );
    this.root.append(el("h4", "", "Predictions"), row, this.count, actions);
  }

  render(): void {
    this.value.textContent = this.store.threshold.toFixed(2);
    this.slider.value = String(this.store.threshold);
    const all = [...this.store.objects.values()].filter((a) => this.store.isPrediction(a));
    const shown = all.filter((a) => this.store.isShown(a)).length;
    this.count.textContent = `${shown} of ${all.length} shown. A accepts the selected one, R rejects it.`;
    this.root.hidden = all.length === 0;
  }
}
