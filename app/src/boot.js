// The page first, then the app (see lib.rs): the app's files are fetched once the page has
// painted, and a route's chunks come out of its bundle rather than one request each.
(() => {
  const named = (name) => {
    const meta = document.querySelector(`meta[name="${name}"]`);
    return meta ? meta.content.split(" ").filter(Boolean) : [];
  };

  // Once the browser reports the first contentful paint (an animation frame can run before
  // its frame reaches the screen); a hidden tab paints nothing and need not wait, and a
  // browser without paint timing waits for two frames. Three seconds is the backstop.
  const painted = new Promise((resolve) => {
    if (document.visibilityState === "hidden") return resolve();
    document.addEventListener("visibilitychange", resolve, { once: true });
    setTimeout(resolve, 3000);
    const observer = window.PerformanceObserver;
    if (observer && (observer.supportedEntryTypes || []).includes("paint")) {
      new observer((list, self) => {
        if (list.getEntriesByName("first-contentful-paint").length) {
          self.disconnect();
          resolve();
        }
      }).observe({ type: "paint", buffered: true });
    } else {
      const frames = () => requestAnimationFrame(() => requestAnimationFrame(resolve));
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", frames, { once: true });
      } else {
        frames();
      }
    }
  });

  const readBundle = (buf) => {
    const headerLength = new DataView(buf).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, headerLength)));
    const byName = new Map();
    let at = 4 + headerLength;
    for (const [name, length] of header) {
      byName.set(name, new Uint8Array(buf, at, length));
      at += length;
    }
    return byName;
  };

  const preload = (href, rel, as) => {
    const link = document.createElement("link");
    link.rel = rel;
    link.href = href;
    if (as) link.as = as;
    link.crossOrigin = "anonymous";
    document.head.appendChild(link);
  };

  const chunks = painted.then(() => {
    const files = named("portico-chunks");
    for (const href of files.filter((f) => f.endsWith(".wasm"))) preload(href, "preload", "fetch");
    const bundle = files.find((f) => f.endsWith(".bin"));
    if (!bundle) return new Map();
    return fetch(bundle, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(r.status)))
      .then(readBundle)
      .catch(() => new Map());
  });

  // The split build's loader fetches each chunk by name; a chunk in the bundle needs no
  // request of its own. The main module, and any chunk the bundle lacks, use the network.
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

  const [js, wasm, loader] = named("portico-app");
  if (!js || !wasm) return;
  painted.then(() => {
    if (loader) preload(loader, "modulepreload");
    const module = network.call(window, wasm, { credentials: "same-origin" });
    import(js)
      .then((app) => app.default({ module_or_path: module }).then(() => app.hydrate()))
      .catch((error) => console.error("Portico could not start:", error));
  });
})();
