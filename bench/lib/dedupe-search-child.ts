/**
 * The 100,000-signature search of bench/lib/dedupe-search.ts in a process of its own, so that its
 * peak RSS is what the target names (the search over the signatures) and not the bench's
 * planted set, its pixels and its verification maps as well. Run as
 * `node --expose-gc --import tsx dedupe-search-child.ts <table.f32> <n> <threads|default>`: it reads
 * the coefficient table (n × VIEWS × COEFFS float32), searches it, and prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { candidatePairs, DEFAULT_PER_IMAGE } from '../../src/data/dedupe/search.ts';
import { sampledRecall, pairSet, rssSampler } from './dedupe-search-measure.ts';

const [file, count, threads] = process.argv.slice(2);
const n = Number(count);
const bytes = readFileSync(file!);
const table = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
global.gc?.();
const rss0 = process.memoryUsage().rss;
const sampler = rssSampler();
await sampler.ready;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const big = candidatePairs(table, threads === 'default' ? {} : { threads: Number(threads) });
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
// The sampler's peak, and the kernel's high-water mark (everything up to here: start-up, the table, the search).
const peak = Math.max(await sampler.stop(), process.memoryUsage().rss);
const maxRss = process.resourceUsage().maxRSS * 1024;
const recall = sampledRecall(table, n, pairSet(big), DEFAULT_PER_IMAGE);
process.stdout.write(`${JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, pairs: big.length / 2, peakRss: Math.max(peak, maxRss), rssBefore: rss0, recall })}\n`);
