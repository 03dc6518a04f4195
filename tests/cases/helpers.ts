import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, inquiry, type TestApp } from '../helpers/app.js';
import type { Config } from '../../src/config.js';
import type { NewApiKey } from '../../src/auth/service.js';

/** Messages whose routing is unambiguous, so tests can rely on where they land. */
export const LOAN = 'Hej! Vi behöver ett lån för att köpa en ny maskin till produktionen.'; // almi
export const UNCLEAR = 'Hej'; // triage: too little to route

export interface CaseWorld extends TestApp {
  tokens: {
    admin: string;
    almi: string; // caseworker at Almi, every county
    almi2: string; // a second Almi caseworker
    almiHalland: string; // Almi caseworker limited to Halland (SE-N)
    bs: string; // caseworker at Business Sweden
    coordSkane: string; // coordinator for Skåne (SE-M)
    coordHalland: string; // coordinator for Halland (SE-N)
    coordNational: string; // every county
    analyst: string;
    intake: string;
    metrics: string; // a Prometheus scraper
  };
  keyIds: Record<keyof CaseWorld['tokens'], string>;
  /** Submits an inquiry as a company would; returns its id. */
  submit(overrides?: Record<string, unknown>): Promise<string>;
  get(url: string, token: string | null, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, token: string | null, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

export async function caseWorld(overrides: Partial<Config> = {}): Promise<CaseWorld> {
  const t = await buildTestApp(overrides);
  const specs: Record<keyof CaseWorld['tokens'], NewApiKey> = {
    admin: { role: 'admin', label: 'Ops admin' },
    almi: { role: 'caseworker', label: 'Almi CRM', actorId: 'almi' },
    almi2: { role: 'caseworker', label: 'Almi second desk', actorId: 'almi' },
    almiHalland: { role: 'caseworker', label: 'Almi Halland', actorId: 'almi', counties: ['SE-N'] },
    bs: { role: 'caseworker', label: 'Business Sweden CRM', actorId: 'business-sweden' },
    coordSkane: { role: 'coordinator', label: 'Region Skåne', counties: ['SE-M'] },
    coordHalland: { role: 'coordinator', label: 'Region Halland', counties: ['SE-N'] },
    coordNational: { role: 'coordinator', label: 'Tillväxtverket', allCounties: true },
    analyst: { role: 'analyst', label: 'Analyst' },
    intake: { role: 'intake', label: 'Form backend' },
    metrics: { role: 'metrics', label: 'Prometheus' },
  };
  const tokens = {} as CaseWorld['tokens'];
  const keyIds = {} as CaseWorld['keyIds'];
  for (const [name, spec] of Object.entries(specs) as [keyof CaseWorld['tokens'], NewApiKey][]) {
    const { key, token } = t.app.apiKeys.create(spec, 'test');
    tokens[name] = token;
    keyIds[name] = key.id;
  }
  const auth = (token: string | null): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
  return {
    ...t, tokens, keyIds,
    async submit(o = {}) {
      const r = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'Skåne', message: LOAN, ...o }) });
      if (r.statusCode !== 201) throw new Error(`intake failed: ${r.statusCode} ${r.body}`);
      return r.json().id as string;
    },
    get: (url, token, headers = {}) => t.app.inject({ method: 'GET', url, headers: { ...auth(token), ...headers } }),
    post: (url, token, payload, headers = {}) =>
      t.app.inject({ method: 'POST', url, headers: { ...auth(token), ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) }),
  };
}

export const HOUR = 3_600_000;
