import { describe, expect, it } from "vitest";
import { DEFAULT_BINDINGS, Keymap, type KeyLike, defaultKeymap, formatCombo, isMacPlatform, matches, parseCombo } from "../src/core/keymap";

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({ key: k, ctrlKey: false, shiftKey: false, altKey: false, metaKey: false, ...mods });

describe("parseCombo", () => {
  it("reads modifiers and the key", () => {
    expect(parseCombo("Ctrl+Shift+Z")).toEqual({ key: "z", ctrl: true, shift: true, alt: false, meta: false });
    expect(parseCombo("Escape")).toEqual({ key: "Escape", ctrl: false, shift: false, alt: false, meta: false });
    expect(parseCombo("esc").key).toBe("Escape");
    expect(parseCombo("Del").key).toBe("Delete");
    expect(parseCombo("Cmd+K")).toMatchObject({ key: "k", meta: true });
    expect(parseCombo("Alt+Space")).toMatchObject({ key: " ", alt: true });
  });
  it("takes + as a key", () => {
    expect(parseCombo("+")).toMatchObject({ key: "+", ctrl: false });
    expect(parseCombo("Ctrl++")).toMatchObject({ key: "+", ctrl: true });
    expect(parseCombo("-").key).toBe("-");
  });
  it("refuses unknown modifiers and combos without a key", () => {
    expect(() => parseCombo("Hyper+A")).toThrow(/Unknown modifier "Hyper"/);
    expect(() => parseCombo("Ctrl+")).toThrow(/no key/);
    expect(() => parseCombo("")).toThrow();
  });
  it("formats back", () => {
    expect(formatCombo(parseCombo("ctrl+shift+z"))).toBe("Ctrl+Shift+Z");
    expect(formatCombo(parseCombo("ctrl+shift+z"), true)).toBe("⇧⌘Z");
    expect(formatCombo(parseCombo("Space"))).toBe("Space");
    expect(formatCombo(parseCombo("Tab"))).toBe("Tab");
  });
});

describe("matches", () => {
  it("compares letters case-insensitively but Shift exactly", () => {
    expect(matches(parseCombo("A"), key("a"))).toBe(true);
    expect(matches(parseCombo("A"), key("A"))).toBe(true); // Caps Lock
    expect(matches(parseCombo("A"), key("A", { shiftKey: true }))).toBe(false);
    expect(matches(parseCombo("Shift+A"), key("A", { shiftKey: true }))).toBe(true);
    expect(matches(parseCombo("A"), key("a", { ctrlKey: true }))).toBe(false);
    expect(matches(parseCombo("A"), key("a", { altKey: true }))).toBe(false);
  });
  it("ignores the Shift a symbol needs", () => {
    expect(matches(parseCombo("?"), key("?", { shiftKey: true }))).toBe(true);
    expect(matches(parseCombo("+"), key("+", { shiftKey: true }))).toBe(true);
    expect(matches(parseCombo("+"), key("+"))).toBe(true);
    expect(matches(parseCombo("Tab"), key("Tab", { shiftKey: true }))).toBe(false);
    expect(matches(parseCombo("Shift+Tab"), key("Tab", { shiftKey: true }))).toBe(true);
  });
  it("Ctrl takes Cmd on a Mac, and only there", () => {
    const cmdZ = key("z", { metaKey: true });
    expect(matches(parseCombo("Ctrl+Z"), cmdZ, true)).toBe(true);
    expect(matches(parseCombo("Ctrl+Z"), key("z", { ctrlKey: true }), true)).toBe(true);
    expect(matches(parseCombo("Ctrl+Z"), cmdZ, false)).toBe(false);
    expect(matches(parseCombo("Z"), cmdZ, true)).toBe(false);
    expect(matches(parseCombo("Z"), key("z", { metaKey: true }), false)).toBe(false);
  });
  it("reads the physical key when the layout types something else", () => {
    expect(matches(parseCombo("Ctrl+Z"), key("я", { code: "KeyZ", ctrlKey: true }))).toBe(true); // Russian layout
    expect(matches(parseCombo("Alt+E"), key("´", { code: "KeyE", altKey: true }), true)).toBe(true); // Option on a Mac
    expect(matches(parseCombo("Alt+E"), key("Dead", { code: "KeyE", altKey: true }), true)).toBe(true);
    expect(matches(parseCombo("1"), key("&", { code: "Digit1" }))).toBe(true); // AZERTY top row
    expect(matches(parseCombo("1"), key("1", { code: "Numpad1" }))).toBe(true);
    expect(matches(parseCombo("1"), key("2", { code: "Digit2" }))).toBe(false);
  });
  it("tells Mac platforms", () => {
    expect(isMacPlatform("MacIntel")).toBe(true);
    expect(isMacPlatform("iPad")).toBe(true);
    expect(isMacPlatform("Win32")).toBe(false);
    expect(isMacPlatform("Linux x86_64")).toBe(false);
  });
});

