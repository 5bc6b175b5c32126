// Claiming rows from a store: who is labelling which stage, the row held, and what to do with it
// (submit it, or in a review stage accept or reject it with a comment); when no row is free, a
// button to look again.

import type { WorkMessage } from "../protocol/messages";
import type { WorkState } from "../protocol/state";
import { button, el } from "./dom";

export class WorkPanel {
  readonly root = el("div", "ls-work");
  private readonly who = el("span", "ls-work-who");
  private readonly comment = el("input", "ls-work-comment");
  private readonly submit: HTMLButtonElement;
  private readonly accept: HTMLButtonElement;
  private readonly reject: HTMLButtonElement;
  private readonly claim: HTMLButtonElement;
  private busy = false;

  constructor(private readonly post: (msg: WorkMessage) => void) {
    const act = (action: WorkMessage["action"]) => () => {
      if (this.busy) return; // one click, one row: the next row's state re-enables the buttons
      this.busy = true;
      this.setDisabled(true);
      const comment = this.comment.value.trim();
      this.post(comment ? { kind: "work", action, comment } : { kind: "work", action });
      this.comment.value = "";
    };
    this.submit = button("Submit ✓", "Finish this row: it moves to the next stage, and the next row is claimed", act("submit"), "ls-button ls-work-submit");
    this.accept = button("Accept ✓", "Accept this row (it moves on) and claim the next", act("accept"), "ls-button ls-work-accept");
    this.reject = button("Reject ✗", "Send this row back to the first stage, with the comment, and claim the next", act("reject"), "ls-button ls-work-reject");
    this.claim = button("Look again", "Claim a row of this stage if one has become free", act("claim"), "ls-button ls-work-claim");
    this.comment.type = "text";
    this.comment.placeholder = "comment";
    this.comment.addEventListener("keydown", (e) => e.stopPropagation());
    this.root.append(this.who, this.comment, this.reject, this.accept, this.submit, this.claim);
    this.root.hidden = true;
  }

  render(work: WorkState | Record<string, never>): void {
    if (!("user" in work)) {
      this.root.hidden = true;
      return;
    }
    this.root.hidden = false;
    this.busy = false;
    this.setDisabled(false);
    const held = work.row_id !== null;
    this.who.textContent = `${work.user} · ${work.stage}` + (held ? ` · row ${work.row_id}` : " · nothing free") + (work.done ? ` · ${work.done} done` : "");
    this.submit.hidden = !held || !work.first;
    this.accept.hidden = this.reject.hidden = this.comment.hidden = !held || work.first;
    this.claim.hidden = held;
  }

  /** The kernel answered with an error (the row is still held): let the person try again. */
  ready(): void {
    this.busy = false;
    this.setDisabled(false);
  }

  private setDisabled(disabled: boolean): void {
    for (const b of [this.submit, this.accept, this.reject, this.claim]) b.disabled = disabled;
  }
}
