// A form for answering attributes: radio buttons, checklists, text and numbers; the attributes
// nested under an option appear when it is picked; required ones are marked until answered.

import type { AttributeSpec } from "../protocol/ontology";
import { el } from "./dom";

export interface FormHandlers {
  answer(attribute: AttributeSpec, value: unknown): void;
  clear(attribute: AttributeSpec): void;
}

export function isAnswered(value: unknown): boolean {
  return value !== undefined && value !== null && value !== "" && !(Array.isArray(value) && value.length === 0);
}

/** Required attributes (nested ones under picked options included) that have no answer. */
export function missingRequired(attributes: AttributeSpec[], answer: (a: AttributeSpec) => unknown): AttributeSpec[] {
  const out: AttributeSpec[] = [];
  for (const a of attributes) {
    const value = answer(a);
    if (a.required && !isAnswered(value)) out.push(a);
    for (const o of a.options) {
      const picked = value === o.hash || (Array.isArray(value) && value.includes(o.hash));
      if (picked) out.push(...missingRequired(o.attributes, answer));
    }
  }
  return out;
}

export function renderForm(
  container: HTMLElement,
  attributes: AttributeSpec[],
  answer: (a: AttributeSpec) => unknown,
  handlers: FormHandlers,
  readonly: boolean,
  depth = 0,
): void {
  for (const a of attributes) {
    const value = answer(a);
    const field = el("fieldset", "ls-attr");
    field.dataset.attribute = a.hash;
    field.style.marginLeft = `${depth * 12}px`;
    const legend = el("legend", "", a.name);
    if (a.dynamic) legend.append(el("span", "ls-attr-dynamic", " (this frame)"));
    if (a.required) {
      const mark = el("span", isAnswered(value) ? "ls-required ls-answered" : "ls-required", " *");
      mark.title = isAnswered(value) ? "required (answered)" : "required: not answered yet";
      legend.append(mark);
    }
    field.append(legend);
    if (a.kind === "radio" || a.kind === "checklist") {
      const picked = new Set(Array.isArray(value) ? (value as string[]) : value ? [value as string] : []);
      for (const o of a.options) {
        const label = el("label", "ls-option");
        const input = el("input");
        input.type = a.kind === "radio" ? "radio" : "checkbox";
        input.name = `${a.hash}`;
        input.value = o.hash;
        input.checked = picked.has(o.hash);
        input.disabled = readonly;
        input.addEventListener("click", (e) => {
          e.stopPropagation();
          if (a.kind === "radio") {
            if (picked.has(o.hash)) handlers.clear(a);
            else handlers.answer(a, o.hash);
          } else {
            const next = a.options.map((x) => x.hash).filter((h) => (h === o.hash ? !picked.has(h) : picked.has(h)));
            if (next.length) handlers.answer(a, next);
            else handlers.clear(a);
          }
        });
        label.append(input, document.createTextNode(o.label));
        field.append(label);
        if (picked.has(o.hash) && o.attributes.length) {
          const nested = el("div", "ls-nested");
          renderForm(nested, o.attributes, answer, handlers, readonly, depth + 1);
          field.append(nested);
        }
      }
    } else {
      const input = el("input", "ls-input");
      input.type = a.kind === "numeric" ? "number" : "text";
      input.step = "any";
      input.value = value === undefined || value === null ? "" : String(value);
      input.disabled = readonly;
      const commit = () => {
        const raw = input.value.trim();
        if (raw === "") {
          if (isAnswered(value)) handlers.clear(a);
          return;
        }
        const next = a.kind === "numeric" ? Number(raw) : input.value;
        if (a.kind === "numeric" && !Number.isFinite(next)) return;
        if (next !== value) handlers.answer(a, next);
      };
      input.addEventListener("change", commit);
      input.addEventListener("keydown", (e) => {
        e.stopPropagation();
        if (e.key === "Enter") input.blur();
      });
      field.append(input);
    }
    container.append(field);
  }
}
