// House rules as tools (CONTRIBUTING.md): typescript-eslint's recommended rules, lines of at
// most 120 characters (Prettier formats to that width; long strings must be split by hand),
// files of at most ~400 lines, and the harness never imports the reference store's sources
// (it reaches graph-agent only through its image and HTTP API; tsc's rootDir enforces the same).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', 'node_modules/**', 'reports/**', 'fixtures/**', 'bench/**', 'examples/**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      'max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }],
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/packages/**', '**/graph-agent/src/**'],
              message: 'the harness reaches graph-agent only through its image and HTTP API (bench: import @drill/graph-agent)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['bin/**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: ['test/**/*.ts', 'packages/*/test/**/*.ts'],
    rules: { 'max-lines': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
