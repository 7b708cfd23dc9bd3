// Lint rules. Beyond typescript-eslint's recommended set, the layering of DESIGN.md §3 is enforced:
// engine/ is the pure ML core and may not import the app (electron/, renderer/) or app-only packages;
// electron/cli/ is the terminal face: nothing else imports it (shared use cases live in electron/app/);
// the renderer reaches the rest only through the shared contract (electron/api/).
// test/unit/lint-layers.test.ts lints the wrong imports in test/fixtures/lint/ and expects these rules to fire.
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'test-results/', 'renderer/dist/'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/electron/**', '**/renderer/**'], message: 'engine/ must not import the app (DESIGN.md §3).' },
          { group: ['better-sqlite3-multiple-ciphers', 'electron', 'react', 'react-dom'], message: 'engine/ stays free of app packages.' },
        ],
      }],
    },
  },
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/cli/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/cli/**'], message: 'Only electron/cli/ imports electron/cli/: move shared logic to electron/app/.' }],
      }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '(^|/)(electron/(?!api/)|engine/)',
          message: 'The renderer imports only its own code and the shared contract (electron/api/).',
        }],
      }],
    },
  },
);
