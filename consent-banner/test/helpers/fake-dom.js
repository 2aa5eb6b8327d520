// Just enough DOM for the banner's UI under Node: elements with attributes, children, events,
// focus and an open shadow root. Not a browser: Selenium tests in Chromium check the real thing.

class FakeElement extends EventTarget {
  constructor(doc, tag) {
    super();
    this.ownerDocument = doc;
    this.tagName = tag.toUpperCase();
    this.attrs = new Map();
    this.children = [];
    this.parent = null;
    this.text = "";
  }
  setAttribute(k, v) {
    this.attrs.set(k, String(v));
  }
  getAttribute(k) {
    return this.attrs.has(k) ? this.attrs.get(k) : null;
  }
  hasAttribute(k) {
    return this.attrs.has(k);
  }
  get id() {
    return this.getAttribute("id") ?? "";
  }
  get value() {
    return this.getAttribute("value") ?? "";
  }
  get checked() {
    return this.checkedState ?? this.hasAttribute("checked");
  }
  set checked(v) {
    this.checkedState = Boolean(v);
  }
  get textContent() {
    return this.text + this.children.map((c) => c.textContent).join("");
  }
  set textContent(v) {
    this.text = String(v);
    this.children = [];
  }
  append(...nodes) {
    for (const n of nodes) {
      if (typeof n === "string") {
        this.text += n;
        continue;
      }
      n.remove();
      n.parent = this;
      this.children.push(n);
    }
  }
  remove() {
    if (!this.parent) return;
    this.parent.children.splice(this.parent.children.indexOf(this), 1);
    this.parent = null;
  }
  get isConnected() {
    let n = this;
    while (n) {
      if (n === this.ownerDocument.body) return true;
      n = n.parent ?? n.host;
    }
    return false;
  }
  contains(other) {
    for (let n = other; n; n = n.parent) if (n === this) return true;
    return false;
  }
  get activeElement() {
    const a = this.ownerDocument.activeElement;
    return a && this.contains(a) ? a : null;
  }
  attachShadow() {
    this.shadowRoot = new FakeElement(this.ownerDocument, "#shadow-root");
    this.shadowRoot.host = this;
    return this.shadowRoot;
  }
  focus() {
    this.ownerDocument.activeElement = this;
  }
  click() {
    if (this.getAttribute("type") === "radio") {
      // A radio group: checking one unchecks the others of its name, as browsers do.
      const name = this.getAttribute("name");
      this.ownerDocument.body
        .findAll((e) => e.getAttribute("name") === name)
        .forEach((e) => {
          e.checked = false;
        });
      this.checked = true;
    }
    this.dispatchEvent(new Event("click", { bubbles: true }));
  }
  closest(selector) {
    const attr = /^\[([\w-]+)\]$/.exec(selector)?.[1];
    for (let n = this; n; n = n.parent) if (attr && n.hasAttribute(attr)) return n;
    return null;
  }
  findAll(predicate, out = []) {
    for (const c of [...this.children, ...(this.shadowRoot ? [this.shadowRoot] : [])]) {
      if (predicate(c)) out.push(c);
      c.findAll(predicate, out);
    }
    return out;
  }
  /** Depth-first search across shadow roots. */
  find(predicate) {
    for (const c of [...this.children, ...(this.shadowRoot ? [this.shadowRoot] : [])]) {
      if (predicate(c)) return c;
      const deeper = c.find(predicate);
      if (deeper) return deeper;
    }
    return null;
  }
}

export class FakeSheet {
  replaceSync(text) {
    this.text = text;
  }
}

/**
 * @param {{constructableSheets?: boolean}} [options]
 */
export function fakeDocument({ constructableSheets = true } = {}) {
  const doc = new EventTarget();
  doc.createElement = (tag) => new FakeElement(doc, tag);
  doc.body = new FakeElement(doc, "body");
  doc.activeElement = doc.body;
  doc.defaultView = constructableSheets ? { CSSStyleSheet: FakeSheet } : {};
  /** The element with this data-surge value, inside the banner's shadow root. */
  doc.surge = (name) => doc.body.find((e) => e.getAttribute?.("data-surge") === name);
  return doc;
}

/** A Storage over a Map; `broken: true` throws on every call like a blocked storage. */
export function fakeStorage({ broken = false } = {}) {
  const map = new Map();
  const guard =
    (fn) =>
    (...a) => {
      if (broken) throw new DOMException("blocked", "SecurityError");
      return fn(...a);
    };
  return {
    map,
    getItem: guard((k) => (map.has(k) ? map.get(k) : null)),
    setItem: guard((k, v) => void map.set(k, String(v))),
    removeItem: guard((k) => void map.delete(k)),
  };
}
