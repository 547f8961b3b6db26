import base from '../shared/eslint.base.mjs';

// src/app/api is generated from the OpenAPI document (npm run gen:api).
export default [...base, { ignores: ['src/app/api/**'] }];
