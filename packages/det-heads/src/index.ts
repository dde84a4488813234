export const PACKAGE_NAME = '@babelrs/det-heads';
