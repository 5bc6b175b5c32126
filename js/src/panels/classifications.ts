// The classifications of a space: global ones, and those of its current frame. Answering one that
// is not there yet puts the classification instance and its answer in one edit.

import type { AnnotationStore } from "../core/store";
import type { ClassificationSpec } from "../protocol/ontology";
import type { Operation } from "../protocol/operations";
import type { ClassificationState } from "../protocol/state";
import { renderForm } from "./attributeForm";
import { button, el, swatch } from "./dom";

export class ClassificationsPanel {
  readonly root = el("div", "ls-panel ls-classifications");

  constructor(
    private readonly store: AnnotationStore,
    private readonly send: (op: Operation) => void,
    private readonly newId: () => string,
    private readonly readonly: () => boolean,
  ) {}

  render(space: string | null): void {
    this.root.replaceChildren(el("h4", "", "Classifications"));
    const specs = this.store.ontology.classifications;
    if (!specs.length || space === null) {
      this.root.append(el("p", "ls-muted", "The ontology has no classifications."));
      return;
    }
    const present = this.store.classificationsOn(space);
    for (const spec of specs) {
      const instance = present.find((c) => c.feature === spec.hash);
      const box = el("div", "ls-classification");
      box.dataset.classification = spec.hash;
      const head = el("div", "ls-attr-head");
      head.append(swatch(spec.color), el("b", "", spec.name), el("span", "ls-muted", spec.global ? " (whole row)" : " (this frame)"));
      if (instance && !this.readonly()) {
        head.append(
          button("×", "Remove this classification", () =>
            this.send({ op: "remove_classification", space, classification: instance.id, ...(instance.global ? {} : { frames: this.store.frame(space) }) }),
          "ls-button ls-small"),
        );
      }
      box.append(head);
      renderForm(
        box,
        spec.attributes,
        (attr) => instance?.answers[attr.hash],
        {
          answer: (attr, value) => this.answer(space, spec, instance, attr.hash, value),
          clear: (attr) => instance && this.send({ op: "delete_answer", instance: instance.id, attribute: attr.hash }),
        },
        this.readonly(),
      );
      this.root.append(box);
    }
  }

  private answer(space: string, spec: ClassificationSpec, instance: ClassificationState | undefined, attribute: string, value: unknown): void {
    if (instance) {
      this.send({ op: "set_answer", instance: instance.id, attribute, answer: value });
      return;
    }
    const id = this.newId();
    this.send({
      op: "batch",
      ops: [
        { op: "put_classification", space, classification: id, feature: spec.hash, ...(spec.global ? {} : { frames: this.store.frame(space) }), meta: { manual_annotation: true } },
        { op: "set_answer", instance: id, attribute, answer: value },
      ],
    });
  }
}
