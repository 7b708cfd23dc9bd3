// Lint rules. Beyond typescript-eslint's recommended set, the layering of DESIGN.md §3 is enforced:
// engine/ is the pure ML core and may not import the app (electron/, renderer/) or app-only packages.
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
);
