/** Raised for inputs CSIA pieces cannot handle (token grids, sequence lengths, targets). */
export class CsiaInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsiaInputError';
  }
}
