// The worker that halves decoded pictures off the page's thread (built into a string by build.mjs
// and started from it by halver.ts). Each message is a picture (transferred, closed here once read)
// and the number of the request; the answer is the halved picture (transferred) or null.

import { HalfCanvas } from "./halfSize";

const canvas = new HalfCanvas();
const scope = self as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(message: unknown, transfer: Transferable[]): void };

scope.onmessage = (e: MessageEvent<{ id: number; picture: VideoFrame }>) => {
  const { id, picture } = e.data;
  void canvas
    .halve(picture)
    .catch(() => null)
    .then((bitmap) => {
      picture.close();
      scope.postMessage({ id, bitmap }, bitmap ? [bitmap] : []);
    });
};
