// The route's chunks from its bundle (see lib.rs); anything else from the network.
(() => {
  const link = document.querySelector('link[rel="preload"][href$=".bin"]');
  if (!link) return;
  const chunks = fetch(link.href, { credentials: "same-origin" })
    .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(r.status)))
    .then((buf) => {
      const headerLength = new DataView(buf).getUint32(0, true);
      const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, headerLength)));
      const byName = new Map();
      let at = 4 + headerLength;
      for (const [name, length] of header) {
        byName.set(name, new Uint8Array(buf, at, length));
        at += length;
      }
      return byName;
    })
    .catch(() => new Map());
  const network = window.fetch;
  window.fetch = function (input, init) {
    const url = input instanceof Request ? input.url : String(input);
    const name = url.slice(url.lastIndexOf("/") + 1);
    if (!name.endsWith(".wasm") || name.startsWith("portico.")) {
      return network.call(this, input, init);
    }
    return chunks.then((byName) => {
      const bytes = byName.get(name);
      if (!bytes) return network.call(window, input, init);
      byName.delete(name);
      return new Response(bytes, { headers: { "content-type": "application/wasm" } });
    });
  };
})();
