// The ontology as the Annotator's front end sees it: a plain description made once by Python
// (`labelspace.widget.protocol.ontology_spec`), synced as the `ontology` trait.

export type ShapeKind =
  | "bounding_box"
  | "rotatable_bounding_box"
  | "polygon"
  | "polyline"
  | "point"
  | "skeleton"
  | "bitmask";

export type AttributeKind = "radio" | "checklist" | "text" | "numeric";

export interface OptionSpec {
  hash: string;
  label: string;
  value: string;
  attributes: AttributeSpec[];
}

export interface AttributeSpec {
  hash: string;
  name: string;
  kind: AttributeKind;
  required: boolean;
  dynamic: boolean;
  options: OptionSpec[];
}

/** A skeleton template: nodes spanning the unit box, and edges between node indexes. */
export interface SkeletonSpec {
  nodes: SkeletonNodeSpec[];
  edges: [number, number][];
}

export interface SkeletonNodeSpec {
  name: string;
  x: number;
  y: number;
}

export interface ObjectSpec {
  hash: string;
  name: string;
  color: string;
  shape: ShapeKind;
  attributes: AttributeSpec[];
  skeleton: SkeletonSpec | null;
}

export interface ClassificationSpec {
  hash: string;
  name: string;
  color: string;
  global: boolean;
  attributes: AttributeSpec[];
}

export interface OntologySpec {
  objects: ObjectSpec[];
  classifications: ClassificationSpec[];
}
