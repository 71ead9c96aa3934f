/**
 * DynamoDB numbers: decimal strings of up to 38 significant digits, magnitudes from 1e-130 to
 * below 1e126, exact (BigInt mantissa and a power of ten). Stored and answered canonical, as
 * DynamoDB does: no exponent, no leading or trailing zeros ("1.50e2" → "150", "-0.0" → "0").
 */

/** value = mantissa × 10^scale; normalised: mantissa not divisible by 10 unless zero (scale 0). */
export interface Decimal {
  mantissa: bigint;
  scale: number;
}

const pattern = /^(-?)(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?$/;
export const significantDigitsMax = 38;

export type ParsedNumber = { ok: true; value: Decimal } | { ok: false; message: string };

export function parseNumber(text: string): ParsedNumber {
  if (text === "") return { ok: false, message: "The parameter cannot be converted to a numeric value" };
  const match = pattern.exec(text.trim());
  if (!match) return { ok: false, message: `The parameter cannot be converted to a numeric value: ${text}` };
  const [whole, fraction = ""] = match[2]!.split(".");
  const exponent = match[3] === undefined ? 0 : Number(match[3]);
  const digits = `${whole}${fraction}`.replace(/^0+/, "");
  if (digits === "") return { ok: true, value: { mantissa: 0n, scale: 0 } };
  const trimmed = digits.replace(/0+$/, "");
  const scale = exponent - fraction.length + (digits.length - trimmed.length);
  // Big.js's exponent: the power of ten of the leading digit.
  const leadingExponent = scale + trimmed.length - 1;
  if (leadingExponent > 125) return { ok: false, message: "Number overflow. Attempting to store a number with magnitude larger than supported range" };
  if (leadingExponent < -130) return { ok: false, message: "Number underflow. Attempting to store a number with magnitude smaller than supported range" };
  if (trimmed.length > significantDigitsMax) return { ok: false, message: "Attempting to store more than 38 significant digits in a Number" };
  const mantissa = BigInt(trimmed);
  return { ok: true, value: { mantissa: match[1] === "-" ? -mantissa : mantissa, scale } };
}

export function normalise(mantissa: bigint, scale: number): Decimal {
  if (mantissa === 0n) return { mantissa: 0n, scale: 0 };
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    scale++;
  }
  return { mantissa, scale };
}

export function formatDecimal(value: Decimal): string {
  if (value.mantissa === 0n) return "0";
  const negative = value.mantissa < 0n;
  const digits = (negative ? -value.mantissa : value.mantissa).toString();
  let text: string;
  if (value.scale >= 0) text = digits + "0".repeat(value.scale);
  else {
    const point = digits.length + value.scale;
    text = point > 0 ? `${digits.slice(0, point)}.${digits.slice(point)}` : `0.${"0".repeat(-point)}${digits}`;
  }
  return negative ? `-${text}` : text;
}

/** The canonical text of a valid number (the caller has checked it parses). */
export function canonicalNumber(text: string): string {
  const parsed = parseNumber(text);
  return parsed.ok ? formatDecimal(parsed.value) : text;
}

export function addDecimals(a: Decimal, b: Decimal): Decimal {
  const scale = Math.min(a.scale, b.scale);
  return normalise(a.mantissa * 10n ** BigInt(a.scale - scale) + b.mantissa * 10n ** BigInt(b.scale - scale), scale);
}

export function negate(a: Decimal): Decimal {
  return { mantissa: -a.mantissa, scale: a.scale };
}

export function compareDecimals(a: Decimal, b: Decimal): number {
  const difference = addDecimals(a, negate(b)).mantissa;
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

/** Checks a computed result against DynamoDB's limits; the message when it falls outside. */
export function checkDecimal(value: Decimal): string | undefined {
  if (value.mantissa === 0n) return undefined;
  const digits = (value.mantissa < 0n ? -value.mantissa : value.mantissa).toString().length;
  const leadingExponent = value.scale + digits - 1;
  if (leadingExponent > 125) return "Number overflow. Attempting to store a number with magnitude larger than supported range";
  if (leadingExponent < -130) return "Number underflow. Attempting to store a number with magnitude smaller than supported range";
  if (digits > significantDigitsMax) return "Attempting to store more than 38 significant digits in a Number";
  return undefined;
}

/**
 * A text that sorts as the number does: "2" for zero, positives "3" + biased exponent + digits,
 * negatives "1" + inverted exponent + nines' complement digits + "~" (so a longer negative sorts first).
 */
export function sortableNumber(value: Decimal): string {
  if (value.mantissa === 0n) return "2";
  const negative = value.mantissa < 0n;
  const digits = (negative ? -value.mantissa : value.mantissa).toString();
  const exponent = value.scale + digits.length - 1 + 200;
  if (!negative) return `3${String(exponent).padStart(3, "0")}${digits}`;
  const complement = [...digits].map((digit) => String(9 - Number(digit))).join("");
  return `1${String(999 - exponent).padStart(3, "0")}${complement}~`;
}
