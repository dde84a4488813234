export const PACKAGE_NAME = '@babelrs/boxes';
