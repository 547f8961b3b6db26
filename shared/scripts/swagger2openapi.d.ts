declare module 'swagger2openapi' {
  const converter: {
    convertObj(swagger: unknown, options: { patch?: boolean; warnOnly?: boolean }): Promise<{ openapi: object }>;
  };
  export default converter;
}
