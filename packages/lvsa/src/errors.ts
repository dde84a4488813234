/** Raised for an invalid LVSA configuration (layer set, schedule, fusion name, inputs). */
export class LvsaConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LvsaConfigError';
  }
}
