// Importing this module makes phoenix.js 1.7's LongPoll usable on Node:
//  * phoenix 1.7 resolves its `global` as `self || window || global`, and in
//    its ES module build that last `global` is its own (still undefined)
//    variable, so without a `self` every Ajax call throws;
//  * its Ajax only knows XMLHttpRequest (1.8 falls back to fetch).
// Import it BEFORE anything that imports phoenix: the globals are read when
// phoenix's module is evaluated. With it loaded, phoenix 1.8 also takes its
// XMLHttpRequest path instead of fetch.
import http from 'node:http';
import https from 'node:https';

const UNSENT = 0, OPENED = 1, DONE = 4;

// Just enough of XMLHttpRequest for phoenix.js's Ajax.xhrRequest: open,
// setRequestHeader, send, abort, timeout, onreadystatechange/onerror/ontimeout,
// readyState, status, responseText. Traffic goes through node:http (node:https
// for https:// URLs, trusting NodeXMLHttpRequest.ca when set).
export class NodeXMLHttpRequest {
  static sent = 0; // requests sent through this class, for tests to check
  static ca = undefined; // certificate authorities trusted for https:// (default: the system's)

  constructor() {
    this.readyState = UNSENT;
    this.status = 0;
    this.responseText = '';
    this.timeout = 0;
    this.onreadystatechange = null;
    this.onerror = null;
    this.ontimeout = null;
    this.onload = null;
    this._req = null;
    this._timer = null;
    this._done = false;
  }

  open(method, url) {
    this._method = method;
    this._url = new URL(url);
    this._headers = {};
    this.readyState = OPENED;
    this._done = false;
  }

  setRequestHeader(name, value) { this._headers[name] = value; }

  _finish(status, text, after) {
    if (this._done) return;
    this._done = true;
    clearTimeout(this._timer);
    this.status = status;
    this.responseText = text;
    this.readyState = DONE;
    if (this.onreadystatechange) this.onreadystatechange();
    if (after) after();
  }

  send(body) {
    NodeXMLHttpRequest.sent += 1;
    const u = this._url;
    const headers = { ...this._headers, Connection: 'close' };
    if (body !== null && body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
    const req = (this._url.protocol === 'https:' ? https : http).request({
      host: u.hostname, port: u.port, method: this._method, path: u.pathname + u.search, headers, agent: false,
      ca: NodeXMLHttpRequest.ca,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => this._finish(res.statusCode, Buffer.concat(chunks).toString('utf8'),
        () => this.onload && this.onload()));
      res.on('error', () => this._finish(0, '', () => this.onerror && this.onerror()));
    });
    this._req = req;
    req.on('error', () => this._finish(0, '', () => this.onerror && this.onerror()));
    if (this.timeout > 0) {
      this._timer = setTimeout(() => {
        req.destroy();
        this._finish(0, '', () => this.ontimeout && this.ontimeout());
      }, this.timeout);
    }
    if (body !== null && body !== undefined) req.write(body);
    req.end();
  }

  // Like a browser: an in-flight request completes (DONE, status 0) and is dropped.
  abort() {
    if (this._req && !this._done) {
      this._req.destroy();
      this._finish(0, '');
      this.readyState = UNSENT;
    }
  }
}

if (typeof globalThis.self === 'undefined') globalThis.self = globalThis;
if (typeof globalThis.XMLHttpRequest === 'undefined') globalThis.XMLHttpRequest = NodeXMLHttpRequest;
