// The English strings. A host page replaces any of them with window.SurgeBanner = {strings: {...}}
// set before the banner's script (README: Strings). Placeholders in braces are filled in; every
// string is set as text, never as HTML.

export const STRINGS = Object.freeze({
  title: "Help {centre} with urgent computations?",
  intro: "{centre} asks to use this computer for the project “{name}”: {purpose}",
  what: "If you accept, small computations for this project run in the background, only while this page is open. Nothing runs until you choose.",
  cost: "It costs some of your CPU and, on a laptop or phone, battery. You can stop at any time.",
  details: "Details about {centre} and this project",
  newTab: "(opens in a new tab)",
  cpuLegend: "How much of your CPU may it use?",
  cpuOption: "{cpu} %",
  accept: "Accept",
  decline: "Decline",
  closeHint: "Escape closes this notice for now; nothing runs.",
  controlLabel: "Computing for {centre}",
  running: "Computing for “{name}” at {cpu} % CPU.",
  connecting: "Connecting to {centre}…",
  paused: "Paused while this page is hidden.",
  pausedLowBattery: "Paused: the battery is low. It goes on when the device charges.",
  blockedLowBattery: "Not started: this device is low on battery. Nothing runs.",
  blockedSaveData: "Not started: this device asks to save data. Nothing runs.",
  stopped: "Stopped. Nothing runs any more.",
  failed: "Could not start; nothing runs.",
  progress: "{tasks} tasks done, {time} CPU time",
  stop: "Stop",
  again: "Help again",
});
