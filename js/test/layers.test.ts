// The front end's layers point one way: protocol and core import nothing above them; canvas and
// volume (window arithmetic, cuts of shapes) import core; media (where frames come from) imports
// canvas and volume; tools import canvas and core; panels and the timeline import core (and tool
// types); widgets may import everything. A file that imports a layer above its own fails here.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(__dirname, "../src");
const RANK: Record<string, number> = { protocol: 0, core: 1, canvas: 2, volume: 2, media: 3, tools: 3, panels: 4, timeline: 4, widgets: 5 };

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const layerOf = (path: string): string => relative(SRC, path).split("/")[0];

describe("front-end layers", () => {
  it("every folder is a known layer", () => {
    for (const f of files(SRC)) expect(Object.keys(RANK)).toContain(layerOf(f));
  });

  it("imports point down only", () => {
    const wrong: string[] = [];
    for (const f of files(SRC)) {
      const own = RANK[layerOf(f)];
      for (const m of readFileSync(f, "utf8").matchAll(/from\s+"(\.[^"]+)"/g)) {
        const target = layerOf(resolve(dirname(f), m[1]));
        // panels show tool settings (the brush modes): a type import from tools is allowed there.
        if (RANK[target] > own && !(layerOf(f) === "panels" && target === "tools")) wrong.push(`${relative(SRC, f)} imports ${m[1]}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
