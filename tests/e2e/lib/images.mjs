// Real PNG files made in the test (the server decodes an upload claiming an image type before
// it keeps that type), without image libraries: RGB rows, zlib from Node, chunks from the
// protocol tests' png.mjs.
import { deflateSync } from 'node:zlib';
import { pngChunk as chunk } from '../../js/lib/png.mjs';

// A width×height picture: a diagonal colour gradient with a light disc (something to see in
// a screenshot); `seed` shifts the colours, so that two pictures differ in their bytes.
export function pngImage(width, height, seed = 0) {
  const rows = Buffer.alloc((width * 3 + 1) * height);
  const cx = width * 0.68;
  const cy = height * 0.36;
  const r = Math.min(width, height) * 0.18;
  for (let y = 0; y < height; y += 1) {
    const row = y * (width * 3 + 1);
    rows[row] = 0; // filter: none
    for (let x = 0; x < width; x += 1) {
      const t = (x / width + y / height) / 2;
      const sun = (x - cx) ** 2 + (y - cy) ** 2 < r * r;
      const at = row + 1 + x * 3;
      rows[at] = sun ? 255 : Math.round(40 + 120 * t + seed) & 0xff;
      rows[at + 1] = sun ? 226 : Math.round(90 + 80 * (1 - t)) & 0xff;
      rows[at + 2] = sun ? 140 : Math.round(200 - 60 * t) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0)),
  ]);
}
