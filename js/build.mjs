// Bundle the front end: one ES module (and its CSS) per widget, inside the Python package.
import * as esbuild from "esbuild";

const out = "../src/labelspace/widget/static";
const widgets = {
  innotater: "src/widgets/innotater/index.ts",
  annotator: "src/widgets/annotator/index.ts",
};
for (const [name, entry] of Object.entries(widgets)) {
  await esbuild.build({
    entryPoints: { [name]: entry },
    bundle: true,
    format: "esm",
    minify: true,
    target: "es2021",
    outdir: out,
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
