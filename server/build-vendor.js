// Copies the browser builds of the npm dependencies into static/vendor/, so the server never
// fetches scripts from a CDN at run time. Run by .ci/install after `npm install`.
"use strict";
const fs = require("fs");
const path = require("path");

const here = __dirname;
const out = path.join(here, "static", "vendor");
const copies = [
  ["@zazuko/yasgui/build/yasgui.min.js", "yasgui/yasgui.min.js"],
  ["@zazuko/yasgui/build/yasgui.min.css", "yasgui/yasgui.min.css"],
  ["cytoscape/dist/cytoscape.min.js", "cytoscape/cytoscape.min.js"],
];

for (const [from, to] of copies) {
  const src = require.resolve(from, { paths: [here] });
  const dst = path.join(out, to);
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  fs.copyFileSync(src, dst);
  // Source maps are optional; copy them when the package ships them.
  if (fs.existsSync(src + ".map")) fs.copyFileSync(src + ".map", dst + ".map");
  console.log(`vendored ${from} -> static/vendor/${to}`);
}
const pkg = require(require.resolve("@zazuko/yasgui/package.json", { paths: [here] }));
// cytoscape's "exports" hides its package.json: read it from the package folder
const cyDir = path.dirname(path.dirname(require.resolve("cytoscape/dist/cytoscape.min.js", { paths: [here] })));
const cy = JSON.parse(fs.readFileSync(path.join(cyDir, "package.json"), "utf8"));
fs.writeFileSync(path.join(out, "VERSIONS.txt"),
  `@zazuko/yasgui ${pkg.version} (${pkg.license})\ncytoscape ${cy.version} (${cy.license})\n`);
