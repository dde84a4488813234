/** Raised for inputs a ViT building block cannot handle (shapes, grid sizes, presets). */
export class VitShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VitShapeError';
  }
}

/** Raised when a checkpoint does not fit a ViT: unknown, missing or mis-shaped keys. */
export class VitWeightError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VitWeightError';
  }
}
