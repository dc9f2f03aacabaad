// Renders /openapi.json as a plain list of endpoints, so the API reference works offline
// (the stock Swagger UI is loaded from a CDN). Built with textContent: no markup from data.
"use strict";

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

async function main() {
  const box = document.getElementById("endpoints");
  const spec = await (await fetch("/openapi.json")).json();
  for (const [path, ops] of Object.entries(spec.paths || {})) {
    for (const [method, op] of Object.entries(ops)) {
      const card = el("section", null, "panel");
      const head = el("h2");
      head.append(el("code", method.toUpperCase() + " " + path));
      card.append(head);
      if (op.summary) card.append(el("p", op.summary));
      if (op.description) card.append(el("p", op.description, "muted"));
      box.append(card);
    }
  }
}

main();
