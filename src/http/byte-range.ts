// Byte ranges (RFC 9110 §14): reading a Range header, and answering one range of a whole-file answer as 206.

/** One range as a request asks for it, inclusive, before it is held to the file's size. */
export type RangeSpec = { start: number; end: number | null } | { suffix: number };

// "bytes=" then ranges, first-last, first- or -suffix, separated by commas.
const RANGES = /^bytes\s*=\s*(.+)$/i;
const SPEC = /^(\d{1,16})?-(\d{1,16})?$/;
// A header of hundreds of ranges is no player's; it is read as not a Range at all.
const MAX_SPECS = 100;

/** The ranges a Range header asks for, or null when it is not one a server need honour (it then sends the whole file). */
export function parseRange(header: string): RangeSpec[] | null {
  const m = RANGES.exec(header.trim());
  if (!m?.[1]) return null;
  const parts = m[1].split(',').map((p) => p.trim());
  if (parts.length > MAX_SPECS) return null;
  const out: RangeSpec[] = [];
  for (const part of parts) {
    const s = SPEC.exec(part);
    if (!s || (s[1] === undefined && s[2] === undefined)) return null;
    if (s[1] === undefined) out.push({ suffix: Number(s[2]) });
    else {
      const start = Number(s[1]);
      const end = s[2] === undefined ? null : Number(s[2]);
      if (end !== null && end < start) return null;
      out.push({ start, end });
    }
  }
  return out;
}

/** A range held to a file of `size` bytes: first and last byte, or null when none of it is in the file. */
export function bounded(r: RangeSpec, size: number): [number, number] | null {
  const [from, to] = 'suffix' in r ? [Math.max(0, size - r.suffix), size - 1] : [r.start, Math.min(r.end ?? size - 1, size - 1)];
  return from <= to ? [from, to] : null;
}

/**
 * The one range of a GET to answer from a whole-file 200, as a 206 (or a 416 when it lies past the
 * end); null to send the 200 as it is: no Range, several ranges (a server may answer those whole), an
 * If-Range the file no longer matches, a HEAD, or an answer that already is a range.
 */
export function partialOf(request: Request, whole: Response, size: number): Response | null {
  const header = request.headers.get('Range');
  if (header === null || request.method !== 'GET' || whole.status !== 200 || !whole.body) return null;
  const ifRange = request.headers.get('If-Range');
  if (ifRange !== null && ifRange !== whole.headers.get('ETag')) return null;
  const specs = parseRange(header);
  if (specs?.length !== 1) return null;
  const span = bounded(specs[0] as RangeSpec, size);
  const headers = new Headers(whole.headers);
  if (!span) {
    void whole.body.cancel();
    headers.set('Content-Range', `bytes */${size}`);
    headers.delete('Content-Type');
    return new Response(null, { status: 416, headers });
  }
  const [start, end] = span;
  let at = 0;
  const cut = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      const from = Math.max(0, start - at);
      const to = Math.min(chunk.byteLength, end + 1 - at);
      at += chunk.byteLength;
      if (to > from) controller.enqueue(chunk.subarray(from, to));
      if (at > end) controller.terminate();
    },
  });
  headers.set('Content-Range', `bytes ${start}-${end}/${size}`);
  return new Response(whole.body.pipeThrough(cut).pipeThrough(new FixedLengthStream(end - start + 1)), { status: 206, headers });
}
