/**
 * The report as a list of blocks, rendered twice: to Markdown (plots as PNG files in plots/)
 * and to one self-contained HTML page (plots as inline SVG, images as data URIs). Building the
 * content once keeps the two reports saying the same thing.
 */
export type Block =
  | { readonly kind: 'heading'; readonly level: 1 | 2 | 3; readonly text: string }
  /** Plain text; `code` spans are kept as code in both renderings. */
  | { readonly kind: 'paragraph'; readonly text: string }
  | { readonly kind: 'list'; readonly items: readonly string[] }
  | { readonly kind: 'table'; readonly header: readonly string[]; readonly rows: readonly (readonly string[])[]; readonly numeric?: readonly boolean[] }
  /** `file` relative to the run folder (`plots/roc-cvrnet.png`). */
  | { readonly kind: 'plot'; readonly file: string; readonly svg: string; readonly alt: string }
  | { readonly kind: 'code'; readonly summary: string; readonly text: string }
  | { readonly kind: 'gallery'; readonly images: readonly { readonly path: string; readonly caption: string; readonly bytes: Buffer }[]; readonly htmlOnly?: boolean };

function mdCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

export function toMarkdown(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading':
        out.push(`${'#'.repeat(b.level)} ${b.text}`);
        break;
      case 'paragraph':
        out.push(b.text);
        break;
      case 'list':
        out.push(b.items.map((i) => `- ${i}`).join('\n'));
        break;
      case 'table': {
        const align = b.header.map((_, i) => (b.numeric?.[i] === true ? '---:' : '---'));
        out.push([b.header, align, ...b.rows].map((r) => `| ${r.map(mdCell).join(' | ')} |`).join('\n'));
        break;
      }
      case 'plot':
        out.push(`![${b.alt}](${b.file})`);
        break;
      case 'code': {
        const fence = b.text.includes('```') ? '~~~~' : '```';
        out.push(`${b.summary}\n\n${fence}\n${b.text.replace(/\n$/, '')}\n${fence}`);
        break;
      }
      case 'gallery':
        // An inline-only gallery (thumbnails stored in audit.json) has no files for markdown to link.
        if (b.htmlOnly !== true) out.push(b.images.map((i) => `![${i.caption}](${i.path})`).join('\n'));
        break;
      default: {
        const never: never = b;
        throw new Error(`Internal error: unknown block ${JSON.stringify(never)}`);
      }
    }
  }
  return `${out.join('\n\n')}\n`;
}

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** Escapes, then turns `code` spans and **bold** into markup. */
function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
}

const CSS = `
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #1d1d1f; max-width: 1100px; margin: 24px auto; padding: 0 20px; line-height: 1.45; }
h1 { font-size: 26px; border-bottom: 2px solid #0072B2; padding-bottom: 6px; }
h2 { font-size: 20px; margin-top: 34px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 16px; margin-top: 22px; }
table { border-collapse: collapse; margin: 10px 0 16px; font-size: 13px; }
th, td { border: 1px solid #d0d0d0; padding: 4px 10px; }
th { background: #f2f5f9; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { background: #f4f4f4; padding: 1px 4px; border-radius: 3px; font-size: 12px; }
pre { background: #f7f7f7; border: 1px solid #e0e0e0; padding: 10px; overflow-x: auto; font-size: 12px; }
figure { display: inline-block; margin: 8px 12px 8px 0; vertical-align: top; }
div.plots { display: flex; flex-wrap: wrap; gap: 12px; }
figure.plot { flex: 0 0 calc(50% - 6px); margin: 0; }
figure.plot svg { width: 100%; height: auto; border: 1px solid #eee; }
figure img { width: 160px; height: 160px; object-fit: contain; border: 1px solid #ddd; image-rendering: pixelated; }
figcaption { font-size: 11px; color: #555; max-width: 160px; word-break: break-all; }
ul { padding-left: 22px; }
`;

export function toHtml(title: string, blocks: readonly Block[]): string {
  const out: string[] = [];
  let inPlots = false;
  for (const b of blocks) {
    // Consecutive plots share a row (two to a line), so the page stays short enough to read.
    if (b.kind === 'plot' && !inPlots) out.push('<div class="plots">');
    if (b.kind !== 'plot' && inPlots) out.push('</div>');
    inPlots = b.kind === 'plot';
    switch (b.kind) {
      case 'heading':
        out.push(`<h${b.level}>${inline(b.text)}</h${b.level}>`);
        break;
      case 'paragraph':
        out.push(`<p>${inline(b.text)}</p>`);
        break;
      case 'list':
        out.push(`<ul>${b.items.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>`);
        break;
      case 'table': {
        const head = `<tr>${b.header.map((h) => `<th>${inline(h)}</th>`).join('')}</tr>`;
        const rows = b.rows.map((r) => `<tr>${r.map((c, i) => `<td${b.numeric?.[i] === true ? ' class="num"' : ''}>${inline(c)}</td>`).join('')}</tr>`);
        out.push(`<table>${head}${rows.join('')}</table>`);
        break;
      }
      case 'plot':
        out.push(`<figure class="plot" data-file="${escapeHtml(b.file)}">${b.svg}</figure>`);
        break;
      case 'code':
        out.push(`<details><summary>${inline(b.summary)}</summary><pre>${escapeHtml(b.text)}</pre></details>`);
        break;
      case 'gallery':
        out.push(
          `<div class="gallery">${b.images
            .map((i) => `<figure><img alt="${escapeHtml(i.caption)}" src="data:image/png;base64,${i.bytes.toString('base64')}"><figcaption>${escapeHtml(i.caption)}</figcaption></figure>`)
            .join('')}</div>`,
        );
        break;
      default: {
        const never: never = b;
        throw new Error(`Internal error: unknown block ${JSON.stringify(never)}`);
      }
    }
  }
  if (inPlots) out.push('</div>');
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${CSS}</style></head>\n<body>\n${out.join('\n')}\n</body></html>\n`;
}
