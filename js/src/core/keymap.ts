// Keyboard shortcuts: combos such as "Ctrl+Shift+Z", matching key events against them, and the
// Annotator's default table (data, also what the help overlay lists). No DOM: events are read
// through the few fields a KeyboardEvent has.

/** What matching reads of a key event (a DOM KeyboardEvent has all of it). */
export interface KeyLike {
  key: string;
  code?: string;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

export interface Combo {
  /** The key: a lowercase letter, a digit, a symbol ("?", "+", "["), or a key name ("Escape", "Tab"). */
  key: string;
  ctrl: boolean;
  shift: boolean;
  alt: boolean;
  meta: boolean;
}

const KEY_NAMES: Record<string, string> = {
  esc: "Escape",
  escape: "Escape",
  del: "Delete",
  delete: "Delete",
  backspace: "Backspace",
  enter: "Enter",
  return: "Enter",
  tab: "Tab",
  space: " ",
  plus: "+",
  minus: "-",
  up: "ArrowUp",
  down: "ArrowDown",
  left: "ArrowLeft",
  right: "ArrowRight",
  arrowup: "ArrowUp",
  arrowdown: "ArrowDown",
  arrowleft: "ArrowLeft",
  arrowright: "ArrowRight",
  home: "Home",
  end: "End",
  pageup: "PageUp",
  pagedown: "PageDown",
};

function normaliseKey(key: string): string {
  if (key.length === 1) return key.toLowerCase();
  return KEY_NAMES[key.toLowerCase()] ?? key;
}

/** Read "Ctrl+Shift+Z", "Shift+A", "?", "+", "Ctrl++": modifiers (Ctrl, Shift, Alt, Meta/Cmd) then one key. */
export function parseCombo(text: string): Combo {
  const t = text.trim();
  if (!t) throw new Error("A key combo needs a key.");
  // The key follows the last "+"; "+" as the key is written alone or after a "+" ("Ctrl++").
  let keyText: string;
  let modText: string;
  if (t === "+") [keyText, modText] = ["+", ""];
  else if (t.endsWith("++")) [keyText, modText] = ["+", t.slice(0, -2)];
  else {
    const cut = t.lastIndexOf("+");
    [keyText, modText] = [t.slice(cut + 1), cut < 0 ? "" : t.slice(0, cut)];
  }
  if (!keyText.trim()) throw new Error(`The key combo ${JSON.stringify(text)} has no key after its modifiers.`);
  const mods = modText ? modText.split("+") : [];
  const combo: Combo = { key: normaliseKey(keyText.trim()), ctrl: false, shift: false, alt: false, meta: false };
  for (const raw of mods) {
    const m = raw.trim().toLowerCase();
    if (m === "ctrl" || m === "control") combo.ctrl = true;
    else if (m === "shift") combo.shift = true;
    else if (m === "alt" || m === "option") combo.alt = true;
    else if (m === "meta" || m === "cmd" || m === "command") combo.meta = true;
    else throw new Error(`Unknown modifier ${JSON.stringify(raw)} in key combo ${JSON.stringify(text)}.`);
  }
  return combo;
}

/** A combo written back as text for the help overlay: "Ctrl+Shift+Z", or "⇧⌘Z" on a Mac. */
export function formatCombo(combo: Combo, mac = false): string {
  const parts: string[] = [];
  if (mac) {
    if (combo.alt) parts.push("⌥");
    if (combo.shift) parts.push("⇧");
    if (combo.ctrl || combo.meta) parts.push("⌘");
  } else {
    if (combo.ctrl) parts.push("Ctrl");
    if (combo.alt) parts.push("Alt");
    if (combo.shift) parts.push("Shift");
    if (combo.meta) parts.push("Meta");
  }
  parts.push(combo.key === " " ? "Space" : combo.key.length === 1 ? combo.key.toUpperCase() : combo.key);
  return parts.join(mac ? "" : "+");
}

/** Whether a platform string (navigator.platform or userAgent) is Apple's, where Ctrl combos take Cmd. */
export function isMacPlatform(platform: string): boolean {
  return /mac|iphone|ipad|ipod/i.test(platform);
}

const isLetter = (k: string): boolean => k.length === 1 && k >= "a" && k <= "z";
const isDigit = (k: string): boolean => k.length === 1 && k >= "0" && k <= "9";

/** The key an event means: its `key`, or from its `code` when `key` is not plain ASCII (other layouts, Option or a dead key on a Mac). */
function eventKey(e: KeyLike): string {
  const k = normaliseKey(e.key);
  const foreign = (k.length === 1 && k.charCodeAt(0) > 0x7e) || k === "Dead" || k === "Unidentified";
  if (foreign && e.code) {
    const m = /^(?:Key([A-Z])|Digit([0-9]))$/.exec(e.code);
    if (m) return (m[1] ?? m[2]).toLowerCase();
  }
  return k;
}

/**
 * Whether the event is the combo. Letters and key names compare Shift exactly; a symbol that Shift
 * may be needed to type ("?", "+") ignores Shift unless the combo names it; a digit also matches its
 * key on the top row or keypad whatever the layout prints there. On a Mac (`mac`), Ctrl and Meta
 * (Cmd) are one modifier: Ctrl in a combo is matched by Ctrl or Cmd.
 */
export function matches(combo: Combo, event: KeyLike, mac = false): boolean {
  const key = eventKey(event);
  let keyOk = key === combo.key;
  if (!keyOk && isDigit(combo.key) && event.code) keyOk = event.code === `Digit${combo.key}` || event.code === `Numpad${combo.key}`;
  if (!keyOk) return false;
  if (event.altKey !== combo.alt) return false;
  if (mac) {
    if ((event.ctrlKey || event.metaKey) !== (combo.ctrl || combo.meta)) return false;
  } else if (event.ctrlKey !== combo.ctrl || event.metaKey !== combo.meta) return false;
  const symbol = combo.key.length === 1 && !isLetter(combo.key);
  if (symbol && !combo.shift) return true;
  return event.shiftKey === combo.shift;
}

export interface KeyBinding<A extends string = string> {
  combo: string;
  action: A;
  description: string;
  group: string;
}

/** Bindings in order; the first that matches an event wins. */
export class Keymap<A extends string = string> {
  private readonly entries: { binding: KeyBinding<A>; combo: Combo }[];

