/**
 * `switchboard mcp --stdio` as a child process this test holds: an SDK client over its pipes whose
 * disconnect only closes the server's stdin (the SDK's own stdio transport also signals the process
 * two seconds later), so tests can watch what the server does once its client has gone.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { CLI } from './harness';

class PipeTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly buffer = new ReadBuffer();

  constructor(private readonly child: ChildProcessWithoutNullStreams) {}

  async start(): Promise<void> {
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffer.append(chunk);
      for (let message = this.buffer.readMessage(); message; message = this.buffer.readMessage()) this.onmessage?.(message);
    });
    this.child.on('error', (error) => this.onerror?.(error));
    this.child.on('close', () => this.onclose?.());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.child.stdin.write(serializeMessage(message));
  }

  /** The client goes: the server's stdin ends, nothing else. */
  async close(): Promise<void> {
    this.child.stdin.end();
  }
}

export interface StdioServer {
  client: Client;
  child: ChildProcessWithoutNullStreams;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or the signal) when the process has ended. */
  exited: Promise<number | NodeJS.Signals>;
}

export async function startStdioServer(stateDir: string, cwd: string, name = 'stdio-teams'): Promise<StdioServer> {
  const child = spawn(process.execPath, [CLI, 'mcp', '--stdio'], { cwd, env: { ...process.env, SWITCHBOARD_HOME: stateDir }, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new PipeTransport(child));
  return { client, child, stderr: () => stderr, exited };
}
