import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * Lint rules. The one that matters most: `src/` is the pure core and may not touch
 * browser or extension globals (docs/architecture.md §9); the rule below makes that a lint error.
 */
const BROWSER_GLOBALS_FORBIDDEN_IN_CORE = [
  'chrome',
  'browser',
  'window',
  'document',
  'indexedDB',
  'navigator',
  'location',
  'localStorage',
  'sessionStorage',
  'self',
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'RTCPeerConnection',
  'crypto',
].map((name) => ({ name, message: `src/ is the pure core: pass ${name} in through a port from extension/.` }));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tmp/**', 'demo-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    languageOptions: { globals: { ...globals.es2022 } },
    rules: {
      'no-restricted-globals': ['error', ...BROWSER_GLOBALS_FORBIDDEN_IN_CORE],
      'no-restricted-imports': ['error', { patterns: ['webextension-polyfill', 'idb', '**/extension/**', 'preact*'] }],
    },
  },
  {
    files: ['extension/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.webextensions, ...globals.serviceworker } },
  },
  {
    files: ['tests/**/*.{ts,mjs,js}', '*.config.{ts,js}', '.ci/**'],
    languageOptions: { globals: { ...globals.node, ...globals.browser, ...globals.webextensions } },
  },
);
