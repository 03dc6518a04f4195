import { createHash } from 'node:crypto';
import { ProblemError } from '../shared/problems.js';

/**
 * HTTP conditional requests (RFC 9110 §13) for cases:
 * - a single case's ETag is its version, strong: `"7"`; actions compare `If-Match` strongly against it;
 * - a list's ETag is weak, a hash of the page as served; `If-None-Match` compares weakly.
 */
export const versionTag = (version: number) => `"${version}"`;

interface EntityTag { weak: boolean; opaque: string }

/** Parses `*` or a list of entity tags; a bare `7` is taken as `"7"` for hand-written curl calls. */
export function parseEntityTags(header: string): '*' | EntityTag[] {
  if (header.trim() === '*') return '*';
  const tags: EntityTag[] = [];
  for (const part of header.split(',')) {
    const m = /^\s*(W\/)?("?)([\x21\x23-\x7e]*)\2\s*$/.exec(part);
    if (m && m[3]) tags.push({ weak: Boolean(m[1]), opaque: m[3] });
  }
  return tags;
}

/** 412 unless If-Match (when sent) names the current version. */
export function checkIfMatch(header: string | undefined, version: number): void {
  if (header === undefined) return;
  const tags = parseEntityTags(header);
  if (tags === '*') return;
  if (tags.some((t) => !t.weak && t.opaque === String(version))) return;
  throw new ProblemError(412, 'precondition-failed', 'The case has changed',
    `The case is at version ${version}, not the one in If-Match: someone else changed it. Read it again, then retry if the action still makes sense.`,
    undefined, { etag: versionTag(version) });
}

/** Weak ETag of a response body. */
export function bodyTag(body: unknown): string {
  return `W/"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
}

/** If-None-Match with weak comparison: true when the client already has this representation. */
export function noneMatchHit(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const tags = parseEntityTags(header);
  if (tags === '*') return true;
  const ours = parseEntityTags(etag);
  return ours !== '*' && tags.some((t) => t.opaque === ours[0]!.opaque);
}
