// One HTTP request over node:http to a test server on loopback, with every header exactly as
// given (Host, Origin, Authorization) and the client's own loopback address (`from`).
// Resolves with { status, headers, body, json }; json is undefined when the body is not JSON.
import http from 'node:http';
import { DEFAULT_TIMEOUT } from './raw.mjs';

export function httpRequest(server, method, path, { headers = {}, body, from, timeout = DEFAULT_TIMEOUT } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: server.port,
      method,
      path,
      headers: { Host: `127.0.0.1:${server.port}`, Connection: 'close', ...headers },
      agent: false,
      ...(from ? { localAddress: from } : {}),
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, body: text, json });
      });
      res.on('error', (e) => { clearTimeout(timer); reject(e); });
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer to ${method} ${path} within ${timeout} ms`)), timeout);
    req.on('error', (e) => { clearTimeout(timer); reject(e); });
    if (body !== undefined) req.write(body);
    req.end();
  });
}
