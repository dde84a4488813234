export const PACKAGE_NAME = '@babelrs/lvsa';
