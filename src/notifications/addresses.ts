import type { Principal } from '../auth/service.js';
import type { ReferenceService } from '../reference/service.js';
import { badRequest, notFound, ProblemError } from '../shared/problems.js';
import type { Clock } from '../shared/clock.js';
import { EXPORT_CENTRE, type Directory, type OfficeAddress } from './directory.js';

/**
 * Notification addresses: where mail about new, at-risk and breached cases goes, per actor office (an
 * actor's presence in a county) and per county export centre (triage, breaches). Admins set them
 * everywhere, coordinators in their own counties. The export centre may also have a public contact,
 * which the company's receipt names as whom to call if nobody calls.
 */
export function createAddressService({ directory, reference, clock }: { directory: Directory; reference: ReferenceService; clock: Clock }) {
  function countyOf(input: string) {
    const county = reference.places.resolveCountyInput(input);
    if (!county) throw notFound(`No county "${input}". Use an ISO 3166-2 code (SE-M), an SCB code (12) or a name (Skåne).`);
    return county.code;
  }

  function checkScope(p: Principal, countyCode: string) {
    if (p.role === 'admin' || p.counties === null || p.counties.includes(countyCode)) return;
    throw new ProblemError(403, 'forbidden', 'Not allowed', `This key covers ${p.counties.join(', ')}; ${countyCode} is another county's: ask its coordinator or an admin.`);
  }

  const officeName = (office: string) => (office === EXPORT_CENTRE ? 'Regionalt exportcentrum' : reference.actor(office)?.name ?? office);

  function view(a: OfficeAddress) {
    return {
      county: reference.countyRef(a.countyCode)!, office: a.office, officeName: officeName(a.office),
      emails: a.emails, publicContact: a.publicContact, updatedAt: new Date(a.updatedAt).toISOString(), updatedBy: a.updatedBy,
    };
  }

  return {
    list(p: Principal, county?: string) {
      const only = county ? countyOf(county) : undefined;
      return directory.addresses()
        .filter((a) => (only ? a.countyCode === only : true))
        .filter((a) => p.role === 'admin' || p.counties === null || p.counties.includes(a.countyCode))
        .map(view);
    },

    set(p: Principal, countyInput: string, office: string, body: { emails: string[]; publicContact?: string | null | undefined }) {
      const countyCode = countyOf(countyInput);
      checkScope(p, countyCode);
      if (office !== EXPORT_CENTRE) {
        const actor = reference.actor(office);
        if (!actor) throw notFound(`No actor "${office}": use an actor id (see /v1/actors) or "${EXPORT_CENTRE}".`);
        if (!reference.presenceOf(office).some((x) => x.countyCode === countyCode)) {
          throw badRequest(`office: ${actor.name} has no office in ${reference.countyRef(countyCode)?.name}`, [{ name: 'params.office', reason: `${actor.name} takes no inquiries in ${countyCode}` }]);
        }
        if (body.publicContact) throw badRequest('body.publicContact: only the export centre has a public contact', [{ name: 'body.publicContact', reason: `Only for "${EXPORT_CENTRE}"` }]);
      }
      const emails = [...new Map(body.emails.map((e) => [e.toLowerCase(), e])).values()];
      const record: OfficeAddress = { countyCode, office, emails, publicContact: body.publicContact ?? null, updatedAt: clock(), updatedBy: p.keyId };
      directory.upsertAddress(record);
      return view(record);
    },

    remove(p: Principal, countyInput: string, office: string): void {
      const countyCode = countyOf(countyInput);
      checkScope(p, countyCode);
      if (!directory.deleteAddress(countyCode, office)) throw notFound(`No notification address for ${office} in ${countyCode}.`);
    },
  };
}

export type AddressService = ReturnType<typeof createAddressService>;
