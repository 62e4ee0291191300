// Keeping the design: autosaved in localStorage, saved to and opened from a JSON file, and shared as a
// URL whose fragment holds the design, deflated and base64url-encoded (the fragment never reaches a
// server).

import { defaultDesign, type Design } from './design';

const STORAGE_KEY = 'lagom-designer/design';
const FRAGMENT_KEY = 'design=';

/** A design read back from JSON: the saved fields over the defaults, so older saves still open. */
export function reviveDesign(value: unknown): Design {
  if (value === null || typeof value !== 'object' || (value as { version?: unknown }).version !== 1) {
    throw new Error('not a Lagom designer workspace (expected {"version": 1, "plan": …})');
  }
  const defaults = defaultDesign();
  const saved = value as Partial<Design>;
  return {
    ...defaults,
    ...saved,
    preview: { ...defaults.preview, ...saved.preview },
    generator: { ...defaults.generator, ...saved.generator },
  };
}

export function saveLocally(design: Design): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(design));
  } catch {
    // Storage full or disabled: autosave is best effort, the file and URL exports still work.
  }
}

export function loadLocally(): Design | null {
  try {
    const text = localStorage.getItem(STORAGE_KEY);
    return text ? reviveDesign(JSON.parse(text)) : null;
  } catch {
    return null;
  }
}

/** Offers the design as a JSON file download. */
export function downloadDesign(design: Design): void {
  const blob = new Blob([`${JSON.stringify(design, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `${design.plan.code || 'plan'}.lagom.json`;
  link.click();
  URL.revokeObjectURL(url);
}

async function streamBytes(bytes: Uint8Array<ArrayBuffer>, transform: CompressionStream | DecompressionStream): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The page's URL with the design in its fragment. */
export async function shareUrl(design: Design): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(design));
  const packed = await streamBytes(json, new CompressionStream('deflate-raw'));
  const url = new URL(window.location.href);
  url.hash = `${FRAGMENT_KEY}${toBase64Url(packed)}`;
  return url.toString();
}

/** The design a shared URL's fragment holds, if any. */
export async function designFromFragment(hash: string): Promise<Design | null> {
  const at = hash.indexOf(FRAGMENT_KEY);
  if (at < 0) return null;
  const bytes = await streamBytes(fromBase64Url(hash.slice(at + FRAGMENT_KEY.length)), new DecompressionStream('deflate-raw'));
  return reviveDesign(JSON.parse(new TextDecoder().decode(bytes)));
}
