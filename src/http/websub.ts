// WebSub publisher side: tell the hub which feeds changed, without ever blocking or undoing a publish.
import { absolute } from '../model/paths';

/** How one ping went, for the status endpoint. */
export interface PingOutcome {
  topic: string;
  ok: boolean;
  detail: string;
}

/** POSTs hub.mode=publish for each changed feed; failures (and a hub silent for `timeoutMs`) are reported, never thrown. */
export async function pingHub(hub: string, siteUrl: string, paths: readonly string[], timeoutMs: number): Promise<PingOutcome[]> {
  return Promise.all(
    paths.map(async (path) => {
      const topic = absolute(siteUrl, path);
      try {
        const res = await fetch(hub, {
          method: 'POST',
          // A hub that hangs must not hold the writer's alarm.
          signal: AbortSignal.timeout(timeoutMs),
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': topic }).toString(),
        });
        await res.body?.cancel();
        return { topic, ok: res.ok, detail: `HTTP ${res.status}` };
      } catch (err) {
        return { topic, ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
}
