import { packageBuildConfig } from '../../tsup.shared.ts';

export default packageBuildConfig({ cli: true });
