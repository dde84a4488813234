export const PACKAGE_NAME = '@babelrs/vit-backbone';
