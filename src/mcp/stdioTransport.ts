/**
 * The MCP SDK's stdio transport, loaded lazily by mcpService.ts through this module (a require of
 * the SDK's path itself would make the bundler take the SDK's CommonJS build, and a second copy of
 * zod with it, beside the ES module build the rest of src/mcp imports). It writes each message as
 * the SDK does, a line of JSON, made by answerPieces: the same bytes, with a long list's kept item
 * texts (or its kept bytes) written rather than serialized again (list_agents over a thousand runs).
 */
import { StdioServerTransport as SdkStdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Readable, Writable } from 'node:stream';
import { answerPieces, writePieces } from '../ops/answerText';

export class StdioServerTransport extends SdkStdioServerTransport {
  constructor(stdin: Readable = process.stdin, private readonly out: Writable = process.stdout) {
    super(stdin, out);
  }

  override send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (writePieces(this.out, [...answerPieces(message), '\n'])) resolve();
      else this.out.once('drain', resolve);
    });
  }
}
