// Renders /openapi.json for people. No framework and no network beyond this
// server, so it works offline; text is set with textContent, never as HTML.
"use strict";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c == null) continue;
    node.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return node;
}

function resolve(doc, s) {
  if (s && s.$ref) return [s.$ref.split("/").pop(), doc.components.schemas[s.$ref.split("/").pop()]];
  return [null, s];
}

function typeLabel(doc, s) {
  const [name, r] = resolve(doc, s);
  if (name) return name;
  if (!r) return "any";
  let t = Array.isArray(r.type) ? r.type.join(" | ") : (r.type || "any");
  if (r.type === "array" || (Array.isArray(r.type) && r.type.includes("array"))) t = "array of " + typeLabel(doc, r.items);
  if (r.enum) t += " (" + r.enum.map(v => v === null ? "null" : v).join(", ") + ")";
  if (r.format) t += " · " + r.format;
  const bounds = [];
  if (r.minLength != null || r.maxLength != null) bounds.push((r.minLength || 0) + "–" + r.maxLength + " chars");
  if (r.minimum != null || r.maximum != null) bounds.push((r.minimum ?? "") + "–" + (r.maximum ?? ""));
  if (r.pattern) bounds.push("pattern " + r.pattern);
  if (bounds.length) t += " [" + bounds.join(", ") + "]";
  return t;
}

function schemaTree(doc, s, depth, seen) {
  const [name, r] = resolve(doc, s);
  if (!r) return el("span", {}, "any");
  if (name && seen.has(name)) return el("span", { class: "type" }, name);
  const next = new Set(seen); if (name) next.add(name);
  const target = r.type === "array" ? resolve(doc, r.items)[1] : r;
  if (!target || !target.properties || depth > 3) return el("span", { class: "type" }, typeLabel(doc, s));
  const required = new Set(target.required || []);
  const list = el("ul", { class: "schema" });
  for (const [prop, ps] of Object.entries(target.properties)) {
    const [, pr] = resolve(doc, ps);
    list.append(el("li", {},
      el("code", {}, prop), " ", el("span", { class: "type" }, typeLabel(doc, ps)),
      // Response objects list every property as required; mark it on inputs only.
      required.has(prop) && target.additionalProperties !== false ? el("span", { class: "req" }, " required") : null,
      pr && pr.description ? el("span", { class: "summary" }, " — " + pr.description) : null,
      pr && (pr.properties || (pr.items && resolve(doc, pr.items)[1] && resolve(doc, pr.items)[1].properties)) && depth < 3
        ? schemaTree(doc, ps, depth + 1, next) : null));
  }
  return el("div", {}, el("span", { class: "type" }, (r.type === "array" ? "array of " : "") + (name || resolve(doc, r.items || {})[0] || "object")), list);
}

function render(doc) {
  document.getElementById("title").textContent = doc.info.title + " " + doc.info.version;
  document.getElementById("description").textContent = doc.info.description;
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || "other";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method: method.toUpperCase(), op });
    }
  }
  const main = document.getElementById("ops");
  const toc = document.getElementById("toc");
  main.textContent = "";
  for (const [tag, ops] of byTag) {
    toc.append(el("a", { href: "#tag-" + tag }, tag));
    main.append(el("h2", { id: "tag-" + tag }, tag));
    for (const { path, method, op } of ops) {
      const body = el("div", { class: "body" });
      if (op.parameters) {
        const rows = op.parameters.map(p => el("tr", {}, el("td", {}, el("code", {}, p.name)), el("td", {}, p.in),
          el("td", { class: "type" }, typeLabel(doc, p.schema)), el("td", {}, p.required ? "required" : "optional"), el("td", {}, p.description || "")));
        body.append(el("h4", {}, "Parameters"), el("table", {}, ...rows));
      }
      if (op.requestBody) {
        const s = op.requestBody.content["application/json"].schema;
        const [, r] = resolve(doc, s);
        body.append(el("h4", {}, "Request body" + (r && r.required ? " · required fields: " + r.required.join(", ") : "")), schemaTree(doc, s, 0, new Set()));
      }
      body.append(el("h4", {}, "Responses"));
      const rows = [];
      for (const [status, resp] of Object.entries(op.responses)) {
        const content = resp.content && Object.values(resp.content)[0];
        rows.push(el("tr", {}, el("td", { class: "status" }, status), el("td", {}, resp.description || ""),
          el("td", {}, content ? schemaTree(doc, content.schema, 0, new Set()) : "")));
      }
      body.append(el("table", {}, ...rows));
      const d = el("details", { class: "op", "data-search": (method + " " + path + " " + op.summary + " " + tag).toLowerCase() },
        el("summary", {}, el("span", { class: "method " + method }, method), el("span", { class: "path" }, path),
          el("span", { class: "summary" }, op.summary || ""), op.security ? el("span", { class: "lock" }, "🔒 credentials") : null),
        body);
      main.append(d);
    }
  }
  document.getElementById("filter").addEventListener("input", e => {
    const q = e.target.value.trim().toLowerCase();
    for (const d of document.querySelectorAll("details.op")) d.classList.toggle("hidden", q !== "" && !d.dataset.search.includes(q));
  });
}

fetch("/openapi.json").then(r => r.json()).then(render).catch(err => {
  document.getElementById("ops").textContent = "Could not load /openapi.json: " + err;
});
