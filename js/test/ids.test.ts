import { describe, expect, it } from "vitest";
import { newHash, shortId, shortIds } from "../src/core/ids";

describe("ids", () => {
  it("newHash makes 8 lowercase hex characters, like the model's new_hash (token_hex(4))", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const h = newHash();
      expect(h).toMatch(/^[0-9a-f]{8}$/);
      seen.add(h);
    }
    expect(seen.size).toBeGreaterThan(995);
  });

  it("shortId is a prefix", () => {
    expect(shortId("1a2b3c4d")).toBe("1a2b3c");
    expect(shortId("1a2b3c4d", 4)).toBe("1a2b");
    expect(shortId("ab")).toBe("ab");
  });

  it("shortIds lengthens prefixes until they are all different", () => {
    expect(shortIds(["1a2b3c4d", "ffff0000"])).toEqual(new Map([["1a2b3c4d", "1a2b"], ["ffff0000", "ffff"]]));
    expect(shortIds(["1a2b3c4d", "1a2b3d00", "ffff0000"])).toEqual(
      new Map([["1a2b3c4d", "1a2b3c"], ["1a2b3d00", "1a2b3d"], ["ffff0000", "ffff00"]]),
    );
    expect(shortIds(["1a2b3c4d", "1a2b3c4d"]).size).toBe(1);
    expect(shortIds([]).size).toBe(0);
  });
});
