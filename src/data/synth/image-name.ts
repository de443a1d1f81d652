/** The name parts of one phantom image, from which every layout derives its file names and rows. */
export interface ImageName {
  readonly native: string;
  /** Patient number, unique within the source (1-based). */
  readonly patient: number;
  /** 1-based image number of this patient. */
  readonly view: number;
  /** 1-based image number within the native label. */
  readonly nth: number;
  /** 1-based image number within the source. */
  readonly serial: number;
}
