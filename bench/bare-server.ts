import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { inquiryRequestSchema } from '../src/intake/schemas.js';

/** The baseline for the intake benchmark: the same body validation, no classification, no database. */
const app = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
app.setValidatorCompiler(validatorCompiler);
app.setSerializerCompiler(serializerCompiler);
app.post('/v1/inquiries', { schema: { body: inquiryRequestSchema } }, async (_request, reply) => reply.code(201).send({ ok: true }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3101) });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
