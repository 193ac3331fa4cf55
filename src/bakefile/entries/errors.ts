/** The error every entry parser throws; its message is worded as buildx words it, so users can search for it. */
export class EntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EntryError';
  }
}
