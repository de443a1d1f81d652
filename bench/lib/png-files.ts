// Every PNG under a folder, recursively, sorted: the planted sets' images in a stable order.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function pngs(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await pngs(p)));
    else if (e.name.endsWith('.png')) out.push(p);
  }
  return out.sort();
}
