export const PACKAGE_NAME = '@babelrs/trainer';
