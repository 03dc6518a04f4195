/**
 * Money amounts named in an inquiry, in SEK, so that routing can respect what actors actually do
 * (SEK finances large export credits, not a few hundred thousand kronor).
 * Rough on purpose: it only has to tell "300 000 kr" from "40 MSEK" or "USD 5 million".
 */
const RATES: Record<string, number> = { sek: 1, kr: 1, kronor: 1, usd: 10, dollar: 10, dollars: 10, eur: 11, euro: 11, euros: 11, nok: 1, dkk: 1.5, gbp: 13 };

const AMOUNT = new RegExp(
  String.raw`(?:(usd|eur|sek|gbp|nok|dkk|\$|€)\s*)?` + // currency before
    String.raw`(\d{1,3}(?:[\s\u00a0.,]\d{3})+|\d+(?:[.,]\d+)?)\s*` + // number, with thousands separators
    String.raw`(?:(miljarder|miljard|mdkr|mdr|miljoner|miljon|million|millions|billion|mkr|msek|musd|meur|mnok|mn|m|tkr|tusen|thousand|k)(?!\p{L}))?\s*` +
    String.raw`(kr|kronor|sek|usd|eur|euro|euros|dollars?|nok|dkk|gbp)?(?!\p{L})`,
  'giu',
);

const MULTIPLIERS: Record<string, { factor: number; currency?: string }> = {
  miljarder: { factor: 1e9 }, miljard: { factor: 1e9 }, mdkr: { factor: 1e9, currency: 'sek' }, mdr: { factor: 1e9 }, billion: { factor: 1e9 },
  miljoner: { factor: 1e6 }, miljon: { factor: 1e6 }, million: { factor: 1e6 }, millions: { factor: 1e6 }, mn: { factor: 1e6 }, m: { factor: 1e6 },
  mkr: { factor: 1e6, currency: 'sek' }, msek: { factor: 1e6, currency: 'sek' }, musd: { factor: 1e6, currency: 'usd' }, meur: { factor: 1e6, currency: 'eur' }, mnok: { factor: 1e6, currency: 'nok' },
  tkr: { factor: 1e3, currency: 'sek' }, tusen: { factor: 1e3 }, thousand: { factor: 1e3 }, k: { factor: 1e3 },
};

/** Every amount with a currency or a size word, converted roughly to SEK. */
export function amountsInSek(text: string): number[] {
  const amounts: number[] = [];
  for (const m of text.matchAll(AMOUNT)) {
    const [, before, digits, multiplierWord, after] = m;
    const multiplier = multiplierWord ? MULTIPLIERS[multiplierWord.toLowerCase()] : undefined;
    const currencyWord = (before ?? after ?? multiplier?.currency)?.toLowerCase().replace('$', 'usd').replace('€', 'eur');
    const grouped = /[\s\u00a0.,]\d{3}(?!\d)/.test(digits!) && !/[.,]\d{1,2}$/.test(digits!);
    // A bare number is a year, a count or a phone number, unless written in thousands ("300 000").
    if (!currencyWord && !multiplier && !grouped) continue;
    if (!currencyWord && multiplier && multiplierWord!.length <= 1) continue; // "5 m" alone is a length
    const value = grouped ? Number(digits!.replace(/[\s\u00a0.,]/g, '')) : Number(digits!.replace(',', '.'));
    if (!Number.isFinite(value)) continue;
    const rate = RATES[currencyWord ?? 'sek'] ?? 1;
    amounts.push(value * (multiplier?.factor ?? 1) * rate);
  }
  return amounts;
}
