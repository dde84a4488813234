/** Raised for inputs a detection-head piece cannot handle (shapes, labels, targets). */
export class DetHeadInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DetHeadInputError';
  }
}
