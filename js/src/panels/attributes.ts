// The attributes of the selected object: static ones for the instance, dynamic ones for the
// current frame of its space.

import { runAt } from "../core/store";
import type { Annotation, AnnotationStore } from "../core/store";
import type { AttributeSpec } from "../protocol/ontology";
import type { Operation } from "../protocol/operations";
import { missingRequired, renderForm } from "./attributeForm";
import { el, swatch } from "./dom";

export class AttributesPanel {
  readonly root = el("div", "ls-panel ls-attributes");

  constructor(
    private readonly store: AnnotationStore,
    private readonly send: (op: Operation) => void,
    private readonly readonly: () => boolean,
  ) {}

  private answerOf(a: Annotation, attribute: AttributeSpec): unknown {
    if (!attribute.dynamic) return a.state.answers[attribute.hash];
    const runs = a.state.dynamic[attribute.hash] ?? [];
    return runAt(runs, this.store.frame(a.space))?.answer;
  }

  render(): void {
    this.root.replaceChildren(el("h4", "", "Attributes"));
    const selected = this.store.selected();
    if (selected.length !== 1) {
      this.root.append(el("p", "ls-muted", selected.length ? `${selected.length} objects selected.` : "Select an object to answer its attributes."));
      return;
    }
    const a = selected[0];
    const head = el("div", "ls-attr-head");
    head.append(swatch(a.spec.color), el("b", "", a.spec.name), el("span", "ls-muted", ` ${a.id.slice(0, 6)}`));
    this.root.append(head);
    if (!a.spec.attributes.length) {
      this.root.append(el("p", "ls-muted", "This class has no attributes."));
      return;
    }
    // An image has one frame and no dynamic answers (the model refuses them): its dynamic
    // attributes are named, not offered.
    const onImage = this.store.space(a.space)?.kind === "image";
    const attributes = onImage ? a.spec.attributes.filter((attr) => !attr.dynamic) : a.spec.attributes;
    const frameOnly = a.spec.attributes.filter((attr) => !attributes.includes(attr)).map((attr) => attr.name);
    const frame = this.store.frame(a.space);
    const [first, last] = this.store.answerFrames(a.space);
    const form = el("div");
    if (frameOnly.length) {
      form.append(el("p", "ls-note ls-frame-only", `Answered on videos and volumes, not on an image: ${frameOnly.join(", ")}.`));
    }
    if (first !== last && attributes.some((attr) => attr.dynamic)) {
      form.append(el("p", "ls-note", `Dynamic answers chosen now go to frames ${first}–${last} (the range chosen on the timeline); clearing one clears this frame.`));
    }
    renderForm(
      form,
      attributes,
      (attr) => this.answerOf(a, attr),
      {
        answer: (attr, value) =>
          this.send(
            attr.dynamic
              ? { op: "set_dynamic_answer", space: a.space, object: a.id, attribute: attr.hash, frames: [[first, last]], answer: value }
              : { op: "set_answer", instance: a.id, attribute: attr.hash, answer: value },
          ),
        clear: (attr) =>
          this.send(
            attr.dynamic
              ? { op: "remove_dynamic_answer", space: a.space, object: a.id, attribute: attr.hash, frame }
              : { op: "delete_answer", instance: a.id, attribute: attr.hash },
          ),
      },
      this.readonly(),
    );
    this.root.append(form);
    const missing = missingRequired(attributes, (attr) => this.answerOf(a, attr));
    if (missing.length) this.root.append(el("p", "ls-warning", `Required: ${missing.map((m) => m.name).join(", ")}`));
  }
}
