export const PACKAGE_NAME = '@babelrs/csia';
