/**
 * Raw bytes over TCP to a listening app, for what no HTTP client will send: conflicting
 * Content-Length and Transfer-Encoding, oversized headers, a request line that is not HTTP, a
 * body that never finishes. The server is expected to answer and close the connection; the
 * answer is parsed into the fields the tests read (as `app.inject` gives them).
 */
import { connect, type Socket } from "node:net";

export interface RawAnswer {
  statusCode: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
  json(): any;
  /** Milliseconds from the first byte sent to the server closing the connection. */
  ms: number;
}

/** Sends `bytes` to 127.0.0.1:`port` and resolves with the answer once the server has closed. */
export function sendRaw(
  port: number,
  bytes: string | Buffer,
  options: { boundMs?: number; onConnect?: (socket: Socket) => void } = {},
): Promise<RawAnswer> {
  const boundMs = options.boundMs ?? 5_000;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, "127.0.0.1");
    const started = performance.now();
    // A server that never answers fails the test instead of hanging it.
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer and no close within ${boundMs} ms`));
    }, boundMs);
    socket.once("connect", () => {
      socket.write(bytes);
      options.onConnect?.(socket);
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once("close", () => {
      clearTimeout(timer);
      try {
        resolve(parseAnswer(Buffer.concat(chunks), performance.now() - started));
      } catch (error) {
        reject(error);
      }
    });
  });
}

function parseAnswer(raw: Buffer, ms: number): RawAnswer {
  const text = raw.toString("utf8");
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) throw new Error(`not an HTTP answer: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine);
  if (!status) throw new Error(`not an HTTP status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = raw.subarray(Buffer.byteLength(text.slice(0, end + 4))).toString("utf8");
  if (headers["content-length"] !== undefined && Number(headers["content-length"]) !== Buffer.byteLength(body)) {
    throw new Error(`Content-Length ${headers["content-length"]} but ${Buffer.byteLength(body)} bytes of body`);
  }
  return { statusCode: Number(status[1]), headers, body, json: () => JSON.parse(body), ms };
}
