// The anywidget entry point of the Innotater.
import type { RenderProps } from "@anywidget/types";
import { InnotaterView } from "./view";
import type { Model } from "./model";

function render({ model, el, experimental }: RenderProps<Model>): () => void {
  const view = new InnotaterView(model, experimental);
  el.append(view.root);
  return () => view.destroy();
}

export default { render };
