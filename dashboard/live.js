// /ws: the snapshot, then every event. On a drop it reconnects with ?since=&run= so nothing is missed;
// a restarted daemon answers with a fresh snapshot.
import { token, tokenProtocol } from './api.js';

export function connectLive({ onEvent, onState }) {
  let since;
  let run;
  let delay = 250;
  const open = () => {
    const url = new URL('/ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    if (since !== undefined && run !== undefined) {
      url.searchParams.set('since', String(since));
      url.searchParams.set('run', run);
    }
    const t = token.get();
    const ws = new WebSocket(url, t ? ['junmai', tokenProtocol(t)] : ['junmai']);
    ws.onopen = () => {
      delay = 250;
      onState('live');
    };
    ws.onmessage = (m) => {
      const e = JSON.parse(m.data);
      if (e.type === 'snapshot') run = e.data.run_id;
      since = e.seq;
      onEvent(e);
    };
    ws.onclose = (c) => {
      onState(c.code === 1001 ? 'restarting' : 'reconnecting');
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 4000);
    };
  };
  open();
}
