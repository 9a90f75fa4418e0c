import tseslint from 'typescript-eslint';
import { configs as litConfigs } from 'eslint-plugin-lit';
import { configs as wcConfigs } from 'eslint-plugin-wc';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/'] },
  ...tseslint.configs.recommended,
  {
    files: ['src/components/**/*.ts', 'src/*.ts', 'src/events/**/*.ts', 'src/controllers/**/*.ts'],
    extends: [litConfigs['flat/recommended'], wcConfigs['flat/recommended']],
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Erasable TypeScript only: the build strips types and nothing else.
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` object, not enum.' },
        { selector: 'TSModuleDeclaration[global!=true][declare!=true]', message: 'No namespaces.' },
        { selector: 'TSParameterProperty', message: 'No parameter properties.' },
      ],
    },
  },
);
