// Bundle the front end: one ES module (and its CSS) per widget, inside the Python package.
import * as esbuild from "esbuild";

const out = "../src/labelspace/widget/static";
const widgets = {
  innotater: "src/widgets/innotater/index.ts",
  annotator: "src/widgets/annotator/index.ts",
};
// The worker that halves video pictures, started from a string in the widgets' bundle (halver.ts).
const worker = await esbuild.build({
  entryPoints: ["src/media/halfWorker.ts"],
  bundle: true,
  format: "iife",
  minify: true,
  target: "es2021",
  write: false,
  legalComments: "none",
  logLevel: "warning",
});
const define = { LABELSPACE_HALF_WORKER: JSON.stringify(worker.outputFiles[0].text) };
for (const [name, entry] of Object.entries(widgets)) {
  await esbuild.build({
    entryPoints: { [name]: entry },
    bundle: true,
    format: "esm",
    minify: !process.env.NOMINIFY, // NOMINIFY=1 keeps names readable in a profile
    target: "es2021",
    outdir: out,
    define,
    legalComments: "none",
    logLevel: "warning",
  });
  await esbuild.build({
    entryPoints: { [name]: entry.replace(/index\.ts$/, "style.css") },
    bundle: true,
    minify: true,
    outdir: out,
    logLevel: "warning",
  });
}
