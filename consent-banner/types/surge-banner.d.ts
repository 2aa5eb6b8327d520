// Hand-written types of what the banner adds to a host page: window.SurgeBanner (set by the page,
// before the script), window.SurgeConsent (set by the banner) and its DOM events.

export type SurgeStringId =
  | "title"
  | "intro"
  | "what"
  | "cost"
  | "details"
  | "newTab"
  | "cpuLegend"
  | "cpuOption"
  | "accept"
  | "decline"
  | "closeHint"
  | "controlLabel"
  | "running"
  | "connecting"
  | "paused"
  | "pausedLowBattery"
  | "blockedLowBattery"
  | "blockedSaveData"
  | "stopped"
  | "failed"
  | "progress"
  | "stop"
  | "again";

/** Set by the host page before the banner's script; any other key is a configuration error. */
export interface SurgeBannerOptions {
  strings?: Partial<Record<SurgeStringId, string>>;
}

export type SurgeStatus = "accepted" | "declined" | "stopped" | "unknown";

/** The stored choice (localStorage `surge-consent:{project}`). */
export interface SurgeConsentRecord {
  choice: "accepted" | "declined" | "stopped";
  /** percent; 0 unless accepted */
  cpu: number;
  revision: number;
  /** ISO-8601 */
  decidedAt: string;
  /** ISO-8601: asked again after it */
  expiresAt: string;
  token?: string;
  tokenExpiresAt?: string;
  /** the visitor's total for the project on this site; outlives each decision */
  contributed?: { tasks: number; cpuMillis: number };
}

/** window.SurgeConsent. No member throws; a misuse is one console warning. */
export interface SurgeConsentApi {
  readonly version: string;
  readonly project: string;
  status(): SurgeStatus;
  /** the accepted CPU level, 0 when nothing may run */
  acceptedCpu(): number;
  /** accepts at one of the offered levels and starts computing */
  accept(cpu: number): void;
  decline(): void;
  /** stops at once and withdraws the acceptance */
  stop(): void;
  /** stops anything running, forgets the choice and asks again */
  reset(): void;
  /** shows the question again */
  show(): void;
}

export interface SurgeChangeDetail {
  project: string;
  record: SurgeConsentRecord | null;
  previous: SurgeConsentRecord | null;
}

declare global {
  interface Window {
    SurgeBanner?: SurgeBannerOptions;
    SurgeConsent?: SurgeConsentApi;
  }
  interface DocumentEventMap {
    "surge:ready": CustomEvent<{ project: string; status: SurgeStatus }>;
    "surge:show": CustomEvent<{ project: string }>;
    "surge:dismiss": CustomEvent<{ project: string }>;
    "surge:consent": CustomEvent<SurgeChangeDetail>;
    "surge:decline": CustomEvent<SurgeChangeDetail>;
    "surge:stop": CustomEvent<SurgeChangeDetail>;
    "surge:change": CustomEvent<SurgeChangeDetail>;
    "surge:progress": CustomEvent<{
      project: string;
      tasksDone: number;
      tasksFailed: number;
      cpuMillis: number;
      /** all visits together */
      total: { tasks: number; cpuMillis: number };
    }>;
  }
}
