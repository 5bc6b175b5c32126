// Bitmasks in the front end: one place to import the RLE codec, brush, polygon fill, dirty
// rectangles and whole-mask helpers from. Masks are row-major Uint8Arrays of 0/1 over the image.

export { encodeRle, decodeRle } from "./rle";
export { stampDisc, stampSegment } from "./brush";
export { fillPolygon, fillRings } from "./raster";
export { maskBounds, shiftMask, resizeMask, maskArea } from "./bitmap";
export { emptyRect, isEmptyRect, unionRect, type DirtyRect } from "./rect";
