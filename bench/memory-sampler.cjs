// bench/memory-sampler.cjs — where a running server's memory is, on demand. Preload it
// (NODE_OPTIONS="--require /abs/path/bench/memory-sampler.cjs"); every SIGUSR2 appends one JSON
// line to $MEMORY_SAMPLES (default ./memory-samples.jsonl): process.memoryUsage() and V8's heap
// spaces (physical MB), plus the resident MB of glibc's brk heap ("[heap]") and of anonymous
// mappings (V8's heap, mmap'd buffers) from /proc/self/smaps. docs/performance.md ("Memory after
// large reads") was diagnosed this way. Linux only; a diagnostic, not a benchmark.
'use strict';
const fs = require('node:fs');
const v8 = require('node:v8');

const mb = (bytes) => Math.round((bytes / 1048576) * 10) / 10;

function smapsResidentMB() {
  let heapKB = 0;
  let anonKB = 0;
  let mapping = '';
  for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) mapping = line.split(/\s+/)[5] ?? '';
    else if (line.startsWith('Rss:')) {
      const kb = Number(line.split(/\s+/)[1]);
      if (mapping === '[heap]') heapKB += kb;
      else if (mapping === '') anonKB += kb;
    }
  }
  return { brkHeapMB: mb(heapKB * 1024), anonymousMB: mb(anonKB * 1024) };
}

process.on('SIGUSR2', () => {
  const usage = process.memoryUsage();
  const sample = {
    at: new Date().toISOString(),
    pid: process.pid,
    rssMB: mb(usage.rss),
    heapTotalMB: mb(usage.heapTotal),
    heapUsedMB: mb(usage.heapUsed),
    externalMB: mb(usage.external),
    arrayBuffersMB: mb(usage.arrayBuffers),
    spacesMB: Object.fromEntries(v8.getHeapSpaceStatistics().map((space) => [space.space_name, mb(space.physical_space_size)])),
    ...smapsResidentMB(),
  };
  fs.appendFileSync(process.env.MEMORY_SAMPLES ?? 'memory-samples.jsonl', JSON.stringify(sample) + '\n');
});
