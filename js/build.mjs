// Bundle the front end into one ES module (and its CSS) inside the Python package.
import * as esbuild from "esbuild";

const out = "../src/labelspace/widget/static";
await esbuild.build({
  entryPoints: { innotater: "src/index.ts" },
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2021",
  outdir: out,
  legalComments: "none",
  logLevel: "info",
});
await esbuild.build({
  entryPoints: { innotater: "src/style.css" },
  bundle: true,
  minify: true,
  outdir: out,
  logLevel: "info",
});
