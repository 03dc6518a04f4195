import fp from 'fastify-plugin';

/**
 * Request bodies are JSON (the import, in its own plugin, takes NDJSON). Two rules on top of Fastify's:
 * - `text/plain` is not a way to send JSON: Fastify's plain-text parser is removed, so such a body is a 415
 *   like any other content type we do not take, instead of a string that fails validation with a 400;
 * - an empty body with `Content-Type: application/json` is no body, not malformed JSON: many client libraries
 *   send the header on every POST, so body-less actions (`claim`, `release`, `erase`) must accept it. A route
 *   that needs a body still says so (400 naming `body`).
 * Parsing itself stays Fastify's own (secure-json-parse, refusing __proto__ and constructor poisoning).
 */
export default fp(
  async (app) => {
    const parseJson = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser(['application/json', 'text/plain']);
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      if ((body as string).trim() === '') return done(null, undefined);
      return parseJson(request, body as string, done);
    });
  },
  { name: 'bodies', dependencies: ['errors'] },
);
