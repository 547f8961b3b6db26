import angular from 'angular-eslint';
import tseslint from 'typescript-eslint';
import base from '../shared/eslint.base.mjs';

// As Harbor's portal: angular-eslint's recommended rules for the code and for the templates
// (inline ones included). src/app/api is generated from the OpenAPI document (npm run gen:api).
export default tseslint.config(
  ...base,
  { ignores: ['src/app/api/**'] },
  {
    files: ['**/*.ts'],
    extends: [...angular.configs.tsRecommended],
    processor: angular.processInlineTemplates,
    rules: {
      // The portal is built from NgModules (one per Harbor-like page area), as Harbor's portal is.
      '@angular-eslint/prefer-standalone': 'off',
    },
  },
  {
    files: ['**/*.html'],
    extends: [...angular.configs.templateRecommended],
  },
);
