/**
 * The MCP SDK's stdio transport, re-exported so that mcpService.ts can load it lazily through one of
 * our own modules: a require of the SDK's path itself would make the bundler take the SDK's CommonJS
 * build (and a second copy of zod with it) beside the ES module build the rest of src/mcp imports.
 */
export { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
