import type { Classifier, Classification } from '../classification/classifier.js';
import type { PlaceDetection } from '../reference/places.js';
import type { ReferenceService } from '../reference/service.js';
import { badRequest, type InvalidParam } from '../shared/problems.js';
import { both } from '../shared/i18n.js';
import type { Router, RoutingDecision } from './router.js';

/**
 * The routing decision for one inquiry: locate (county) → classify (topics) → route (actor). Intake
 * stores what it decides; the preview shows it without storing; the evaluation measures it. All three
 * call this one function, so they cannot disagree.
 */

export interface Location { countyCode: string | null; municipalityCode: string | null; source: 'county' | 'municipality' | 'text' | null; detection: PlaceDetection | null }

/** What routing decides for an inquiry (nothing is stored). */
export interface RoutingOutcome { location: Location; classification: Classification; decision: RoutingDecision }

/** The parts of an inquiry that routing reads: never contact details. */
export interface RoutingRequest {
  county?: string | undefined;
  municipality?: string | undefined;
  subject?: string | undefined;
  message: string;
  employees?: number | undefined;
}

export interface RoutingDeciderDeps {
  reference: ReferenceService;
  classifier: Classifier;
  router: Router;
  triageThreshold: number;
}

export function createRoutingDecider(deps: RoutingDeciderDeps) {
  const { reference, classifier, router } = deps;
  const places = reference.places;

  /** County from the `county` field, else the `municipality` field, else place names in the text. */
  function locate(input: Pick<RoutingRequest, 'county' | 'municipality' | 'subject' | 'message'>): Location {
    const invalid: InvalidParam[] = [];
    let fromField: Location | null = null;
    if (input.county !== undefined) {
      const county = places.resolveCountyInput(input.county);
      if (!county) {
        invalid.push({ name: 'body.county', reason: both(`Unknown county "${input.county}": use an ISO 3166-2 code (SE-M), an SCB code (12) or a name (Skåne)`, `Okänt län "${input.county}": ange en ISO 3166-2-kod (SE-M), en SCB-kod (12) eller ett namn (Skåne)`) });
      }
      else fromField = { countyCode: county.code, municipalityCode: null, source: 'county', detection: null };
    }
    if (input.municipality !== undefined) {
      const municipality = places.resolveMunicipalityInput(input.municipality);
      if (!municipality) {
        invalid.push({ name: 'body.municipality', reason: both(`Unknown municipality "${input.municipality}": use its name (Lund) or SCB code (1281)`, `Okänd kommun "${input.municipality}": ange dess namn (Lund) eller SCB-kod (1281)`) });
      }
      else if (fromField && fromField.countyCode !== municipality.countyCode) {
        invalid.push({ name: 'body.municipality', reason: both(`${municipality.name} is not in ${input.county}`, `${municipality.name} ligger inte i ${input.county}`) });
      } else {
        fromField = { countyCode: municipality.countyCode, municipalityCode: municipality.code, source: fromField ? 'county' : 'municipality', detection: null };
      }
    }
    if (invalid.length > 0) throw badRequest(null, invalid);
    if (fromField) return fromField;
    const detection = places.detect(`${input.subject ?? ''}\n${input.message}`);
    return { countyCode: detection.countyCode, municipalityCode: detection.municipalityCode, source: detection.countyCode ? 'text' : null, detection };
  }

  function decide(input: RoutingRequest): RoutingOutcome {
    const location = locate(input);
    const text = `${input.subject ?? ''}\n${input.message}`;
    const classification = classifier.classify(text);
    const decision = router.route({
      classification, countyCode: location.countyCode, employees: input.employees ?? null, text, triageThreshold: deps.triageThreshold,
    });
    // One confidence everywhere (stored, shown to caseworkers, in the preview): the probability that
    // this decision, after the constraints, is right.
    return { location, classification: { ...classification, confidence: decision.confidence }, decision };
  }

  return { locate, decide };
}

export type RoutingDecider = ReturnType<typeof createRoutingDecider>;
