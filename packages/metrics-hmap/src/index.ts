export const PACKAGE_NAME = '@babelrs/metrics-hmap';
