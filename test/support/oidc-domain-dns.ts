import { Socket, createSocket } from 'node:dgram';
import { AddressInfo } from 'node:net';

const TXT = 16;
const IN = 1;

/** The question of a DNS query: its name (lower case), type, and where the question section ends. */
function question(packet: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let at = 12;
  while (packet[at] !== 0) {
    const length = packet[at];
    labels.push(packet.subarray(at + 1, at + 1 + length).toString('ascii'));
    at += length + 1;
  }
  at += 1;
  return { name: labels.join('.').toLowerCase(), type: packet.readUInt16BE(at), end: at + 4 };
}

function txtRecord(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length || at === 0; at += 255) {
    const chunk = bytes.subarray(at, at + 255);
    chunks.push(Buffer.from([chunk.length]), chunk);
    if (bytes.length === 0) break;
  }
  const rdata = Buffer.concat(chunks);
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
  head.writeUInt16BE(TXT, 2);
  head.writeUInt16BE(IN, 4);
  head.writeUInt32BE(5, 6);
  head.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([head, rdata]);
}

/**
 * A DNS server on loopback UDP that answers TXT questions from a table the test fills, and
 * NXDOMAIN for every other name: what the domain verification asks through SSO_DNS_RESOLVER.
 */
export class TxtDnsServer {
  private readonly records = new Map<string, string[]>();

  private constructor(private readonly socket: Socket) {
    socket.on('message', (packet, from) => {
      const reply = this.answer(packet);
      if (reply) socket.send(reply, from.port, from.address);
    });
  }

  static async start(): Promise<TxtDnsServer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new TxtDnsServer(socket);
  }

  /** `127.0.0.1:<port>`, as SSO_DNS_RESOLVER takes it. */
  get address(): string {
    return `127.0.0.1:${(this.socket.address() as AddressInfo).port}`;
  }

  setTxt(name: string, values: readonly string[]): void {
    this.records.set(name.toLowerCase(), [...values]);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private answer(packet: Buffer): Buffer | null {
    if (packet.length < 17) return null;
    const { name, type, end } = question(packet);
    const values = this.records.get(name);
    const answers = type === TXT && values ? values.map(txtRecord) : [];
    const header = Buffer.alloc(12);
    header.writeUInt16BE(packet.readUInt16BE(0), 0); // the query's id
    // Response, recursion desired and available; NXDOMAIN when the name has no records at all.
    header.writeUInt16BE(0x8180 | (values ? 0 : 3), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    return Buffer.concat([header, packet.subarray(12, end), ...answers]);
  }
}

/**
 * A TxtDnsServer for the tests of this file (started before them, stopped after them). Call it
 * before the app's set-up and pass `SSO_DNS_RESOLVER` as a getter, read when the app is made:
 * `useTestApp({ env: { get SSO_DNS_RESOLVER() { return dns.address; } } })`.
 */
export function useTxtDnsServer(): Pick<TxtDnsServer, 'address' | 'setTxt'> {
  let server: TxtDnsServer | undefined;
  beforeAll(async () => {
    server = await TxtDnsServer.start();
  });
  afterAll(async () => {
    await server?.stop();
  });
  const started = (): TxtDnsServer => {
    if (!server) throw new Error('the DNS server starts in beforeAll');
    return server;
  };
  return {
    get address() {
      return started().address;
    },
    setTxt: (name, values) => started().setTxt(name, values),
  };
}
