// Lint rules that keep the architecture honest: the core never imports vscode, and no default exports.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.test-artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-exports': ['error', { restrictDefaultExports: { direct: true, named: true, defaultFrom: true, namedFrom: true, namespaceFrom: true } }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/mcp/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core and src/mcp must not import vscode: they run headless and under plain mocha.' }] }],
    },
  },
  {
    files: ['src/webview/**/*.ts', 'src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Webview code runs in the browser: it talks to the host only through its protocol.' }], patterns: [{ group: ['node:*', '../../core/*', '../../vscode/*', '../../ops/*'], message: 'Webview code runs in the browser: no Node modules, no extension code.' }] }],
    },
  },
  {
    files: ['src/chat/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/chat answers the chat panel and `switchboard chat` alike: the panel-only parts live in src/vscode/chat.' }] }],
    },
  },
);
