// A large capture for the capture view's tests and `cargo xtask measure`:
// the frames of a small fixture (fixtures/fin-lost-twice.pcap, a close with
// no handshake) for `connections` connections at once (host A's address made
// 10.x.y.z, one per connection), frame by frame, 10 µs apart, repeated until
// the file holds `bytes`. Every connection keeps growing (no SYN starts a new
// one), so the reader stops at its 200,000-segment limit, not at its
// 5,000-connection one, when `connections` is under that.

import fs from 'node:fs/promises';

const FIXTURE = new URL('./fixtures/fin-lost-twice.pcap', import.meta.url);

/** Writes the capture to `file`; returns its size in bytes. */
export async function writeBigCapture(file, { bytes, connections }) {
  const good = await fs.readFile(FIXTURE);
  const records = [];
  for (let at = 24; at < good.length; at += 16 + good.readUInt32LE(at + 8)) {
    records.push(good.subarray(at, at + 16 + good.readUInt32LE(at + 8)));
  }
  // Ethernet then IPv4: the source address at 26, the destination at 30.
  const a = records[0].readUInt32BE(16 + 26);
  const parts = [];
  for (const r of records) {
    for (let k = 0; k < connections; k++) {
      const copy = Buffer.from(r);
      const host = (10 << 24) | (1 << 16) | (k & 0xffff);
      if (copy.readUInt32BE(16 + 26) === a) copy.writeUInt32BE(host >>> 0, 16 + 26);
      else copy.writeUInt32BE(host >>> 0, 16 + 30);
      parts.push(copy);
    }
  }
  const chunk = Buffer.concat(parts);
  const offsets = [];
  for (let at = 0; at < chunk.length; at += 16 + chunk.readUInt32LE(at + 8)) offsets.push(at);
  const out = await fs.open(file, 'w');
  try {
    await out.write(good.subarray(0, 24));
    let frame = 0;
    for (let n = 24; n < bytes; n += chunk.length) {
      for (const at of offsets) {
        const us = frame++ * 10;
        chunk.writeUInt32LE(Math.floor(us / 1e6), at);
        chunk.writeUInt32LE(us % 1e6, at + 4);
      }
      await out.write(chunk);
    }
  } finally {
    await out.close();
  }
  return (await fs.stat(file)).size;
}
