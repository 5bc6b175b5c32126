// How the shapes layer spreads annotations over its cached bitmaps: predictions by confidence (so
// that moving the threshold redraws one bitmap), people's shapes by id (so that an edit redraws a
// share of them). Predictions in a bucket are kept most confident first: those shown at a
// threshold are the first ones, found by a binary search.

import type { Annotation } from "../core/store";

/** Predictions are cached in this many bitmaps by confidence. */
export const BUCKETS = 10;
/** People's shapes are spread over this many bitmaps. */
export const MANUAL_BUCKETS = 4;

export const confidenceOf = (a: Annotation): number => a.meta?.confidence ?? 0;

/** The bucket of an annotation: 0..BUCKETS-1 for predictions, then BUCKETS.. for people's shapes. */
export function bucketOf(a: Annotation, prediction: boolean): number {
  if (!prediction) {
    let h = 0;
    for (let i = 0; i < a.id.length; i++) h = (h * 31 + a.id.charCodeAt(i)) | 0;
    return BUCKETS + (Math.abs(h) % MANUAL_BUCKETS);
  }
  return Math.min(BUCKETS - 1, Math.max(0, Math.floor(confidenceOf(a) * BUCKETS)));
}

/** Annotations grouped by bucket, in bucket order; predictions most confident first, the rest in row order. */
export function groupByBucket(items: Iterable<Annotation>, isPrediction: (a: Annotation) => boolean): Map<number, Annotation[]> {
  const groups = new Map<number, Annotation[]>();
  for (const a of items) {
    const b = bucketOf(a, isPrediction(a));
    let list = groups.get(b);
    if (!list) groups.set(b, (list = []));
    list.push(a);
  }
  for (const [b, list] of groups) if (b < BUCKETS) list.sort((x, y) => confidenceOf(y) - confidenceOf(x));
  return new Map([...groups].sort((x, y) => x[0] - y[0]));
}

/** How many of a bucket's predictions (most confident first) reach `threshold`. */
export function shownCount(sorted: Annotation[], threshold: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (confidenceOf(sorted[mid]) >= threshold) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
