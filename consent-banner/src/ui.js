// The banner and the small control shown while computing. Built with DOM calls inside an open
// shadow root, so the host page's CSS neither breaks it nor is touched by it. Text is only ever set
// as textContent. Styles come from a constructed stylesheet (CSSOM) or, where browsers lack
// adoptedStyleSheets, a <link> to the server's banner.css: neither needs 'unsafe-inline'.

import { format, formatDuration } from "./config.js";

/**
 * @param {object} o
 * @param {Document} o.doc
 * @param {import("./config.js").ProjectInfo} o.info
 * @param {Record<string,string>} o.strings the full table (defaults with the page's overrides)
 * @param {string} o.cssText the stylesheet, for adoptedStyleSheets
 * @param {string} o.cssUrl the same stylesheet on the server, the fallback
 */
export function createUi({ doc, info, strings, cssText, cssUrl }) {
  const t = (id, values = {}) =>
    format(strings[id], { centre: info.centre, name: info.name, purpose: info.purpose, ...values });
  const h = (tag, attrs = {}, ...children) => {
    const el = doc.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "text") el.textContent = v;
      else if (k === "on")
        for (const [type, fn] of Object.entries(v)) el.addEventListener(type, fn);
      else if (v !== false && v != null) el.setAttribute(k, v === true ? "" : String(v));
    }
    el.append(...children);
    return el;
  };

  const host = h("div", { "data-surge": "root" });
  const root = host.attachShadow({ mode: "open" });
  adoptStyles(doc, root, cssText, cssUrl, h);
  let restoreFocus = null;
  let banner = null;
  let control = null;

  function mount() {
    if (!host.isConnected) doc.body.append(host);
  }

  /**
   * Shows the question. Focus moves into it and returns where it was when it closes.
   * @param {{onAccept: (cpu: number) => void, onDecline: () => void, onDismiss: () => void}} handlers
   */
  function showBanner({ onAccept, onDecline, onDismiss }) {
    hideBanner(false);
    const levels = info.cpuLevels;
    // The lowest level is preselected: the visitor opts into more, never out of it.
    const inputs = levels.map((cpu, i) =>
      h("input", {
        type: "radio",
        name: "surge-cpu",
        value: cpu,
        checked: i === 0,
        "data-surge": `cpu-${cpu}`,
      }),
    );
    const radios = levels.map((cpu, i) =>
      h("label", { class: "level" }, inputs[i], h("span", { text: t("cpuOption", { cpu }) })),
    );
    const chosenCpu = () => Number(inputs.find((input) => input.checked)?.value ?? levels[0]);
    banner = h(
      "section",
      {
        class: "banner",
        role: "dialog",
        "aria-modal": "false",
        "aria-labelledby": "surge-title",
        "aria-describedby": "surge-desc",
        tabindex: "-1",
        "data-surge": "banner",
        on: {
          keydown: (e) => {
            if (e.key !== "Escape") return;
            e.stopPropagation();
            hideBanner();
            onDismiss();
          },
        },
      },
      h("h2", { id: "surge-title", text: t("title") }),
      h(
        "div",
        { id: "surge-desc" },
        h("p", { text: t("intro") }),
        h("p", { text: t("what") }),
        h("p", { text: t("cost") }),
      ),
      h(
        "a",
        { href: info.detailsUrl, target: "_blank", rel: "noopener", "data-surge": "details" },
        t("details"),
        // Said by screen readers, not shown: the link leaves the page for a new tab.
        h("span", { class: "sr-only", text: ` ${t("newTab")}` }),
      ),
      h("fieldset", { class: "levels" }, h("legend", { text: t("cpuLegend") }), ...radios),
      h(
        "div",
        { class: "actions" },
        h("button", {
          type: "button",
          "data-surge": "decline",
          text: t("decline"),
          on: { click: () => (hideBanner(), onDecline()) },
        }),
        h("button", {
          type: "button",
          "data-surge": "accept",
          text: t("accept"),
          on: { click: () => (hideBanner(), onAccept(chosenCpu())) },
        }),
      ),
      h("p", { class: "hint", text: t("closeHint") }),
    );
    root.append(banner);
    mount();
    restoreFocus = doc.activeElement && doc.activeElement !== doc.body ? doc.activeElement : null;
    banner.focus({ preventScroll: true });
  }

  function hideBanner(giveFocusBack = true) {
    if (!banner) return;
    const hadFocus = root.activeElement != null;
    banner.remove();
    banner = null;
    if (giveFocusBack && hadFocus && restoreFocus?.isConnected) {
      restoreFocus.focus({ preventScroll: true });
    }
    restoreFocus = null;
  }

  let statusEl, progressEl, stopButton;

  /**
   * Shows the persistent control: status (announced politely), progress, and Stop.
   * @param {{onStop: () => void, onAgain: () => void}} handlers
   */
  function showControl({ onStop, onAgain }) {
    control?.remove();
    statusEl = h("p", { class: "status", "data-surge": "status" });
    // Counters change often: not a live region, or screen readers would talk all the time.
    progressEl = h("p", { class: "progress", "data-surge": "progress" });
    stopButton = h("button", {
      type: "button",
      "data-surge": "stop",
      text: t("stop"),
      on: { click: () => (stopped ? onAgain() : onStop()) },
    });
    const live = h("div", { role: "status", "aria-live": "polite" }, statusEl);
    control = h(
      "section",
      { class: "control", "aria-label": t("controlLabel"), "data-surge": "control" },
      live,
      progressEl,
      stopButton,
    );
    root.append(control);
    mount();
    stopped = false;
  }

  let stopped = false;

  /**
   * @param {"connecting"|"running"|"paused"|"pausedLowBattery"|"blockedLowBattery"|"blockedSaveData"|"stopped"|"failed"} state
   * @param {{cpu?: number}} [values]
   */
  function setStatus(state, values = {}) {
    if (!control) return;
    statusEl.textContent = t(state, values);
    control.setAttribute("data-state", state);
    stopped = state === "stopped" || state === "failed";
    stopButton.textContent = t(stopped ? "again" : "stop");
  }

  /** @param {{tasksDone: number, cpuMillis: number}} stats */
  function setProgress({ tasksDone, cpuMillis }) {
    if (!control) return;
    progressEl.textContent = t("progress", { tasks: tasksDone, time: formatDuration(cpuMillis) });
  }

  function hideControl() {
    control?.remove();
    control = null;
  }

  return { showBanner, hideBanner, showControl, hideControl, setStatus, setProgress, host };
}

function adoptStyles(doc, root, cssText, cssUrl, h) {
  const view = doc.defaultView;
  try {
    if (view?.CSSStyleSheet && "adoptedStyleSheets" in root) {
      const sheet = new view.CSSStyleSheet();
      sheet.replaceSync(cssText);
      root.adoptedStyleSheets = [sheet];
      return;
    }
  } catch {
    // fall through to the stylesheet link
  }
  root.append(h("link", { rel: "stylesheet", href: cssUrl }));
}
