/**
 * Numbers as the service's Java engine prints them (Double.toString, Float.toString): DOUBLE → VARCHAR
 * in the engine, and the values in destination records and replay output. One definition for both.
 */

/** Java's Double.toString, which the service's engine uses for DOUBLE → VARCHAR: 1.0, 1.5E-4, 1.0E10. */
export function formatDouble(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e7) {
    const text = String(value);
    return text.includes(".") ? text : `${text}.0`;
  }
  const [mantissa, exponent] = value.toExponential().split("e") as [string, string];
  const digits = mantissa.includes(".") ? mantissa : `${mantissa}.0`;
  return `${digits}E${Number(exponent)}`;
}

/** Java's Float.toString for REAL: the shortest digits that read back as the same float. */
export function formatReal(value: number): string {
  if (!Number.isFinite(value) || value === 0) return formatDouble(value);
  const float = Math.fround(value);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(float.toPrecision(digits));
    if (Math.fround(candidate) === float) return formatDouble(candidate);
  }
  return formatDouble(float);
}
