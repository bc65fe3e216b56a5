/**
 * Writes Motion-JPEG frames as an AVI file, which every common player opens. Chromium's screencast
 * already gives JPEG frames, and no video encoder (Playwright's ffmpeg) can be downloaded here.
 */
export function mjpegAvi(frames: Buffer[], options: { width: number; height: number; fps: number }): Buffer {
  const u32 = (value: number) => {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32LE(value >>> 0);
    return buffer;
  };
  const u16 = (value: number) => {
    const buffer = Buffer.alloc(2);
    buffer.writeUInt16LE(value);
    return buffer;
  };
  const chunk = (id: string, data: Buffer) =>
    Buffer.concat([
      Buffer.from(id, 'ascii'),
      u32(data.length),
      data,
      data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0),
    ]);
  const list = (type: string, parts: Buffer[]) =>
    chunk('LIST', Buffer.concat([Buffer.from(type, 'ascii'), ...parts]));

  const { width, height, fps } = options;
  const largest = Math.max(0, ...frames.map((frame) => frame.length));
  const avih = chunk(
    'avih',
    Buffer.concat([
      u32(Math.round(1_000_000 / fps)),
      u32(largest * fps),
      u32(0),
      u32(0x10),
      u32(frames.length),
      u32(0),
      u32(1),
      u32(largest),
      u32(width),
      u32(height),
      Buffer.alloc(16),
    ]),
  );
  const strh = chunk(
    'strh',
    Buffer.concat([
      Buffer.from('vids'),
      Buffer.from('MJPG'),
      u32(0),
      u16(0),
      u16(0),
      u32(0),
      u32(1),
      u32(fps),
      u32(0),
      u32(frames.length),
      u32(largest),
      u32(0xffffffff),
      u32(0),
      u16(0),
      u16(0),
      u16(width),
      u16(height),
    ]),
  );
  const strf = chunk(
    'strf',
    Buffer.concat([
      u32(40),
      u32(width),
      u32(height),
      u16(1),
      u16(24),
      Buffer.from('MJPG'),
      u32(width * height * 3),
      u32(0),
      u32(0),
      u32(0),
      u32(0),
    ]),
  );
  const hdrl = list('hdrl', [avih, list('strl', [strh, strf])]);
  const index: Buffer[] = [];
  let offset = 4;
  const movieChunks = frames.map((frame) => {
    const data = chunk('00dc', frame);
    index.push(Buffer.concat([Buffer.from('00dc'), u32(0x10), u32(offset), u32(frame.length)]));
    offset += data.length;
    return data;
  });
  const movi = list('movi', movieChunks);
  const idx1 = chunk('idx1', Buffer.concat(index));
  const body = Buffer.concat([Buffer.from('AVI '), hdrl, movi, idx1]);
  return Buffer.concat([Buffer.from('RIFF'), u32(body.length), body]);
}