  constructor(
    bindings: readonly KeyBinding<A>[],
    readonly mac = false,
  ) {
    this.entries = bindings.map((binding) => ({ binding, combo: parseCombo(binding.combo) }));
  }

  /** The binding the event triggers, or undefined. */
  find(event: KeyLike): KeyBinding<A> | undefined {
    return this.entries.find((e) => matches(e.combo, event, this.mac))?.binding;
  }

  /** Every binding, in order (for the help overlay). */
  list(): KeyBinding<A>[] {
    return this.entries.map((e) => e.binding);
  }

  /** The bindings by group, groups in the order they first appear. */
  groups(): Map<string, KeyBinding<A>[]> {
    const out = new Map<string, KeyBinding<A>[]>();
    for (const { binding } of this.entries) {
      const group = out.get(binding.group) ?? [];
      group.push(binding);
      out.set(binding.group, group);
    }
    return out;
  }

  /** The combos bound to an action, as text. */
  combosFor(action: A): string[] {
    return this.entries.filter((e) => e.binding.action === action).map((e) => formatCombo(e.combo, this.mac));
  }
}

export type ToolAction = "tool-1" | "tool-2" | "tool-3" | "tool-4" | "tool-5" | "tool-6" | "tool-7" | "tool-8" | "tool-9";

/** What the Annotator's default shortcuts do. */
export type AnnotatorAction =
  | ToolAction
  | "cancel"
  | "delete"
  | "undo"
  | "redo"
  | "copy"
  | "paste"
  | "select-all"
  | "hide"
  | "lock"
  | "fit"
  | "zoom-in"
  | "zoom-out"
  | "brush-smaller"
  | "brush-larger"
  | "brush"
  | "eraser"
  | "fill-polygon"
  | "accept"
  | "reject"
  | "accept-all"
  | "next-row"
  | "previous-row"
  | "next-object"
  | "previous-object"
  | "help"
  | "finish"
  | "toggle-visibility"
  | "play"
  | "next-frame"
  | "previous-frame"
  | "next-10-frames"
  | "previous-10-frames"
  | "first-frame"
  | "last-frame"
  | "track-forward"
  | "track-backward";

const bind = (combo: string, action: AnnotatorAction, description: string, group: string): KeyBinding<AnnotatorAction> => ({
  combo,
  action,
  description,
  group,
});

const TOOLS = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => bind(String(n), `tool-${n}` as ToolAction, `Choose ontology tool ${n}`, "Tools"));

