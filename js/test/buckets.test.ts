// The shapes layer's buckets: predictions by confidence, most confident first, so that those shown
// at a threshold are a bucket's first ones; people's shapes spread by id.

import { describe, expect, it } from "vitest";
import { BUCKETS, MANUAL_BUCKETS, bucketOf, confidenceOf, groupByBucket, shownCount } from "../src/canvas/buckets";
import type { Annotation } from "../src/core/store";

const ann = (id: string, confidence: number | null): Annotation =>
  ({ key: `s/${id}`, id, meta: confidence === null ? null : { confidence, manual_annotation: false } }) as unknown as Annotation;
const isPrediction = (a: Annotation) => a.meta !== null;

describe("buckets", () => {
  it("puts predictions by confidence and people's shapes by id", () => {
    expect(bucketOf(ann("a", 0), true)).toBe(0);
    expect(bucketOf(ann("a", 0.05), true)).toBe(0);
    expect(bucketOf(ann("a", 0.1), true)).toBe(1);
    expect(bucketOf(ann("a", 0.999), true)).toBe(BUCKETS - 1);
    expect(bucketOf(ann("a", 1), true)).toBe(BUCKETS - 1);
    const manual = bucketOf(ann("abc", null), false);
    expect(manual).toBeGreaterThanOrEqual(BUCKETS);
    expect(manual).toBeLessThan(BUCKETS + MANUAL_BUCKETS);
    expect(bucketOf(ann("abc", null), false)).toBe(manual); // the same id, the same bucket
  });

  it("keeps each bucket's predictions most confident first and people's shapes in row order", () => {
    const items = [ann("p1", 0.31), ann("m1", null), ann("p2", 0.39), ann("p3", 0.35), ann("m2", null), ann("p4", 0.92)];
    const groups = groupByBucket(items, isPrediction);
    expect([...groups.keys()]).toEqual([...groups.keys()].sort((a, b) => a - b));
    expect(groups.get(3)!.map((a) => a.id)).toEqual(["p2", "p3", "p1"]);
    expect(groups.get(9)!.map((a) => a.id)).toEqual(["p4"]);
    const manual = [...groups].filter(([b]) => b >= BUCKETS).flatMap(([, list]) => list.map((a) => a.id));
    expect(manual.sort()).toEqual(["m1", "m2"]);
    const total = [...groups.values()].reduce((n, list) => n + list.length, 0);
    expect(total).toBe(items.length);
  });

  it("counts the predictions a threshold shows with a binary search", () => {
    const sorted = [0.39, 0.37, 0.35, 0.35, 0.33, 0.3].map((c, i) => ann(`p${i}`, c));
    expect(shownCount(sorted, 0)).toBe(6);
    expect(shownCount(sorted, 0.3)).toBe(6);
    expect(shownCount(sorted, 0.35)).toBe(4); // a prediction at the threshold is shown
    expect(shownCount(sorted, 0.36)).toBe(2);
    expect(shownCount(sorted, 0.4)).toBe(0);
    expect(shownCount([], 0.5)).toBe(0);
    for (let k = 0; k <= 40; k++) {
      const t = k / 100 + 0.3;
      expect(shownCount(sorted, t)).toBe(sorted.filter((a) => confidenceOf(a) >= t).length);
    }
  });
});
