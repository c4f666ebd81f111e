import { z } from '@hono/zod-openapi';

/**
 * MAVSDK-style link URLs: `serial:///dev/ttyUSB0:57600`, `udpin://0.0.0.0:14550`,
 * `udpout://10.0.0.5:14550`, `tcp://127.0.0.1:5760`.
 */
export function checkLinkUrl(url: string): string | null {
  const serial = /^serial:\/\/(\/[^:\s]+)(?::(\d+))?$/.exec(url);
  if (serial) {
    const baud = serial[2] === undefined ? 57600 : Number(serial[2]);
    return baud >= 300 && baud <= 4_000_000
      ? null
      : `baud rate ${serial[2]} is out of range 300–4000000`;
  }
  const net = /^(udpin|udpout|tcp):\/\/([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d+)$/.exec(url);
  if (net) {
    const port = Number(net[3]);
    return port >= 1 && port <= 65535 ? null : `port ${net[3]} is out of range 1–65535`;
  }
  return 'expected serial:///dev/ttyX[:baud], udpin://host:port, udpout://host:port or tcp://host:port';
}

export const linkUrlSchema = z
  .string()
  .max(300)
  .superRefine((value, ctx) => {
    const problem = checkLinkUrl(value);
    if (problem)
      ctx.addIssue({ code: 'custom', message: `link URL ${JSON.stringify(value)}: ${problem}` });
  })
  .openapi({ description: 'MAVSDK-style link URL', example: 'udpin://0.0.0.0:14550' });
