// The anywidget entry point of the Annotator.
import type { RenderProps } from "@anywidget/types";
import type { Model } from "../../protocol/state";
import { AnnotatorView } from "./view";

function render({ model, el, experimental }: RenderProps<Model>): () => void {
  const view = new AnnotatorView(model, el, experimental);
  // For benchmarks and debugging in the browser's console: the view behind an annotator element.
  (view.root as HTMLElement & { lsView?: AnnotatorView }).lsView = view;
  return () => view.destroy();
}

export default { render };
