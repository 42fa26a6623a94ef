// Run with --allow-net=127.0.0.1 only: notifies a Slack URL the permission does not cover.
import { runEvent } from "../../src/notify/event.ts";
import { notify } from "../../src/notify/notify.ts";

const r = await notify(
  ["https://hooks.slack.com/services/T0/B0/NOTPERMITTEDSECRET"],
  runEvent({ version: "0", elapsedSeconds: 0, finishedAtMs: 0 }),
  { attempts: 3, backoffMs: 0 },
);
console.log(JSON.stringify(r));
