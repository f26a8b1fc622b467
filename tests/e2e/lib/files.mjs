// Uploads from the test's side (docs/files-and-search.md, POST /api/files): a guest session
// and its files, for scripted participants that send attachments.
import { apiCall } from './accounts.mjs';

// A guest session ({user, token, role}) for `user`.
export async function guestSession(server, user) {
  const r = await apiCall(server, 'POST', '/api/guests', { body: { user } });
  if (r.status !== 201) throw new Error(`guest ${user}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

// Resolves with the attachment object of the stored file.
export async function uploadFile(server, token, name, type, bytes) {
  const r = await fetch(`${server.base}/api/files?filename=${encodeURIComponent(name)}`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': type }, body: bytes,
  });
  const json = await r.json().catch(() => undefined);
  if (r.status !== 201) throw new Error(`upload ${name}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}
