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
  if (r.type === "string" && r.format === "binary") t = "file (binary)";
  else if (r.format) t += " · " + r.format;
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

// The methods an OpenAPI path item may hold; its other keys (parameters,
// summary, servers) are not operations.
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

function render(doc) {
  document.getElementById("title").textContent = doc.info.title + " " + doc.info.version;
  document.getElementById("description").textContent = doc.info.description;
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
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
      // A request body is JSON or a multipart form (an upload: its fields
      // are the schema's properties, a file among them); each media type
      // the operation takes is shown with its fields.
      if (op.requestBody) {
        const request = el("div", { class: "request" });
        for (const [media, content] of Object.entries(op.requestBody.content || {})) {
          const [, r] = resolve(doc, content.schema);
          const form = media === "multipart/form-data" || media === "application/x-www-form-urlencoded";
          request.append(el("h4", {}, (form ? "Form fields" : "Request body") + " · ", el("code", {}, media),
            r && r.required ? " · required fields: " + r.required.join(", ") : ""), schemaTree(doc, content.schema, 0, new Set()));
        }
        body.append(request);
      }
      body.append(el("h4", {}, "Responses"));
      const rows = [];
      for (const [status, resp] of Object.entries(op.responses)) {
        // Media types other than JSON are named (the audio's WAV or MP3).
        const media = Object.keys(resp.content || {});
        const content = media.length ? resp.content[media[0]] : null;
        rows.push(el("tr", {}, el("td", { class: "status" }, status), el("td", {}, resp.description || ""),
          el("td", {}, media.some(m => m !== "application/json") ? el("div", {}, el("code", {}, media.join(", "))) : null,
            content ? schemaTree(doc, content.schema, 0, new Set()) : "")));
      }
      body.append(el("table", {}, ...rows));
      if (op.operationId) body.append(el("p", { class: "meta" }, "operationId ", el("code", {}, op.operationId)));
      // security: [] is a public operation; a list of schemes asks for one of them.
      const locked = Array.isArray(op.security) ? op.security.length > 0 : Array.isArray(doc.security) && doc.security.length > 0;
      const d = el("details", { class: "op", id: "op-" + (op.operationId || method + "-" + path), "data-operation-id": op.operationId || "",
        "data-search": (method + " " + path + " " + (op.summary || "") + " " + tag + " " + (op.operationId || "")).toLowerCase() },
        el("summary", {}, el("span", { class: "method " + method }, method), el("span", { class: "path" }, path),
          el("span", { class: "summary" }, op.summary || ""), locked ? el("span", { class: "lock" }, "needs credentials") : null),
        body);
      main.append(d);
    }
  }
  document.getElementById("filter").addEventListener("input", e => {
    const q = e.target.value.trim().toLowerCase();
    for (const d of document.querySelectorAll("details.op")) d.classList.toggle("hidden", q !== "" && !d.dataset.search.includes(q));
  });
  // A link to #op-<operationId> opens that operation.
  const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (target && target.tagName === "DETAILS") { target.open = true; target.scrollIntoView(); }
  document.documentElement.dataset.ready = "true";
}

fetch("/openapi.json").then(r => r.json()).then(render).catch(err => {
  document.getElementById("ops").textContent = "Could not load /openapi.json: " + err;
});
