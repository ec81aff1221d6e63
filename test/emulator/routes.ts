import type { RouteContext } from './context.js';
import { chat, generate } from './generate.js';
import { ps, remove, root, show, tags, version } from './model-routes.js';
import { pull } from './pull.js';
import type { FaultRoute } from './types.js';

type Handler = (ctx: RouteContext) => Promise<void>;

/** Ollama's routes that the emulator speaks, with the fault name each answers to. */
export const ROUTES: Record<string, { route: FaultRoute; methods: Record<string, Handler> }> = {
  '/': { route: 'root', methods: { GET: root, HEAD: root } },
  '/api/version': { route: 'version', methods: { GET: version, HEAD: version } },
  '/api/tags': { route: 'tags', methods: { GET: tags, HEAD: tags } },
  '/api/show': { route: 'show', methods: { POST: show } },
  '/api/pull': { route: 'pull', methods: { POST: pull } },
  '/api/delete': { route: 'delete', methods: { DELETE: remove } },
  '/api/ps': { route: 'ps', methods: { GET: ps } },
  '/api/generate': { route: 'generate', methods: { POST: generate } },
  '/api/chat': { route: 'chat', methods: { POST: chat } },
};
