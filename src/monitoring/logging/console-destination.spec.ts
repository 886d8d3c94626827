import { Writable } from 'node:stream';
import { prettyFactory } from 'pino-pretty';
import { createRootLogger } from './root-logger';
import { PRETTY_OPTIONS, consoleDestination } from './console-destination';

describe('consoleDestination', () => {
  it('pretty-prints only in development on a terminal', () => {
    expect(consoleDestination('development', { isTTY: true })).toBeInstanceOf(Writable);
    expect(consoleDestination('development', { isTTY: false })).toBeUndefined();
    expect(consoleDestination('development', {})).toBeUndefined();
    expect(consoleDestination('production', { isTTY: true })).toBeUndefined();
    expect(consoleDestination('test', { isTTY: true })).toBeUndefined();
  });

  it('prints the context before the message, the other fields on the same line, secrets still redacted', () => {
    const lines: string[] = [];
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    createRootLogger('info', capture).child({ context: 'Http' }).info({ status: 200, password: 'hunter2' }, 'request completed');
    const pretty = prettyFactory({ ...PRETTY_OPTIONS, colorize: false })(lines[0]);
    expect(pretty).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[Http\] request completed \{"status":200,"password":"\[REDACTED\]"\}\n$/);
  });
});
