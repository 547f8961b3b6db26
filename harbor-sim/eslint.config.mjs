import base from '../shared/eslint.base.mjs';

export default base;
