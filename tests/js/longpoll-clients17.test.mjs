// The official phoenix.js 1.7 client over long-poll. Its Ajax needs
// XMLHttpRequest (and a `self` global), which Node lacks: the polyfill must
// be imported before phoenix is. With it, 1.8 takes its XMLHttpRequest path
// too, so 1.8 runs here again on XHR.
import './lib/xhr-polyfill.mjs';
import { longPollClientSuite } from './lib/longpoll-clients.mjs';

longPollClientSuite({ versions: ['1.7', '1.8'], label: 'xhr', fallbackVersions: ['1.7'] });
