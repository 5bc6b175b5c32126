import { describe, expect, it } from "vitest";
import { History } from "../src/core/history";

describe("History", () => {
  it("undoes and redoes in order, with counts and peeks", () => {
    const h = new History<string>();
    expect(h.undo()).toBeUndefined();
    expect(h.redo()).toBeUndefined();
    h.push("a");
    h.push("b");
    h.push("c");
    expect([h.undoCount, h.redoCount]).toEqual([3, 0]);
    expect(h.peekUndo()).toBe("c");
    expect(h.undo()).toBe("c");
    expect(h.undo()).toBe("b");
    expect([h.undoCount, h.redoCount]).toEqual([1, 2]);
    expect(h.peekRedo()).toBe("b");
    expect(h.redo()).toBe("b");
    expect(h.peekUndo()).toBe("b");
    expect(h.peekRedo()).toBe("c");
    expect([h.undoCount, h.redoCount]).toEqual([2, 1]);
  });

  it("a push clears what could be redone", () => {
    const h = new History<number>();
    h.push(1);
    h.push(2);
    h.undo();
    expect(h.redoCount).toBe(1);
    h.push(3);
    expect(h.redoCount).toBe(0);
    expect(h.redo()).toBeUndefined();
    expect(h.undo()).toBe(3);
    expect(h.undo()).toBe(1);
  });

  it("keeps at most 10,000 entries by default, dropping the oldest", () => {
    const h = new History<number>();
    for (let i = 0; i < 10_050; i++) h.push(i);
    expect(h.undoCount).toBe(10_000);
    expect(h.peekUndo()).toBe(10_049);
    let last: number | undefined;
    let n = 0;
    for (let e = h.undo(); e !== undefined; e = h.undo()) [last, n] = [e, n + 1];
    expect(n).toBe(10_000);
    expect(last).toBe(50);
    expect(h.redoCount).toBe(10_000);
    expect(h.peekRedo()).toBe(50);
  });

  it("takes other limits; clear empties both stacks", () => {
    const h = new History<string>(2);
    h.push("a");
    h.push("b");
    h.push("c");
    expect(h.undoCount).toBe(2);
    h.undo();
    h.clear();
    expect([h.undoCount, h.redoCount]).toEqual([0, 0]);
    expect(h.peekUndo()).toBeUndefined();
    const none = new History<string>(0);
    none.push("a");
    expect(none.undoCount).toBe(0);
    expect(() => new History(-1)).toThrow(RangeError);
    expect(() => new History(1.5)).toThrow(RangeError);
  });
});
