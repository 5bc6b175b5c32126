// The anywidget entry point of the Annotator.
import type { RenderProps } from "@anywidget/types";
import type { Model } from "../../protocol/state";
import { AnnotatorView } from "./view";

function render({ model, el, experimental }: RenderProps<Model>): () => void {
  const view = new AnnotatorView(model, el, experimental);
  return () => view.destroy();
}

export default { render };
