/**
 * The Docker Engine's multiplexed stream (logs or attach of a container without a TTY): frames of an
 * 8-byte header (stream 1 stdout / 2 stderr, 3 zero bytes, a 4-byte big-endian length) and that many
 * bytes. The payloads are handed on in order, the first `skip` bytes left out (those already in the
 * run's output log when a follower is started again).
 */
export class LogFrames {
  private pending = Buffer.alloc(0);
  /** Payload bytes seen so far (skipped ones included). */
  seen = 0;

  constructor(private readonly onPayload: (bytes: Buffer) => void, private skip = 0) {}

  push(chunk: Buffer): void {
    let data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (data.length >= 8) {
      const size = data.readUInt32BE(4);
      if (data.length < 8 + size) break;
      this.payload(data.subarray(8, 8 + size));
      data = data.subarray(8 + size);
    }
    this.pending = Buffer.from(data);
  }

  private payload(bytes: Buffer): void {
    this.seen += bytes.length;
    if (this.skip >= bytes.length) {
      this.skip -= bytes.length;
      return;
    }
    const kept = bytes.subarray(this.skip);
    this.skip = 0;
    if (kept.length) this.onPayload(kept);
  }
}
