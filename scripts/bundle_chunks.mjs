// One file per route holding every WASM chunk its first page needs, precompressed.
//
// `cargo leptos build --split` splits shared code by the set of routes that use it, so a
// route's first page needs 30 to 150 small chunk files. Fetched one by one that is as many
// requests (a phone on HTTP/1.1 opens six connections at a time, and each request costs a
// round trip), and each file is compressed without the others' context. A route bundle is one
// request, and brotli over the chunks together is about 40 % smaller than over each alone.
// The page names its route's bundle, and a small script in the page's head (see
// `app/src/boot.js`) fetches it and answers the chunk loader's requests from it; chunks of pages
// reached later by client-side navigation are still fetched one by one, when needed.
//
// Usage: node scripts/bundle_chunks.mjs SITE_PKG_DIR HASH_FILE
// Writes `<route>.<hash>.bin` (+ .br, .gz) and `__route_bundles.<manifest hash>.json`, which
// maps the manifest's route view functions to their bundle's file name.
//
// Bundle layout: a u32 (little-endian) header length, the header (JSON: [[file name, bytes],
// …]), then each chunk's bytes in the header's order.

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const [pkg, hashFile] = process.argv.slice(2);
if (!pkg || !hashFile) {
  console.error("usage: node scripts/bundle_chunks.mjs SITE_PKG_DIR HASH_FILE");
  process.exit(2);
}
const hashes = Object.fromEntries(
  fs.readFileSync(hashFile, "utf8").split("\n").filter(Boolean).map((l) => l.split(":").map((s) => s.trim())),
);
const manifestName = hashes.manifest ? `__wasm_split_manifest.${hashes.manifest}.json` : "__wasm_split_manifest.json";
const manifest = JSON.parse(fs.readFileSync(path.join(pkg, manifestName), "utf8"));

// The same 22-character content hash cargo-leptos puts in names, so the server caches
// bundles for a year like every other hashed file.
const contentHash = (bytes) => crypto.createHash("sha256").update(bytes).digest("base64url").slice(0, 22);

const index = {};
let written = 0;
for (const [fn, chunks] of Object.entries(manifest)) {
  const route = /^__(.+_route)_view_\d+$/.exec(fn)?.[1];
  if (!route || chunks.length === 0) continue;
  const files = chunks.map((c) => `${c}.wasm`);
  const bodies = files.map((f) => fs.readFileSync(path.join(pkg, f)));
  const header = Buffer.from(JSON.stringify(files.map((f, i) => [f, bodies[i].length])));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const bundle = Buffer.concat([length, header, ...bodies]);
  const name = `${route}.${contentHash(bundle)}.bin`;
  const file = path.join(pkg, name);
  if (!fs.existsSync(`${file}.br`)) {
    fs.writeFileSync(file, bundle);
    fs.writeFileSync(`${file}.gz`, zlib.gzipSync(bundle, { level: 9 }));
    fs.writeFileSync(
      `${file}.br`,
      zlib.brotliCompressSync(bundle, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bundle.length,
        },
      }),
    );
    written++;
  }
  index[fn] = name;
}
const indexName = `__route_bundles.${hashes.manifest ?? "_"}.json`;
fs.writeFileSync(path.join(pkg, indexName), JSON.stringify(index));
console.log(`route bundles: ${Object.keys(index).length} routes, ${written} new files, index ${indexName}`);
