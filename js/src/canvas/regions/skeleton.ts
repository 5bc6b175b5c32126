// Skeletons: the template's edges between nodes; invisible nodes drawn hollow and their edges
// dashed; every node is a handle.

import { type SkeletonGeom, moveSkeletonNode } from "../../core/shapes";
import { type Region, handle, strokePath, sx, sy } from "./region";

const NODE_RADIUS = 4;

export const skeletonRegion: Region<SkeletonGeom> = {
  draw(ctx, g, v, style) {
    const edges = style.spec.skeleton?.edges ?? [];
    const hiddenNode = (i: number) => g.nodes[i]?.visibility === "invisible";
    ctx.beginPath();
    for (const [a, b] of edges) {
      const p = g.nodes[a];
      const q = g.nodes[b];
      if (!p || !q || hiddenNode(a) || hiddenNode(b)) continue;
      ctx.moveTo(sx(v, p.x), sy(v, p.y));
      ctx.lineTo(sx(v, q.x), sy(v, q.y));
    }
    strokePath(ctx, style);
    ctx.beginPath();
    for (const [a, b] of edges) {
      const p = g.nodes[a];
      const q = g.nodes[b];
      if (!p || !q || !(hiddenNode(a) || hiddenNode(b))) continue;
      ctx.moveTo(sx(v, p.x), sy(v, p.y));
      ctx.lineTo(sx(v, q.x), sy(v, q.y));
    }
    strokePath(ctx, { ...style, prediction: true, selected: false, hovered: false });
    for (const n of g.nodes) {
      ctx.beginPath();
      ctx.arc(sx(v, n.x), sy(v, n.y), NODE_RADIUS, 0, Math.PI * 2);
      if (n.visibility === "invisible") {
        ctx.lineWidth = 1.5;
        ctx.strokeStyle = style.color;
        ctx.setLineDash([2, 2]);
        ctx.stroke();
        ctx.setLineDash([]);
      } else {
        ctx.fillStyle = style.color;
        ctx.fill();
        ctx.lineWidth = 1;
        ctx.strokeStyle = "rgba(0,0,0,0.7)";
        ctx.stroke();
      }
    }
  },
  handles: (g) => g.nodes.map((n, i) => handle("node", { x: n.x, y: n.y }, i)),
  drag: (start, h, p) => moveSkeletonNode(start, h.index, p),
};
