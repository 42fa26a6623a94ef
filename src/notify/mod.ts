/**
 * End-of-run notifications: Slack, Microsoft Teams (Workflows) and signed generic JSON.
 *
 * @module
 */
export {
  formatElapsed,
  type RunEvent,
  runEvent,
  type RunEventInput,
  type RunOutcome,
} from "./event.ts";
export {
  notify,
  NOTIFY_ON,
  type NotifyOn,
  type NotifyOptions,
  type NotifyResult,
  parseNotifyOn,
  shouldNotify,
} from "./notify.ts";
export { parseWebhookSecret, type WebhookSecret } from "./sign.ts";
export {
  NOTIFY_KINDS,
  type NotifyKind,
  type NotifyTarget,
  notifyTargets,
  parseNotifyTarget,
  redactUrl,
  splitNotifyUrls,
} from "./target.ts";
export { reportRunEnd, RUN_END_VARIABLES, type RunEndConfig, runEndConfig } from "./run_end.ts";
