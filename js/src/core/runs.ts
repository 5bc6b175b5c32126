// Runs of frames, sorted by start: finding the one that holds a frame.

/** The run of `runs` (sorted by start) holding `frame`, or null. */
export function runAt<R extends { start: number; end: number }>(runs: R[], frame: number): R | null {
  let lo = 0;
  let hi = runs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = runs[mid];
    if (frame < r.start) hi = mid - 1;
    else if (frame > r.end) lo = mid + 1;
    else return r;
  }
  return null;
}
