// The official phoenix.js 1.8 client over long-poll on Node's fetch (its
// Ajax uses fetch when there is no XMLHttpRequest): chat with WebSocket
// users, presence, session expiry, and the longPollFallbackMs fallback.
// The 1.7 client, which needs XMLHttpRequest, is in longpoll-clients17.test.mjs.
import { longPollClientSuite } from './lib/longpoll-clients.mjs';

longPollClientSuite({ versions: ['1.8'], label: 'fetch' });
