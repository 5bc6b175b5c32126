// Identifiers for new object and classification instances, made in the browser as the model makes
// them (labelspace.model.ontology.new_hash: secrets.token_hex(4), 8 lowercase hex characters), and
// their short forms for the objects list.

/** A fresh random 8-character lowercase hex identifier. */
export function newHash(): string {
  const bytes = new Uint8Array(4);
  crypto.getRandomValues(bytes);
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** The first `length` characters of a hash (6 unless told), to show in the objects list. */
export function shortId(hash: string, length = 6): string {
  return hash.slice(0, length);
}

/**
 * Short forms for many hashes at once: the shortest length from `minimum` (4) on at which they are
 * all different (the full hash where two share a longer prefix). Keyed by hash.
 */
export function shortIds(hashes: Iterable<string>, minimum = 4): Map<string, string> {
  const unique = [...new Set(hashes)];
  const longest = unique.reduce((n, h) => Math.max(n, h.length), 0);
  let length = Math.min(minimum, longest);
  while (length < longest && new Set(unique.map((h) => h.slice(0, length))).size < unique.length) length++;
  return new Map(unique.map((h) => [h, h.slice(0, length)]));
}
