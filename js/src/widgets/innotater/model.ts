// The state shared with Python. The keys of `Model` are exactly the `sync=True` traitlets of
// `labelspace.widget.innotater.Innotater`; tests/widget/test_contract.py checks that they agree.

import type { ShapeStyle } from "../../canvas/imageCanvas";

export type Box = [number, number, number, number]; // x, y, w, h in image pixels

/** How boxes are drawn: ImageInnotation's annotation_styles. */
export type Styles = ShapeStyle;

export interface BoxSource {
  target: string; // a BoundingBoxInnotation, or a RepeatInnotation with `column`
  column?: number;
}

interface BaseSpec {
  name: string;
  desc: string;
  layout: Record<string, string>;
  disabled: boolean;
}

export interface ImageSpec extends BaseSpec {
  kind: "image";
  width: number;
  height: number;
  styles: Styles;
  boxes: BoxSource[];
}
export interface BBoxSpec extends BaseSpec {
  kind: "bbox";
  source: string | null;
}
export interface MultiClassSpec extends BaseSpec {
  kind: "multiclass" | "binary";
  classes: string[];
  dropdown: boolean;
}
export interface TextSpec extends BaseSpec {
  kind: "text";
  multiline: boolean;
}
export interface ButtonSpec extends BaseSpec {
  kind: "button";
}
export interface GroupSpec extends BaseSpec {
  kind: "group";
  children: InnotationSpec[];
}
export interface RepeatSpec extends BaseSpec {
  kind: "repeat";
  columns: InnotationSpec[];
  min: number;
  max: number;
}

export type InnotationSpec = ImageSpec | BBoxSpec | MultiClassSpec | TextSpec | ButtonSpec | GroupSpec | RepeatSpec;

export interface Spec {
  inputs: InnotationSpec[];
  targets: InnotationSpec[];
  vertical: boolean;
  save: boolean;
}

export interface RepeatValue {
  rows: number;
  items: unknown[][];
}

export type Values = Record<string, unknown>;

export interface Model {
  index: number;
  count: number;
  uindex: number;
  spec: Spec;
  values: Values;
  dirty: boolean;
  keyboard_shortcuts: boolean;
  message: string;
}

// Messages from Python.
export interface ImageMessage {
  kind: "image";
  name: string;
  uindex: number;
  index: number;
  mime: string;
  width: number;
  height: number;
}

// Messages to Python.
export type Edit =
  | { kind: "set"; name: string; value: unknown; row?: number; column?: number }
  | { kind: "click"; name: string; row?: number; column?: number }
  | { kind: "add_row"; name: string }
  | { kind: "remove_row"; name: string; row: number }
  | { kind: "save" }
  | { kind: "ready" }
  | { kind: "want"; name: string; index: number };
