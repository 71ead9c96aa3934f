// bench/lib/flags.mjs — the benchmark drivers' command lines: `--flag value` pairs onto a copy of
// `defaults`, matched case-insensitively with dashes dropped (--size-mb → sizeMB), numbers where the
// default is a number; an unknown flag throws.
export function parseFlags(defaults, argv = process.argv.slice(2)) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i += 2) {
    const key = Object.keys(out).find((name) => name.toLowerCase() === argv[i].replace(/^--/, '').replace(/-/g, '').toLowerCase());
    if (key === undefined) throw new Error(`unknown flag ${argv[i]}`);
    out[key] = typeof out[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  return out;
}