describe("the Annotator's key map", () => {
  const map = defaultKeymap();
  const action = (k: string, mods: Partial<KeyLike> = {}, m = map) => m.find(key(k, mods))?.action;

  it("binds every documented shortcut", () => {
    for (let n = 1; n <= 9; n++) expect(action(String(n))).toBe(`tool-${n}`);
    expect(action("0")).toBeUndefined();
    expect(action("Escape")).toBe("cancel");
    expect(action("Delete")).toBe("delete");
    expect(action("Backspace")).toBe("delete");
    expect(action("z", { ctrlKey: true })).toBe("undo");
    expect(action("Z", { ctrlKey: true, shiftKey: true })).toBe("redo");
    expect(action("y", { ctrlKey: true })).toBe("redo");
    expect(action("c", { ctrlKey: true })).toBe("copy");
    expect(action("v", { ctrlKey: true })).toBe("paste");
    expect(action("a", { ctrlKey: true })).toBe("select-all");
    expect(action("h")).toBe("hide");
    expect(action("l")).toBe("lock");
    expect(action("f")).toBe("fit");
    expect(action("+", { shiftKey: true })).toBe("zoom-in");
    expect(action("=")).toBe("zoom-in");
    expect(action("-")).toBe("zoom-out");
    expect(action("[")).toBe("brush-smaller");
    expect(action("]")).toBe("brush-larger");
    expect(action("b")).toBe("brush");
    expect(action("e")).toBe("eraser");
    expect(action("g")).toBe("fill-polygon");
    expect(action("a")).toBe("accept");
    expect(action("r")).toBe("reject");
    expect(action("A", { shiftKey: true })).toBe("accept-all");
    expect(action("n")).toBe("next-row");
    expect(action("p")).toBe("previous-row");
    expect(action("Tab")).toBe("next-object");
    expect(action("Tab", { shiftKey: true })).toBe("previous-object");
    expect(action("?", { shiftKey: true })).toBe("help");
    expect(action("Enter")).toBe("finish");
    expect(action("v")).toBe("toggle-visibility");
    expect(action("x")).toBeUndefined();
  });

  it("uses Cmd on a Mac", () => {
    const mac = defaultKeymap(true);
    expect(action("z", { metaKey: true }, mac)).toBe("undo");
    expect(action("z", { metaKey: true, shiftKey: true }, mac)).toBe("redo");
    expect(mac.combosFor("undo")).toEqual(["⌘Z"]);
    expect(map.combosFor("redo")).toEqual(["Ctrl+Shift+Z", "Ctrl+Y"]);
  });

  it("no two bindings share a combo; list and groups cover them all", () => {
    const combos = DEFAULT_BINDINGS.map((b) => JSON.stringify(parseCombo(b.combo)));
    expect(new Set(combos).size).toBe(combos.length);
    expect(map.list()).toEqual([...DEFAULT_BINDINGS]);
    const groups = map.groups();
    expect([...groups.keys()]).toEqual(["Tools", "Editing", "Objects", "View", "Masks", "Predictions", "Frames", "Rows", "Help"]);
    expect([...groups.values()].flat()).toHaveLength(DEFAULT_BINDINGS.length);
    for (const b of map.list()) expect(b.description).not.toBe("");
  });

  it("custom key maps: the first match wins", () => {
    const custom = new Keymap([
      { combo: "X", action: "first", description: "", group: "g" },
      { combo: "x", action: "second", description: "", group: "g" },
    ]);
    expect(custom.find(key("x"))?.action).toBe("first");
  });
});
