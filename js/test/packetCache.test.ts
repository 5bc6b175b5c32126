import { describe, expect, it } from "vitest";
import { PacketCache } from "../src/media/packetCache";
import type { VideoPart } from "../src/protocol/messages";

function part(group: number, first: number, last: number, k: number, parts: number, bytes: number): [VideoPart, DataView] {
  const header: VideoPart = { group, first, last, part: k, parts, frames: [], keys: [], sizes: [bytes], drops: [0], error: "" };
  return [header, new DataView(new ArrayBuffer(bytes))];
}

describe("PacketCache", () => {
  it("gives back the parts kept for any frame of their group, and nothing else", () => {
    const cache = new PacketCache(1000);
    const a = part(0, 0, 29, 0, 2, 100);
    cache.put(...a);
    expect(cache.get(0, 0)?.[1]).toBe(a[1]);
    expect(cache.get(29, 0)?.[1]).toBe(a[1]);
    expect(cache.get(29, 1)).toBeNull(); // its second part was not fetched
    expect(cache.get(30, 0)).toBeNull();
    const b = part(0, 0, 29, 1, 2, 50);
    cache.put(...b);
    expect(cache.get(12, 1)?.[1]).toBe(b[1]);
    expect(cache.bytes).toBe(150);
    cache.put(...part(0, 0, 29, 1, 2, 50)); // the same part again is not counted twice
    expect(cache.bytes).toBe(150);
  });

  it("drops the least recently used groups beyond its budget, never the one just kept", () => {
    const cache = new PacketCache(300);
    const g0 = part(0, 0, 29, 0, 1, 100);
    const g1 = part(1, 30, 59, 0, 1, 100);
    const g2 = part(2, 60, 89, 0, 1, 100);
    cache.put(...g0);
    cache.put(...g1);
    cache.put(...g2);
    expect(cache.get(5, 0)?.[1]).toBe(g0[1]); // group 0 used: group 1 is now the oldest
    cache.put(...part(3, 90, 119, 0, 1, 100));
    expect(cache.get(40, 0)).toBeNull();
    expect(cache.get(5, 0)?.[1]).toBe(g0[1]);
    expect(cache.get(70, 0)?.[1]).toBe(g2[1]);
    expect(cache.bytes).toBe(300);
    const huge = part(4, 120, 149, 0, 1, 1000);
    cache.put(...huge);
    expect(cache.get(130, 0)?.[1]).toBe(huge[1]);
    expect(cache.bytes).toBe(1000);
  });

  it("keeps no answer that is an error, and forgets a group whose frames changed", () => {
    const cache = new PacketCache(1000);
    const [header, data] = part(0, 0, 29, 0, 1, 10);
    cache.put({ ...header, error: "cannot read" }, data);
    expect(cache.get(0, 0)).toBeNull();
    cache.put(...part(0, 0, 29, 0, 1, 10));
    const changed = part(0, 0, 19, 0, 1, 20);
    cache.put(...changed);
    expect(cache.get(25, 0)).toBeNull();
    expect(cache.get(10, 0)?.[1]).toBe(changed[1]);
    expect(cache.bytes).toBe(20);
    cache.clear();
    expect(cache.get(10, 0)).toBeNull();
    expect(cache.bytes).toBe(0);
  });
});
