// WebSub publisher side: tell the hub which feeds changed, without ever blocking or undoing a publish.
import { absolute } from '../model/paths';

/** POSTs hub.mode=publish for each changed feed; failures are logged, never thrown. */
export async function pingHub(hub: string, siteUrl: string, paths: readonly string[], fetcher: typeof fetch = fetch): Promise<void> {
  await Promise.all(
    paths.map(async (path) => {
      const topic = absolute(siteUrl, path);
      try {
        const res = await fetcher(hub, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': topic }).toString(),
        });
        if (!res.ok) console.warn(`WebSub hub answered ${res.status} for ${topic}`);
        await res.body?.cancel();
      } catch (err) {
        console.warn(`WebSub ping failed for ${topic}`, err);
      }
    }),
  );
}
