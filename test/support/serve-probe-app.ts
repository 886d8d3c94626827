/**
 * Runs the real app with the test probe routes in a child process, so a test can send it a real
 * SIGTERM. Prints `listening <port>` once it accepts connections.
 */
import { ProbeModule } from './probe.module';
import { serveChildApp } from './serve-child-app';

serveChildApp([ProbeModule]);
