import { createConfig, lintFromString } from '@redocly/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

let t: TestDaemon;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let doc: any;

beforeAll(async () => {
  t = await startTestDaemon({ installed: ['gemma3:4b'] });
  doc = (await t.req('GET', '/docs/json')).body;
});
afterAll(async () => t.close());

interface Operation {
  operationId?: string;
  summary?: string;
  parameters?: { in: string; name: string }[];
  responses: Record<string, { content?: { 'application/json'?: { schema?: { $ref?: string } } } }>;
}
const operations = (): [string, string, Operation][] =>
  Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, ms]) => Object.entries(ms).map(([m, op]) => [m, path, op] as [string, string, Operation]));

describe('the OpenAPI document at /docs/json', () => {
  it("passes Redocly's recommended lint rules with no error and no warning", async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'http://127.0.0.1/docs/json', config });
    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`)).toEqual([]);
  });

  it('gives every operation a unique operationId and a summary, and every error response the shared error schema', () => {
    const ops = operations();
    expect(ops.length).toBe(35);
    expect(new Set(ops.map(([, , op]) => op.operationId)).size).toBe(ops.length);
    for (const [method, path, op] of ops) {
      expect(op.summary, `${method} ${path}`).toMatch(/\w/);
      const errors = Object.entries(op.responses).filter(([status]) => Number(status) >= 400);
      expect(errors.map(([s]) => s), `${method} ${path}`).toEqual(expect.arrayContaining(['400', '401', '403', '500']));
      for (const [status, r] of errors) expect(r.content?.['application/json']?.schema?.$ref, `${method} ${path} ${status}`).toBe('#/components/schemas/ErrorBody');
    }
    expect(doc.components.schemas.ErrorBody.required).toEqual(['success', 'error', 'code']);
  });

  it('declares the bearer scheme, and names path parameters', () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearerAuth: [] }, {}]);
    expect(Object.keys(doc.paths).filter((p) => p.includes('{*}'))).toEqual([]);
    expect(doc.paths['/api/model/info/{name}'].get.parameters).toEqual([expect.objectContaining({ in: 'path', name: 'name', required: true })]);
  });

  it('serves a model by a name with slashes, encoded or not', async () => {
    for (const path of ['/api/model/info/gemma3:4b', '/api/model/info/library%2Fgemma3%3A4b', '/api/model/info/registry.ollama.ai/library/gemma3:4b']) {
      const r = await t.req('GET', path);
      expect(r.status, path).toBe(200);
      expect(r.body.model.name).toBe('gemma3:4b');
    }
  });
});
