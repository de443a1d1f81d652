/**
 * The file formats a phantom source can be written in besides PNG: DICOM (the RSNA-like source,
 * in three pixel layouts so that every path of the decoder is exercised) and gzipped NIfTI-1
 * volumes (the CT volumes of the COVID-19 image data collection, which are not 2-D images).
 */
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { writeDicom } from '../dicom/write.ts';
import type { ImageName } from './image-name.ts';
import { rsnaPatientId } from './published.ts';

export type FileFormat = 'png' | 'dicom' | 'nifti';

async function greyPixels(png: Buffer): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/**
 * A DICOM file whose display values are the phantom's grey levels (v/255 of the output range, up
 * to rounding). By the image's serial number: MONOCHROME2 8-bit without a window (as the RSNA
 * originals), MONOCHROME1 12-bit in 16 with rescale and a window that spans it, or MONOCHROME2
 * 16-bit with a CT-like intercept and window.
 */
export async function phantomDicom(png: Buffer, n: ImageName): Promise<Uint8Array> {
  const { width, height, data } = await greyPixels(png);
  const common = { rows: height, columns: width, patientId: rsnaPatientId(n.serial), viewPosition: n.serial % 4 === 0 ? 'AP' : 'PA', modality: 'CR', sopInstanceUid: `1.2.826.0.1.3680043.10.1307.3.${n.serial}` } as const;
  switch (n.serial % 3) {
    case 1:
      return writeDicom({ ...common, bitsAllocated: 8, pixels: data });
    case 2: {
      // stored s = (255 − v)·4095/255; modality x = s/2 − 100; the window maps x's range onto 0..1, then inverted.
      const stored = Uint16Array.from(data, (v) => Math.round(((255 - v) * 4095) / 255));
      const lo = -100;
      const hi = 4095 / 2 - 100;
      return writeDicom({ ...common, bitsAllocated: 16, bitsStored: 12, photometric: 'MONOCHROME1', pixels: stored, slope: 0.5, intercept: lo, windowCenter: (lo + hi) / 2 + 0.5, windowWidth: hi - lo + 1 });
    }
    default: {
      const stored = Uint16Array.from(data, (v) => v * 257);
      const lo = -1024;
      const hi = 65535 - 1024;
      return writeDicom({ ...common, bitsAllocated: 16, pixels: stored, intercept: lo, windowCenter: (lo + hi) / 2 + 0.5, windowWidth: hi - lo + 1 });
    }
  }
}

/** A gzipped NIfTI-1 int16 volume of `depth` slices built from one rendered CT slice. */
export async function phantomNifti(png: Buffer, depth = 8): Promise<Uint8Array> {
  const { width, height, data } = await greyPixels(png);
  const header = new Uint8Array(352);
  const view = new DataView(header.buffer);
  view.setInt32(0, 348, true);
  const dims = [3, width, height, depth, 1, 1, 1, 1];
  dims.forEach((d, i) => view.setInt16(40 + 2 * i, d, true));
  view.setInt16(70, 4, true); // datatype: int16
  view.setInt16(72, 16, true); // bitpix
  [1, 0.7, 0.7, 5, 0, 0, 0, 0].forEach((d, i) => view.setFloat32(76 + 4 * i, d, true));
  view.setFloat32(108, 352, true); // vox_offset
  view.setFloat32(112, 1, true); // scl_slope
  header.set([0x6e, 0x2b, 0x31, 0], 344); // "n+1\0"
  const voxels = new Int16Array(width * height * depth);
  for (let z = 0; z < depth; z++) {
    const gain = 0.85 + (0.3 * z) / Math.max(1, depth - 1);
    for (let i = 0; i < width * height; i++) voxels[z * width * height + i] = Math.round((data[i] as number) * 8 * gain) - 1024;
  }
  const body = new Uint8Array(voxels.buffer);
  const file = new Uint8Array(header.length + body.length);
  file.set(header, 0);
  file.set(body, header.length);
  return new Uint8Array(gzipSync(file, { level: 6 }));
}

/** The bytes to write for a rendered image in its source's format. */
export async function encodeAs(format: FileFormat, png: Buffer, n: ImageName): Promise<Uint8Array> {
  if (format === 'dicom') return phantomDicom(png, n);
  if (format === 'nifti') return phantomNifti(png);
  return png;
}
