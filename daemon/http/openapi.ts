import { ErrorBody } from '../schemas/api.js';
import { MUTATING } from './guards.js';

/**
 * What /docs/json says about errors. Every refusal has the one error shape; these helpers declare
 * it for the statuses a route can answer, so that tools generating clients from the document know
 * what a refusal looks like.
 */
export function errors(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody]));
}

/**
 * What any route may answer before its handler runs (guards, a malformed or slow request, an
 * oversized or non-JSON body) or from a fault inside the daemon.
 */
export function commonErrors(method: string): Record<number, typeof ErrorBody> {
  return errors(400, 401, 403, 408, 431, 500, ...(MUTATING.has(method) ? [413, 415, 507] : []));
}

/** The document's top level: who may call, and how. */
export const OPENAPI_INFO = {
  info: {
    title: 'Junmai daemon API',
    description: 'The local model manager and photo evaluator behind the Junmai Lightroom Classic plug-in. Every refusal is {success: false, error, code}.',
    license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
  },
  servers: [{ url: 'http://127.0.0.1:5100', description: 'the default address (JUNMAI_HOST, JUNMAI_PORT)' }],
  components: {
    securitySchemes: {
      bearerAuth: { type: 'http' as const, scheme: 'bearer', description: 'Required when JUNMAI_TOKEN is set or the daemon listens beyond loopback' },
    },
  },
  // Either the token or, on loopback without a token, nothing.
  security: [{ bearerAuth: [] as string[] }, {} as Record<string, string[]>],
};

/**
 * The zod provider emits an input and an output twin of every shared schema; only the twins some
 * operation refers to belong in the document.
 */
export function withoutUnusedSchemas<T extends object>(doc: T): T {
  const { components, ...rest } = doc as { components?: { schemas?: Record<string, unknown> } };
  if (!components?.schemas) return doc;
  const used = JSON.stringify(rest);
  const schemas = Object.fromEntries(Object.entries(components.schemas).filter(([name]) => used.includes(`"#/components/schemas/${name}"`)));
  return { ...doc, components: { ...components, schemas } };
}