/** The Annotator's shortcuts. */
export const DEFAULT_BINDINGS: readonly KeyBinding<AnnotatorAction>[] = [
  ...TOOLS,
  bind("Escape", "cancel", "Cancel drawing / deselect", "Editing"),
  bind("Delete", "delete", "Delete the selection (or the vertex under the pointer)", "Editing"),
  bind("Backspace", "delete", "Delete the selection (or the vertex under the pointer)", "Editing"),
  bind("Enter", "finish", "Finish the polygon or polyline", "Editing"),
  bind("Ctrl+Z", "undo", "Undo", "Editing"),
  bind("Ctrl+Shift+Z", "redo", "Redo", "Editing"),
  bind("Ctrl+Y", "redo", "Redo", "Editing"),
  bind("Ctrl+C", "copy", "Copy the selection", "Editing"),
  bind("Ctrl+V", "paste", "Paste", "Editing"),
  bind("Ctrl+A", "select-all", "Select all objects", "Editing"),
  bind("V", "toggle-visibility", "Toggle the visibility of the skeleton node", "Editing"),
  bind("H", "hide", "Hide the selected objects", "Objects"),
  bind("L", "lock", "Lock the selected objects", "Objects"),
  bind("Tab", "next-object", "Select the next object", "Objects"),
  bind("Shift+Tab", "previous-object", "Select the previous object", "Objects"),
  bind("F", "fit", "Fit the image to the view", "View"),
  bind("+", "zoom-in", "Zoom in", "View"),
  bind("=", "zoom-in", "Zoom in", "View"),
  bind("-", "zoom-out", "Zoom out", "View"),
  bind("B", "brush", "Brush", "Masks"),
  bind("E", "eraser", "Eraser", "Masks"),
  bind("G", "fill-polygon", "Fill a polygon", "Masks"),
  bind("[", "brush-smaller", "Smaller brush", "Masks"),
  bind("]", "brush-larger", "Larger brush", "Masks"),
  bind("A", "accept", "Accept the selected prediction", "Predictions"),
  bind("R", "reject", "Reject the selected prediction", "Predictions"),
  bind("Shift+A", "accept-all", "Accept all predictions shown", "Predictions"),
  bind("Space", "play", "Play / pause a video or volume (Space and drag pans)", "Frames"),
  bind("Right", "next-frame", "Next frame", "Frames"),
  bind("Left", "previous-frame", "Previous frame", "Frames"),
  bind("Shift+Right", "next-10-frames", "Forward ten frames", "Frames"),
  bind("Shift+Left", "previous-10-frames", "Back ten frames", "Frames"),
  bind("Home", "first-frame", "First frame", "Frames"),
  bind("End", "last-frame", "Last frame", "Frames"),
  bind("T", "track-forward", "Track the selected objects forward", "Frames"),
  bind("Shift+T", "track-backward", "Track the selected objects backward", "Frames"),
  bind("N", "next-row", "Next row", "Rows"),
  bind("P", "previous-row", "Previous row", "Rows"),
  bind("?", "help", "Show the shortcuts", "Help"),
];

/** The Annotator's default key map (`mac`: Ctrl combos also take Cmd). */
export function defaultKeymap(mac = false): Keymap<AnnotatorAction> {
  return new Keymap(DEFAULT_BINDINGS, mac);
}
