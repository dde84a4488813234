/** Raised for inputs a ViT building block cannot handle (shapes, grid sizes, presets). */
export class VitShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VitShapeError';
  }
}
