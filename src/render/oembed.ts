// oEmbed 1.0 answers for our items: video (player iframe) or link (article), as JSON or XML.
import type { ItemRecord } from '../model/schema';
import { escapeHtml, finalXml } from './escape';
import { embedUrl, homeUrl, itemUrl, mediaUrl, namesOf, siteName, type Site } from './document';

export interface Limits {
  maxwidth?: number;
  maxheight?: number;
}

/**
 * Largest size within the limits that keeps the aspect ratio and never upscales. Limits always win:
 * where keeping the ratio would need less than a pixel, the other side is cut to its limit.
 */
export function fit(width: number, height: number, { maxwidth, maxheight }: Limits): { width: number; height: number } {
  let w = width;
  if (maxwidth !== undefined) w = Math.min(w, maxwidth);
  if (maxheight !== undefined) w = Math.min(w, Math.floor((maxheight * width) / height));
  w = Math.max(1, w);
  const h = Math.max(1, Math.floor((w * height) / width));
  return { width: w, height: maxheight === undefined ? h : Math.min(h, maxheight) };
}

/** The oEmbed response object; field order follows the spec's listing. */
export function oembedAnswer(site: Site, item: ItemRecord, limits: Limits): Record<string, string | number> {
  const first = namesOf(site, item).authors[0];
  const base: Record<string, string | number> = {
    version: '1.0',
    type: item.kind === 'video' && item.video ? 'video' : 'link',
    title: item.title,
    ...(first
      ? { author_name: item.authors.map((a) => a.name).join(', '), author_url: first.url ? mediaUrl(site, first.url) : first.page }
      : {}),
    provider_name: siteName(site),
    provider_url: homeUrl(site),
    cache_age: 3600,
  };
  if (item.image) {
    const t = fit(item.image.width, item.image.height, limits);
    Object.assign(base, { thumbnail_url: mediaUrl(site, item.image.url), thumbnail_width: t.width, thumbnail_height: t.height });
  }
  if (base.type === 'video' && item.video) {
    const { width, height } = fit(item.video.width, item.video.height, limits);
    const src = embedUrl(site, item);
    Object.assign(base, {
      html: `<iframe src="${escapeHtml(src)}" width="${width}" height="${height}" title="${escapeHtml(item.title)}" frameborder="0" allow="autoplay; fullscreen; picture-in-picture; encrypted-media" allowfullscreen referrerpolicy="strict-origin-when-cross-origin" loading="lazy"></iframe>`,
      width,
      height,
      duration: Math.round(item.video.duration),
      url: itemUrl(site, item),
    });
  } else {
    base.url = itemUrl(site, item);
  }
  return base;
}

/** The XML form: <oembed> with one element per field. */
export function oembedXml(answer: Record<string, string | number>): string {
  const fields = Object.entries(answer).map(([k, val]) => `  <${k}>${escapeHtml(String(val))}</${k}>`);
  return finalXml(`<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<oembed>\n${fields.join('\n')}\n</oembed>\n`);
}
