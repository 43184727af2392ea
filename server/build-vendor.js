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
fs.writeFileSync(path.join(out, "VERSIONS.txt"), `@zazuko/yasgui ${pkg.version} (${pkg.license})\n`);
