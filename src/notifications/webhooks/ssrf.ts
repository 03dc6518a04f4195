import dns from 'node:dns';
import net, { type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Server-side request forgery rules for webhook URLs. An admin types the URL, but the service sends
 * the requests from inside the network, so a URL must not reach loopback, private, link-local (the
 * cloud metadata service at 169.254.169.254 among them), carrier-grade NAT, unique-local or other
 * special addresses: only public unicast ones. The rule is checked when a subscription is saved and
 * again on every delivery against the address actually connected to (a DNS answer can change, and
 * a rebinding attack changes it on purpose): the request's own DNS lookup goes through `guardedLookup`.
 * IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry. Redirects are never followed.
 * WEBHOOK_ALLOW_PRIVATE=true lifts both rules (plain http, any address) for intranets and tests.
 */
export type Lookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemLookup: Lookup = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** What kind of address it is when it may not be called ("a loopback address"), or null for a public unicast address. */
export function forbiddenKind(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address);
  } catch {
    return 'not an IP address';
  }
  const range = parsed.range();
  if (range === 'unicast') return null;
  const names: Record<string, string> = {
    loopback: 'a loopback address', private: 'a private address', linkLocal: 'a link-local address (such as the cloud metadata service)',
    uniqueLocal: 'a unique-local (private) address', carrierGradeNat: 'a carrier-grade NAT address', unspecified: 'the unspecified address',
    broadcast: 'a broadcast address', multicast: 'a multicast address', reserved: 'a reserved address',
  };
  return names[range] ?? `a special-purpose address (${range})`;
}

/** Why the address may not be called ("127.0.0.1 is a loopback address"), or null. */
export function addressProblem(address: string): string | null {
  const kind = forbiddenKind(address);
  return kind ? `${address} is ${kind}` : null;
}

/** Why a name's answer may not be called ("x resolves to 10.1.2.3, a private address"), or null. */
function resolvedProblem(hostname: string, address: string): string | null {
  const kind = forbiddenKind(address);
  return kind ? `${hostname} resolves to ${address}, ${kind}` : null;
}

export class WebhookUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookUrlError';
  }
}

/** Checks a URL's form: https (unless private targets are allowed), no credentials, a host. Throws WebhookUrlError. */
export function checkUrlForm(url: string, allowPrivate: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookUrlError('Not a URL');
  }
  if (parsed.protocol !== 'https:' && !(allowPrivate && parsed.protocol === 'http:')) {
    throw new WebhookUrlError(allowPrivate ? 'Use an http or https URL' : 'Webhook URLs must use https');
  }
  if (parsed.username || parsed.password) throw new WebhookUrlError('No credentials in the URL: receivers verify the signature instead');
  if (parsed.hash) throw new WebhookUrlError('No #fragment in the URL');
  return parsed;
}

/** The URL's host as an IP literal (without IPv6 brackets), or null when it is a name. */
export function literalAddress(url: URL): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return net.isIP(host) ? host : null;
}

/** Every address the URL's host resolves to must be public (unless allowed). Throws WebhookUrlError. */
export async function checkUrlTarget(url: URL, allowPrivate: boolean, lookup: Lookup): Promise<void> {
  if (allowPrivate) return;
  const literal = literalAddress(url);
  const addresses = literal ? [literal] : await lookup(url.hostname).then((r) => r.map((a) => a.address), (error: NodeJS.ErrnoException) => {
    throw new WebhookUrlError(`${url.hostname} does not resolve (${error.code ?? error.message})`);
  });
  if (addresses.length === 0) throw new WebhookUrlError(`${url.hostname} does not resolve`);
  for (const address of addresses) {
    const problem = literal ? addressProblem(address) : resolvedProblem(url.hostname, address);
    if (problem) throw new WebhookUrlError(problem);
  }
}

/**
 * A `lookup` for http(s).request that refuses names resolving to any non-public address, so the
 * check covers the very address the socket connects to. Answers in both callback shapes Node uses
 * (`all: true` for happy-eyeballs connects, a single address otherwise).
 */
export function guardedLookup(lookup: Lookup): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname).then((addresses) => {
      if (addresses.length === 0) throw Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND' });
      for (const a of addresses) {
        const problem = resolvedProblem(hostname, a.address);
        if (problem) throw Object.assign(new WebhookUrlError(`refused: ${problem}`), { code: 'EADDRNOTALLOWED' });
      }
      const family = typeof options === 'object' && options?.family ? Number(options.family) : 0;
      const usable = family ? addresses.filter((a) => a.family === family) : addresses;
      if (typeof options === 'object' && options?.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, usable);
      else callback(null, usable[0]?.address ?? addresses[0]!.address, usable[0]?.family ?? addresses[0]!.family);
    }).catch((error: NodeJS.ErrnoException) => callback(error, '', 0));
  };
}
