// The compressed packets of the keyframe groups a video's source has fetched, kept in the page up to
// a budget in bytes (least recently used groups go first). Packets are small next to decoded
// pictures (a minute of 1080p at 5 Mbit/s is under 40 MB), so going back to a part of the video seen
// before (a jump, a row of the timeline clicked) decodes at once instead of asking the kernel again.

import type { VideoPart } from "../protocol/messages";

export const PACKET_BYTES = 128 * 1024 * 1024;

interface Group {
  first: number;
  last: number;
  parts: ([VideoPart, DataView] | undefined)[];
  bytes: number;
}

export class PacketCache {
  private readonly groups = new Map<number, Group>();
  private total = 0;

  constructor(private readonly limit = PACKET_BYTES) {}

  /** Bytes of packets kept. */
  get bytes(): number {
    return this.total;
  }

  /** Part `part` of the group holding `frame`, if it was kept. */
  get(frame: number, part: number): [VideoPart, DataView] | null {
    for (const [key, group] of this.groups) {
      if (frame < group.first || frame > group.last) continue;
      const hit = group.parts[part];
      if (!hit) return null;
      this.groups.delete(key); // most recently used last
      this.groups.set(key, group);
      return hit;
    }
    return null;
  }

  /** Keep a part the kernel sent; the least recently used groups go while over the budget. */
  put(header: VideoPart, data: DataView): void {
    if (header.error) return;
    let group = this.groups.get(header.group);
    if (group && (group.first !== header.first || group.last !== header.last)) {
      this.drop(header.group); // the video's groups changed (it was rewritten): start again
      group = undefined;
    }
    if (!group) {
      group = { first: header.first, last: header.last, parts: [], bytes: 0 };
      this.groups.set(header.group, group);
    }
    if (group.parts[header.part]) return;
    group.parts[header.part] = [header, data];
    group.bytes += data.byteLength;
    this.total += data.byteLength;
    for (const key of this.groups.keys()) {
      if (this.total <= this.limit || key === header.group) break;
      this.drop(key);
    }
  }

  clear(): void {
    this.groups.clear();
    this.total = 0;
  }

  private drop(key: number): void {
    const group = this.groups.get(key);
    if (!group) return;
    this.total -= group.bytes;
    this.groups.delete(key);
  }
}
