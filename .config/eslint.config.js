// ESLint flat config. Lives in .config/ so the repository root holds only the design's names.
// The layering rules below encode STYLE.md: src → {missions, firmware-bridge, db}; the three
// modules never import src or each other; code outside a module imports only its index.ts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const layer = (forbidden, message) => ({
  'no-restricted-imports': [
    'error',
    { patterns: forbidden.map((name) => ({ regex: `^(\\.\\./)+${name}(/|$)`, message })) },
  ],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'db/migrations/**', 'coverage/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['missions/**/*.ts'],
    rules: layer(
      ['src', 'db', 'firmware-bridge'],
      'missions is a pure library: it never imports src, db or firmware-bridge.',
    ),
  },
  {
    files: ['firmware-bridge/**/*.ts'],
    rules: layer(
      ['src', 'db', 'missions'],
      'firmware-bridge knows nothing of HTTP, SQL or planning.',
    ),
  },
  {
    files: ['db/**/*.ts'],
    rules: layer(
      ['src', 'missions', 'firmware-bridge'],
      'db never imports src or the other modules.',
    ),
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(missions|firmware-bridge|db)/(?!index(\\.ts)?$).+',
              message: 'Import another module only through its index.ts.',
            },
          ],
        },
      ],
    },
  },
);
