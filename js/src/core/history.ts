// A bounded undo/redo stack, for showing an undo at once while the kernel (which holds the real
// history of the label row) does it. Pushing clears what could be redone; past the limit the
// oldest entries go.

export class History<E> {
  private done: E[] = [];
  private undone: E[] = [];
  readonly limit: number;

  constructor(limit = 10_000) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`A history limit must be a whole number >= 0, got ${limit}.`);
    this.limit = limit;
  }

  push(entry: E): void {
    this.undone.length = 0;
    this.done.push(entry);
    if (this.done.length > this.limit) this.done.splice(0, this.done.length - this.limit);
  }

  /** The entry to undo (now redoable), or undefined when there is none. */
  undo(): E | undefined {
    const entry = this.done.pop();
    if (entry !== undefined) this.undone.push(entry);
    return entry;
  }

  /** The entry to redo (now undoable again), or undefined when there is none. */
  redo(): E | undefined {
    const entry = this.undone.pop();
    if (entry !== undefined) this.done.push(entry);
    return entry;
  }

  peekUndo(): E | undefined {
    return this.done[this.done.length - 1];
  }

  peekRedo(): E | undefined {
    return this.undone[this.undone.length - 1];
  }

  get undoCount(): number {
    return this.done.length;
  }

  get redoCount(): number {
    return this.undone.length;
  }

  clear(): void {
    this.done.length = 0;
    this.undone.length = 0;
  }
}
